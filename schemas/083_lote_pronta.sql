-- faturo schema, migration 083 (Part M): the ready guias of an operadora,
-- in the order lotes are cut from them.
--
-- `lote fechar` reads the guias that are ready for a lote (conferida, in no
-- lote) a page at a time, per prestador, type and closing period, in the
-- order of their reference date (the final date for internação and
-- honorários, else the first) and id, and keeps only one lote of them in
-- memory (engine/4_lote/fat_lote_fechar.c). This partial index holds just
-- the ready guias, keyed as those pages ask: a guia leaves it when it goes
-- into a lote, so each page costs its own rows. The expression must stay
-- the one fat_lote_fechar.c uses (REF_SQL), or SQLite will not use it.

CREATE INDEX IF NOT EXISTS guia_pronta
  ON guia(operadora_id, prestador_id, tipo,
          substr(CASE WHEN tipo IN ('resumo-internacao', 'honorarios')
                 THEN COALESCE(data_fim, data_inicio) ELSE data_inicio END, 1, 10))
  WHERE status = 'conferida' AND lote_id IS NULL;
