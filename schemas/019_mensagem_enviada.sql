-- faturo schema, migration 019 (Part J): what faturo sent to an operadora
-- besides lotes and recursos: SOLIC_STATUS_PROTOCOLO (`faturo lote status`)
-- and CANCELA_GUIA (`faturo lote cancelar`), each kept as written (XML, hash,
-- whether it passed the XSD), who asked and when.
CREATE TABLE mensagem_enviada (
  id            INTEGER PRIMARY KEY,
  tipo          TEXT NOT NULL CHECK (tipo IN ('SOLIC_STATUS_PROTOCOLO', 'CANCELA_GUIA')),
  operadora_id  INTEGER NOT NULL REFERENCES operadora(id),
  lote_id       INTEGER NOT NULL REFERENCES lote(id),
  protocolo     TEXT,                       -- numeroProtocolo asked about / cancelled under
  guias         TEXT,                       -- CANCELA_GUIA of guias: their números, comma separated
  motivo        TEXT,                       -- why (cancelamento), as the person wrote it
  arquivo       TEXT NOT NULL,
  hash          TEXT NOT NULL,
  xml           BLOB NOT NULL,
  validado      INTEGER NOT NULL DEFAULT 0, -- 1 = passed the TISS XSD
  criado_em     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario       TEXT NOT NULL
);
CREATE INDEX mensagem_enviada_lote ON mensagem_enviada(lote_id);
