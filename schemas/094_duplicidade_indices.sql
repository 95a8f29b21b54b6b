-- faturo schema, migration 094 (Part M): the duplicates look-up of conferir
-- reads indexes only.
--
-- For each guia, conferir reads the procedure items of the beneficiário's
-- other guias (the duplicates check, fat_avaliar.c pares_of). Those guias
-- are anywhere in the file, so every one of them cost a page of `guia` and
-- a page of `item` read at random: once the database outgrew the page cache
-- (16 MB; ~10 thousand guias of the demo) each guia read ~3 pages from the
-- disk cache (165 thousand pread per 50 thousand guias, 85% of them from
-- this query), and the cost per guia grew with the database. With these
-- covering indexes the query reads a beneficiário's guias from one index
-- page and each of their items from one more, where the entries of ~100
-- guias or items fit in a page (48 thousand pread per 50 thousand guias).
--
-- guia_benef(beneficiario_id, data_inicio) becomes a prefix of the new index:
-- every query that used it (the scripts' history) uses the new one, and the
-- id right after the date keeps the history's order (data_inicio, id)
-- without a sorter per guia.

CREATE INDEX IF NOT EXISTS guia_benef_par
  ON guia(beneficiario_id, data_inicio, id, status, numero_prestador);
DROP INDEX IF EXISTS guia_benef;
CREATE INDEX IF NOT EXISTS item_guia_par ON item(guia_id, codigo, data);
