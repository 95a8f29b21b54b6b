-- faturo schema, migration 041 (Part L): files attached to a guia (laudo,
-- pedido médico, autorização, termo). The content is kept in the database
-- (one backup holds everything) with its SHA-256; the same file attached
-- twice to one guia is refused.
CREATE TABLE guia_anexo (
  id          INTEGER PRIMARY KEY,
  guia_id     INTEGER NOT NULL REFERENCES guia(id) ON DELETE CASCADE,
  tipo        TEXT NOT NULL
              CHECK (tipo IN ('laudo', 'pedido_medico', 'autorizacao', 'termo', 'outro')),
  nome        TEXT NOT NULL,             -- file name as given (no folders)
  mime        TEXT NOT NULL,             -- from the content: application/pdf, image/png, image/jpeg
  tamanho     INTEGER NOT NULL,          -- bytes
  sha256      TEXT NOT NULL,             -- hex of the content
  conteudo    BLOB NOT NULL,
  criado_em   TEXT NOT NULL,
  criado_por  TEXT NOT NULL,
  UNIQUE (guia_id, sha256)
);
CREATE INDEX guia_anexo_guia ON guia_anexo(guia_id);
