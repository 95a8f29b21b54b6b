-- faturo schema, migration 085 (Part M, web at scale): the competência of a
-- glosa's guia, kept on the glosa, and an index on it.
--
-- The panel lists and summarises the glosas of one month (/api/glosas and
-- /api/glosas/resumo with competencia). Through the guia that meant walking
-- every guia of the month (most have no glosa) or every glosa of the
-- history; with glosa(competencia) both read only that month's glosas, and
-- the list pages by glosa id with no sort (test_planos_web). The triggers
-- keep the copy right in the same transaction as every write: a new glosa,
-- a glosa moved to another guia, a guia whose competência changes.

ALTER TABLE glosa ADD COLUMN competencia TEXT;

UPDATE glosa SET competencia = (SELECT g.competencia FROM guia g WHERE g.id = glosa.guia_id);

CREATE INDEX IF NOT EXISTS glosa_competencia ON glosa(competencia);

CREATE TRIGGER IF NOT EXISTS glosa_competencia_nova AFTER INSERT ON glosa
BEGIN
  UPDATE glosa SET competencia = (SELECT g.competencia FROM guia g WHERE g.id = NEW.guia_id)
   WHERE id = NEW.id;
END;

CREATE TRIGGER IF NOT EXISTS glosa_competencia_outra_guia AFTER UPDATE OF guia_id ON glosa
BEGIN
  UPDATE glosa SET competencia = (SELECT g.competencia FROM guia g WHERE g.id = NEW.guia_id)
   WHERE id = NEW.id;
END;

CREATE TRIGGER IF NOT EXISTS glosa_competencia_da_guia AFTER UPDATE OF competencia ON guia
WHEN NEW.competencia IS NOT OLD.competencia
BEGIN
  UPDATE glosa SET competencia = NEW.competencia WHERE guia_id = NEW.id;
END;
