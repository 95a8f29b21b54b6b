-- faturo schema, migration 091 (Part M, web at scale): indexes for the
-- management reports' lists of lotes.
--
-- lote_status_envio: the lotes of one status in the order they were sent.
-- The inadimplência report lists the lotes sent and not protocolados by
-- sending date (status 'enviado', ORDER BY enviado_em, id): with this index
-- it walks that status's range already in order, instead of sorting them.
CREATE INDEX IF NOT EXISTS lote_status_envio ON lote(status, enviado_em);
