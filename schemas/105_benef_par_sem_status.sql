-- faturo schema, migration 105 (Part M): the beneficiário's index of the
-- duplicates look-up without the guia's status.
--
-- guia_benef_par (migration 094) carried the status so that the duplicates
-- look-up of conferir read no table page per other guia. But conferir
-- changes the status of most guias it checks (digitada -> conferida or
-- pendente), and every such UPDATE rewrote the guia's entry of this index,
-- whose pages are in beneficiário order: the 500 guias of one transaction
-- dirtied pages all over it, each written to the WAL at the commit and back
-- to the file at the checkpoint. The bigger the index, the more of its pages
-- a transaction dirtied: on the first conferir of the bench's demo guias
-- (bench_conferir's database, one thread) the checkpoints wrote back 608 of
-- its pages at 10 thousand guias (of 2,502 pages in all; 124 in the index)
-- and 22,989 at 50 thousand (of 41,135; 628 in the index): 0.06 and 0.46
-- per guia, the largest part of the pages written that grew with the base.
--
-- Without the status the entry no longer changes when conferir writes the
-- status. The look-up reads the status of an other guia from its row only
-- for its items that fall in the guia's span of dates (a procedure of the
-- same beneficiário on the guia's days), after the index entries said so
-- (fat_guias_int.h, FAT_PARES_BENEF_SQL): the pages it reads per guia did
-- not grow (47,245 pread at 50 thousand guias before, 47,265 after). The
-- scripts' history keeps its order (data_inicio, id) from the same prefix.

DROP INDEX IF EXISTS guia_benef_par;
CREATE INDEX IF NOT EXISTS guia_benef_par
  ON guia(beneficiario_id, data_inicio, id, numero_prestador);
