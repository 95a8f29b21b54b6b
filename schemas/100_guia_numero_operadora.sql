-- faturo schema, migration 100 (Part M): one index of guia by número no
-- prestador instead of two.
--
-- guia had two indexes whose keys hold the same two columns:
-- - guia_numero(numero_prestador) (migration 027): the search of the guia
--   listing (`numero_prestador = ?`, with the carteira's index, then sorted
--   by id) and the glosa's reference to a guia by its number, of any
--   operadora or of one (`numero_prestador = ?1 AND (?2 = 0 OR operadora_id
--   = ?2)`, fat_glosa.c);
-- - guia_operadora_numero(operadora_id, numero_prestador) (migration 018):
--   the guia of an operadora by its number (`operadora_id = ?1 AND
--   numero_prestador = ?2`: the retorno, fat_guia_find, the check of a
--   digitação that would repeat a number).
-- One index keyed (numero_prestador, operadora_id) answers all of them with
-- the same seek: an equality on both columns is its whole key (the rows come
-- in id order, as they did), and an equality on the número alone is its
-- prefix. The listing's search loses only the `id < cursor` bound inside the
-- seek, which it checks on the few guias of one número (one per operadora
-- and prestador) before its sort, as it already checked the carteira's.
-- No query ever walked guia_operadora_numero by operadora alone (those use
-- guia_operadora or guia_operadora_comp; unit.desempenho checks the plans).
-- Every guia stored writes one index entry fewer (docs/desempenho.md,
-- rodada 12).

DROP INDEX IF EXISTS guia_operadora_numero;
DROP INDEX IF EXISTS guia_numero;
CREATE INDEX guia_numero ON guia(numero_prestador, operadora_id);
