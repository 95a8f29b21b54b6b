-- faturo schema, migration 091 (Part M, web at scale): indexes for the
-- management reports' lists of lotes.
--
-- lote_status_envio: the lotes of one status in the order they were sent.
-- The inadimplência report lists the lotes sent and not protocolados by
-- sending date (status 'enviado', ORDER BY enviado_em, id): with this index
-- it walks that status's range already in order, instead of sorting them.
CREATE INDEX IF NOT EXISTS lote_status_envio ON lote(status, enviado_em);

-- beneficiario_nome_busca: the guia form's search of a beneficiário by a
-- piece of its name ("%maria%": no b-tree can seek a leading wildcard) walks
-- the names in order until the limit is met; with nome_social in the index
-- the walk reads the index alone, not every beneficiário's row (a rare name
-- at 280 thousand beneficiários: ~60 ms of CPU instead of ~0.6-0.8 s).
-- Still one walk of the index for a name that few match; FTS5 (trigram)
-- would find them directly, but see docs/desempenho.md ("web, rodada 6").
CREATE INDEX IF NOT EXISTS beneficiario_nome_busca ON beneficiario(nome, id, nome_social);
