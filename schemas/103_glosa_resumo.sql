-- faturo schema, migration 103 (Part M, web at scale): the resumo of glosas
-- read from counters.
--
-- The resumo (fat_glosa_resumo: /api/glosas/resumo and `faturo glosa
-- resumo`) ran seven aggregate queries over the month's glosas, each joining
-- every glosa to its guia, item and profissional: 1.2 s of CPU per request
-- at a million guias (33,090 glosas in the month), 6 ms at 10 thousand. Under
-- 64 connections the route answered nothing. glosa_resumo keeps, per
-- competência (the glosa's copy, migration 085; '' when it has none),
-- operadora and dimension, how many glosas and how much money fall under
-- each key:
--
--   dim 1  the glosa's motive group (grupo, 'outros' when NULL)
--   dim 2  the procedure (the item's código, '(guia inteira)' when the glosa
--          is of the whole guia), one row per description of the item
--          (sub: 'd' || descrição, '' without one), so that the resumo's label
--          (the greatest description) stays exact when a glosa goes away
--   dim 3  the profissional's id (the item's, else the guia's executante;
--          '' without one); the resumo groups them by conselho/número/UF as
--          it always did, at read time
--   dim 4  the classificação
--   dim 5  whether the glosa was foreseen (sim, nao, nao_analisada)
--
-- The resumo of a month reads ~5 rows per key instead of every glosa. Rows
-- whose count falls to 0 stay (the resumo skips them); `relatorio recontar`
-- rebuilds the table without them. The triggers keep it in the same
-- transaction as every write that moves a glosa's keys: a glosa new, deleted
-- or changed (competência, guia, item, grupo, classificação, prevista,
-- valor); an item whose código, descrição or profissional changes; a guia
-- whose operadora or executante changes (its competência reaches the glosas
-- through migration 085's trigger). Changes are "take out the old
-- contribution, BEFORE the row changes; put in the new one, AFTER". `faturo
-- verificar` (glosa_resumo_recontado) compares the table with a recount
-- (FAT_GLOSA_RESUMO_RECONTAGEM in fat_glosa.h, the same SELECT as the backfill
-- below). No statement here opens an ephemeral b-tree (unit.desempenho).

CREATE TABLE glosa_resumo_dim (dim INTEGER PRIMARY KEY);
INSERT INTO glosa_resumo_dim (dim) VALUES (1), (2), (3), (4), (5);

CREATE TABLE glosa_resumo (
  competencia  TEXT NOT NULL,
  dim          INTEGER NOT NULL,
  operadora_id INTEGER NOT NULL,
  chave        TEXT NOT NULL,
  sub          TEXT NOT NULL,
  n            INTEGER NOT NULL,
  valor        INTEGER NOT NULL,
  PRIMARY KEY (competencia, dim, operadora_id, chave, sub)
) WITHOUT ROWID;

INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
SELECT coalesce(gl.competencia, ''), d.dim, g.operadora_id,
  CASE d.dim WHEN 1 THEN coalesce(gl.grupo, 'outros')
    WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
    WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
    WHEN 4 THEN gl.classificacao
    ELSE CASE gl.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
  CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
  count(*), sum(gl.valor)
FROM glosa gl JOIN guia g ON g.id = gl.guia_id LEFT JOIN item i ON i.id = gl.item_id
JOIN glosa_resumo_dim d
GROUP BY 1, 2, 3, 4, 5;

-- A glosa is now stored with its guia's competência (fat_retorno.c,
-- fat_glosa.c); migration 085's trigger only fills in what an INSERT left
-- out, so a new glosa is not written twice (and not counted twice).
DROP TRIGGER IF EXISTS glosa_competencia_nova;
CREATE TRIGGER glosa_competencia_nova AFTER INSERT ON glosa
WHEN NEW.competencia IS NOT (SELECT g.competencia FROM guia g WHERE g.id = NEW.guia_id)
BEGIN
  UPDATE glosa SET competencia = (SELECT g.competencia FROM guia g WHERE g.id = NEW.guia_id)
   WHERE id = NEW.id;
END;

CREATE TRIGGER glosa_resumo_nova AFTER INSERT ON glosa
BEGIN
  INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
  SELECT coalesce(NEW.competencia, ''), d.dim, g.operadora_id,
    CASE d.dim WHEN 1 THEN coalesce(NEW.grupo, 'outros')
      WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
      WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
      WHEN 4 THEN NEW.classificacao
      ELSE CASE NEW.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
    CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
    1, NEW.valor
  FROM glosa_resumo_dim d JOIN guia g ON g.id = NEW.guia_id LEFT JOIN item i ON i.id = NEW.item_id
  WHERE true
  ON CONFLICT DO UPDATE SET n = n + excluded.n, valor = valor + excluded.valor;
END;

CREATE TRIGGER glosa_resumo_apagada AFTER DELETE ON glosa
BEGIN
  INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
  SELECT coalesce(OLD.competencia, ''), d.dim, g.operadora_id,
    CASE d.dim WHEN 1 THEN coalesce(OLD.grupo, 'outros')
      WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
      WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
      WHEN 4 THEN OLD.classificacao
      ELSE CASE OLD.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
    CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
    -1, -OLD.valor
  FROM glosa_resumo_dim d JOIN guia g ON g.id = OLD.guia_id LEFT JOIN item i ON i.id = OLD.item_id
  WHERE true
  ON CONFLICT DO UPDATE SET n = n + excluded.n, valor = valor + excluded.valor;
END;

CREATE TRIGGER glosa_resumo_antes
BEFORE UPDATE OF competencia, guia_id, item_id, grupo, classificacao, prevista, valor ON glosa
WHEN NEW.competencia IS NOT OLD.competencia OR NEW.guia_id IS NOT OLD.guia_id
  OR NEW.item_id IS NOT OLD.item_id OR NEW.grupo IS NOT OLD.grupo
  OR NEW.classificacao IS NOT OLD.classificacao OR NEW.prevista IS NOT OLD.prevista
  OR NEW.valor IS NOT OLD.valor
BEGIN
  INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
  SELECT coalesce(OLD.competencia, ''), d.dim, g.operadora_id,
    CASE d.dim WHEN 1 THEN coalesce(OLD.grupo, 'outros')
      WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
      WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
      WHEN 4 THEN OLD.classificacao
      ELSE CASE OLD.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
    CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
    -1, -OLD.valor
  FROM glosa_resumo_dim d JOIN guia g ON g.id = OLD.guia_id LEFT JOIN item i ON i.id = OLD.item_id
  WHERE true
  ON CONFLICT DO UPDATE SET n = n + excluded.n, valor = valor + excluded.valor;
END;

CREATE TRIGGER glosa_resumo_depois
AFTER UPDATE OF competencia, guia_id, item_id, grupo, classificacao, prevista, valor ON glosa
WHEN NEW.competencia IS NOT OLD.competencia OR NEW.guia_id IS NOT OLD.guia_id
  OR NEW.item_id IS NOT OLD.item_id OR NEW.grupo IS NOT OLD.grupo
  OR NEW.classificacao IS NOT OLD.classificacao OR NEW.prevista IS NOT OLD.prevista
  OR NEW.valor IS NOT OLD.valor
BEGIN
  INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
  SELECT coalesce(NEW.competencia, ''), d.dim, g.operadora_id,
    CASE d.dim WHEN 1 THEN coalesce(NEW.grupo, 'outros')
      WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
      WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
      WHEN 4 THEN NEW.classificacao
      ELSE CASE NEW.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
    CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
    1, NEW.valor
  FROM glosa_resumo_dim d JOIN guia g ON g.id = NEW.guia_id LEFT JOIN item i ON i.id = NEW.item_id
  WHERE true
  ON CONFLICT DO UPDATE SET n = n + excluded.n, valor = valor + excluded.valor;
END;

-- the glosas of an item or a guia whose keys change: out before, in after
CREATE TRIGGER glosa_resumo_item_antes
BEFORE UPDATE OF codigo, descricao, profissional_id ON item
WHEN NEW.codigo IS NOT OLD.codigo OR NEW.descricao IS NOT OLD.descricao
  OR NEW.profissional_id IS NOT OLD.profissional_id
BEGIN
  INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
  SELECT coalesce(gl.competencia, ''), d.dim, g.operadora_id,
    CASE d.dim WHEN 1 THEN coalesce(gl.grupo, 'outros')
      WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
      WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
      WHEN 4 THEN gl.classificacao
      ELSE CASE gl.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
    CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
    -1, -gl.valor
  FROM glosa gl JOIN glosa_resumo_dim d JOIN guia g ON g.id = gl.guia_id
  JOIN item i ON i.id = gl.item_id
  WHERE gl.item_id = OLD.id
  ON CONFLICT DO UPDATE SET n = n + excluded.n, valor = valor + excluded.valor;
END;

CREATE TRIGGER glosa_resumo_item_depois
AFTER UPDATE OF codigo, descricao, profissional_id ON item
WHEN NEW.codigo IS NOT OLD.codigo OR NEW.descricao IS NOT OLD.descricao
  OR NEW.profissional_id IS NOT OLD.profissional_id
BEGIN
  INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
  SELECT coalesce(gl.competencia, ''), d.dim, g.operadora_id,
    CASE d.dim WHEN 1 THEN coalesce(gl.grupo, 'outros')
      WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
      WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
      WHEN 4 THEN gl.classificacao
      ELSE CASE gl.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
    CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
    1, gl.valor
  FROM glosa gl JOIN glosa_resumo_dim d JOIN guia g ON g.id = gl.guia_id
  JOIN item i ON i.id = gl.item_id
  WHERE gl.item_id = NEW.id
  ON CONFLICT DO UPDATE SET n = n + excluded.n, valor = valor + excluded.valor;
END;

CREATE TRIGGER glosa_resumo_guia_antes
BEFORE UPDATE OF operadora_id, executante_id ON guia
WHEN NEW.operadora_id IS NOT OLD.operadora_id OR NEW.executante_id IS NOT OLD.executante_id
BEGIN
  INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
  SELECT coalesce(gl.competencia, ''), d.dim, g.operadora_id,
    CASE d.dim WHEN 1 THEN coalesce(gl.grupo, 'outros')
      WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
      WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
      WHEN 4 THEN gl.classificacao
      ELSE CASE gl.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
    CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
    -1, -gl.valor
  FROM glosa gl JOIN glosa_resumo_dim d JOIN guia g ON g.id = gl.guia_id
  LEFT JOIN item i ON i.id = gl.item_id
  WHERE gl.guia_id = OLD.id
  ON CONFLICT DO UPDATE SET n = n + excluded.n, valor = valor + excluded.valor;
END;

CREATE TRIGGER glosa_resumo_guia_depois
AFTER UPDATE OF operadora_id, executante_id ON guia
WHEN NEW.operadora_id IS NOT OLD.operadora_id OR NEW.executante_id IS NOT OLD.executante_id
BEGIN
  INSERT INTO glosa_resumo (competencia, dim, operadora_id, chave, sub, n, valor)
  SELECT coalesce(gl.competencia, ''), d.dim, g.operadora_id,
    CASE d.dim WHEN 1 THEN coalesce(gl.grupo, 'outros')
      WHEN 2 THEN coalesce(i.codigo, '(guia inteira)')
      WHEN 3 THEN coalesce(CAST(coalesce(i.profissional_id, g.executante_id) AS TEXT), '')
      WHEN 4 THEN gl.classificacao
      ELSE CASE gl.prevista WHEN 1 THEN 'sim' WHEN 0 THEN 'nao' ELSE 'nao_analisada' END END,
    CASE WHEN d.dim = 2 AND i.descricao IS NOT NULL THEN 'd' || i.descricao ELSE '' END,
    1, gl.valor
  FROM glosa gl JOIN glosa_resumo_dim d JOIN guia g ON g.id = gl.guia_id
  LEFT JOIN item i ON i.id = gl.item_id
  WHERE gl.guia_id = NEW.id
  ON CONFLICT DO UPDATE SET n = n + excluded.n, valor = valor + excluded.valor;
END;
