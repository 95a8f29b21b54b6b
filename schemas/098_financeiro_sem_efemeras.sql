-- faturo schema, migration 098 (Part M): two statements the financial verbs
-- run per row without an ephemeral b-tree. First, the CHECK on repasse_item.origem
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

-- Each guia a recebimento pays is one INSERT into recebimento_guia, whose
-- trigger lote_saldo_recebido_novo (migration 092) added the guia's part to
-- lote_recebimento with INSERT ... SELECT. lote_recebimento has triggers of
-- its own (migration 093), and an INSERT ... SELECT into a table with
-- triggers first copies the selected rows into an ephemeral b-tree: one per
-- guia paid. The same row is written from VALUES with the guia's lote read by
-- a scalar subquery. The one case where the two differ, a recebimento_guia
-- whose guia does not exist (the SELECT inserts nothing, VALUES a row for lote
-- 0), is refused by recebimento_guia's foreign key on guia, which undoes the
-- whole statement, trigger included.
DROP TRIGGER lote_saldo_recebido_novo;
CREATE TRIGGER lote_saldo_recebido_novo AFTER INSERT ON recebimento_guia
BEGIN
  UPDATE lote_saldo SET recebido = recebido + NEW.valor
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada');
  INSERT INTO lote_recebimento (lote_id, recebimento_id, valor, guias)
  VALUES (coalesce((SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id), 0), NEW.recebimento_id,
          NEW.valor, 1)
  ON CONFLICT (lote_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias;
END;
