-- faturo schema, migration 099 (Part M): two indexes of guia hold only the
-- guias that have the column they look up.
--
-- Every guia stored (importar, the demo's guias, guia digitar) wrote an entry
-- in each of the 12 indexes of guia. Two of them are only ever searched by
-- equality on a column that a new guia does not have:
-- - guia_lote(lote_id): the guias of a lote (`lote_id = ?`, the joins of a
--   lote to its guias, the lote_saldo triggers). A guia enters a lote when
--   `lote fechar` runs; until then lote_id is NULL.
-- - guia_operadora_numero_op(operadora_id, numero_operadora): the retorno's
--   look-up of a guia by the operadora's number (`operadora_id = ?1 AND
--   numero_operadora = ?2`, fat_retorno.c), which the retorno writes once it
--   knows it; an imported guia rarely has one.
-- An equality on the column implies it IS NOT NULL, so SQLite uses the
-- partial index for those queries as it used the full one (unit.desempenho
-- checks the plans); the queries that want the guias WITHOUT a lote
-- (`lote_id IS NULL`) never used guia_lote (they go by guia_pronta, by
-- operadora or by status). Each guia saved without a lote or an operadora
-- number now writes two index entries fewer (docs/desempenho.md, rodada 10).

DROP INDEX IF EXISTS guia_lote;
CREATE INDEX guia_lote ON guia(lote_id) WHERE lote_id IS NOT NULL;
DROP INDEX IF EXISTS guia_operadora_numero_op;
CREATE INDEX guia_operadora_numero_op ON guia(operadora_id, numero_operadora)
  WHERE numero_operadora IS NOT NULL;
