-- faturo schema, migration 005 (Part E): lotes and TISS.
-- The lote table itself is in 001; here: what closing needs to remember,
-- the lote's event log (audit of every state change), and the rule that a
-- lote is immutable once sent.

ALTER TABLE lote ADD COLUMN hash_encoding TEXT;          -- 'ISO-8859-1' or 'UTF-8'
ALTER TABLE lote ADD COLUMN pagamento_prazo_dias INTEGER;-- contract's pagamento.prazo_dias at closing
ALTER TABLE lote ADD COLUMN validado INTEGER NOT NULL DEFAULT 0; -- 1 = passed the TISS XSD
ALTER TABLE lote ADD COLUMN motivo_reabertura TEXT;

CREATE TABLE lote_evento (
  id        INTEGER PRIMARY KEY,
  lote_id   INTEGER NOT NULL REFERENCES lote(id),
  em        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario   TEXT NOT NULL,
  de        TEXT,                 -- previous status (NULL when created)
  para      TEXT NOT NULL,        -- new status
  data      TEXT,                 -- date informed by the user (envio, protocolo)
  detalhe   TEXT                  -- motivo, protocol number, hash ...
);
CREATE INDEX lote_evento_lote ON lote_evento(lote_id);
CREATE INDEX lote_operadora_status ON lote(operadora_id, status);

-- A sent lote is immutable: its content, number and guias cannot change.
CREATE TRIGGER lote_enviado_imutavel
BEFORE UPDATE OF xml, hash, arquivo, qtd_guias, valor_informado, numero, tipo_guia,
                 operadora_id, prestador_id, periodo_inicio, periodo_fim ON lote
WHEN OLD.status NOT IN ('aberto', 'fechado')
BEGIN
  SELECT RAISE(ABORT, 'lote já enviado não pode ser alterado');
END;

CREATE TRIGGER lote_enviado_guias
BEFORE UPDATE OF lote_id ON guia
WHEN OLD.lote_id IS NOT NULL AND NEW.lote_id IS NOT OLD.lote_id
 AND (SELECT status FROM lote WHERE id = OLD.lote_id) NOT IN ('aberto', 'fechado')
BEGIN
  SELECT RAISE(ABORT, 'guia de lote já enviado não pode sair do lote');
END;

CREATE TRIGGER lote_enviado_apagar
BEFORE DELETE ON lote
WHEN OLD.status NOT IN ('aberto', 'fechado')
BEGIN
  SELECT RAISE(ABORT, 'lote já enviado não pode ser apagado');
END;
