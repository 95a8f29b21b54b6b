-- faturo schema, migration 098 (Part M): the CHECK on repasse_item.origem
-- without a constant IN list.
--
-- `origem IN ('convenio', 'particular', 'liberacao', 'ajuste')` (four
-- constants) made SQLite build an ephemeral b-tree each time an INSERT into
-- repasse_item ran: one per line of the repasse, ~3 lines per guia paid (3
-- million in the demo of 1 million guias). Written as equalities joined by OR
-- the test costs nothing; per row, the INSERT of a line took ~20% less CPU
-- (docs/desempenho.md, rodada 9, m9-demo). Same procedure and reasoning as
-- migration 084: the constraint's text is rewritten in place (SQLite cannot
-- ALTER a CHECK); the rewritten test accepts and refuses exactly the values it
-- did (same column, collation and affinity; the column is NOT NULL).
-- unit.desempenho checks the INSERT opens no ephemeral b-tree and that the
-- constraint still refuses a bad value. situacao's IN list has two values,
-- which SQLite already tests without a b-tree.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (origem IN (''convenio'', ''particular'', ''liberacao'', ''ajuste''))',
  'CHECK (origem = ''convenio'' OR origem = ''particular'' OR origem = ''liberacao'' OR origem = ''ajuste'')')
WHERE type = 'table' AND name = 'repasse_item';

PRAGMA writable_schema = RESET;
