-- faturo schema, migration 081 (Part M): a lote's TISS XML in its own table.
-- In the lote row the XML (hundreds of KB) pushed every column after it onto
-- overflow pages: each lote read by a list or the month map cost about
-- 0.5 MB of reading. Reads and writes go through fat_lote_xml.h.

CREATE TABLE lote_xml (
  lote_id  INTEGER PRIMARY KEY REFERENCES lote(id) ON DELETE CASCADE,
  xml      BLOB NOT NULL
);

INSERT INTO lote_xml (lote_id, xml)
  SELECT id, xml FROM lote WHERE xml IS NOT NULL AND length(xml) > 0;

-- A sent lote stays immutable (migrations 005 and 071): its XML cannot be
-- added, removed or moved, and is replaced only by a rewrite recorded in
-- lgpd_lote_reescrito from the lote's current hash (the anonymization writes
-- the XML first, then the lote's new hash, which lote_enviado_imutavel
-- checks against the same record).
CREATE TRIGGER lote_xml_enviado_inserir
BEFORE INSERT ON lote_xml
WHEN (SELECT status FROM lote WHERE id = NEW.lote_id) NOT IN ('aberto', 'fechado')
BEGIN
  SELECT RAISE(ABORT, 'lote já enviado não pode ser alterado');
END;

CREATE TRIGGER lote_xml_enviado_alterar
BEFORE UPDATE ON lote_xml
WHEN NEW.lote_id IS NOT OLD.lote_id
  OR ((SELECT status FROM lote WHERE id = OLD.lote_id) NOT IN ('aberto', 'fechado')
      AND NOT EXISTS (SELECT 1 FROM lgpd_lote_reescrito r
                       WHERE r.lote_id = OLD.lote_id
                         AND r.hash_anterior = (SELECT hash FROM lote WHERE id = OLD.lote_id)))
BEGIN
  SELECT RAISE(ABORT, 'lote já enviado não pode ser alterado');
END;

CREATE TRIGGER lote_xml_enviado_apagar
BEFORE DELETE ON lote_xml
WHEN (SELECT status FROM lote WHERE id = OLD.lote_id) NOT IN ('aberto', 'fechado')
BEGIN
  SELECT RAISE(ABORT, 'lote já enviado não pode ser alterado');
END;

-- The trigger of 071 without the column that leaves.
DROP TRIGGER lote_enviado_imutavel;
CREATE TRIGGER lote_enviado_imutavel
BEFORE UPDATE OF hash, arquivo, qtd_guias, valor_informado, numero, tipo_guia,
                 operadora_id, prestador_id, periodo_inicio, periodo_fim ON lote
WHEN OLD.status NOT IN ('aberto', 'fechado')
 AND NOT (NEW.arquivo IS OLD.arquivo AND NEW.qtd_guias IS OLD.qtd_guias
          AND NEW.valor_informado IS OLD.valor_informado AND NEW.numero IS OLD.numero
          AND NEW.tipo_guia IS OLD.tipo_guia AND NEW.operadora_id IS OLD.operadora_id
          AND NEW.prestador_id IS OLD.prestador_id AND NEW.periodo_inicio IS OLD.periodo_inicio
          AND NEW.periodo_fim IS OLD.periodo_fim
          AND EXISTS (SELECT 1 FROM lgpd_lote_reescrito r
                       WHERE r.lote_id = OLD.id AND r.hash_anterior = OLD.hash
                         AND r.hash_novo = NEW.hash))
BEGIN
  SELECT RAISE(ABORT, 'lote já enviado não pode ser alterado');
END;

ALTER TABLE lote DROP COLUMN xml;
