-- faturo schema, migration 084 (Part M): the CHECK constraints an import
-- runs for every row written without constant IN lists.
--
-- SQLite evaluates `x IN ('a', 'b', 'c')` (three or more constants) by
-- building an ephemeral b-tree (its own page cache, malloc'd and freed) each
-- time the statement runs, CHECK constraints included: storing one guia of
-- 5 items built 8 of them (guia: tipo and status; item: tipo, per item;
-- beneficiario: sexo), ~10% of `importar`'s CPU (perf, Part M). The same
-- tests written as equalities joined by OR cost nothing (migration 080 did
-- this for the panel's triggers).
--
-- SQLite cannot ALTER a CHECK, and rebuilding guia (with the tables whose
-- foreign keys point at it) is not worth it for an unchanged rule: the
-- constraint's text is rewritten in place, the procedure SQLite documents
-- for changes that do not touch the stored rows (PRAGMA writable_schema;
-- "ALTER TABLE", section "Making Other Kinds Of Table Schema Changes").
-- Each rewritten test accepts and refuses exactly the values it did (same
-- column, collation and affinity; NULL passes both, as before). RESET
-- reloads this connection's schema; others read the new text when they
-- next open the database (until then they run the old, equivalent test).
-- unit.desempenho checks no ephemeral b-tree is left in these INSERTs and
-- that the constraints still refuse a bad value.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (acomodacao IN (''enfermaria'', ''apartamento'', ''ambulatorial''))',
  'CHECK (acomodacao = ''enfermaria'' OR acomodacao = ''apartamento'' OR acomodacao = ''ambulatorial'')')
WHERE type = 'table' AND name = 'plano';

UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (sexo IS NULL OR sexo IN (''M'', ''F'', ''I''))',
  'CHECK (sexo IS NULL OR sexo = ''M'' OR sexo = ''F'' OR sexo = ''I'')')
WHERE type = 'table' AND name = 'beneficiario';

UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (tipo IN (''consulta'', ''sp-sadt'', ''honorarios'', ''resumo-internacao''))',
  'CHECK (tipo = ''consulta'' OR tipo = ''sp-sadt'' OR tipo = ''honorarios'' OR tipo = ''resumo-internacao'')')
WHERE type = 'table' AND name = 'guia';

UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (status IN (''digitada'', ''conferida'', ''pendente'', ''em_lote'',
                                        ''enviada'', ''processada'', ''paga'', ''glosada'', ''cancelada''))',
  'CHECK (status = ''digitada'' OR status = ''conferida'' OR status = ''pendente'' OR status = ''em_lote''
                                        OR status = ''enviada'' OR status = ''processada'' OR status = ''paga''
                                        OR status = ''glosada'' OR status = ''cancelada'')')
WHERE type = 'table' AND name = 'guia';

UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (tipo IN (''procedimento'', ''material'', ''medicamento'', ''opme'',
                                     ''taxa'', ''diaria'', ''gas''))',
  'CHECK (tipo = ''procedimento'' OR tipo = ''material'' OR tipo = ''medicamento'' OR tipo = ''opme''
                                     OR tipo = ''taxa'' OR tipo = ''diaria'' OR tipo = ''gas'')')
WHERE type = 'table' AND name = 'item';

PRAGMA writable_schema = RESET;
