-- faturo schema, migration 006 (Part F): retorno, glosas, recursos.
-- Money is INTEGER centavos. A value the operator did not inform is NULL.

-- what a file said, beyond the base retorno row
ALTER TABLE retorno ADD COLUMN numero_demonstrativo TEXT;
ALTER TABLE retorno ADD COLUMN data_emissao TEXT;     -- demonstrativo date (recurso deadline base)
ALTER TABLE retorno ADD COLUMN hash_declarado TEXT;
ALTER TABLE retorno ADD COLUMN hash_calculado TEXT;   -- in the encoding that matched, else ISO-8859-1
ALTER TABLE retorno ADD COLUMN valor_informado INTEGER;
ALTER TABLE retorno ADD COLUMN valor_processado INTEGER;
ALTER TABLE retorno ADD COLUMN valor_liberado INTEGER;
ALTER TABLE retorno ADD COLUMN valor_glosado INTEGER;

-- one row per guia line of a return file (matched or not)
CREATE TABLE retorno_guia (
  id               INTEGER PRIMARY KEY,
  retorno_id       INTEGER NOT NULL REFERENCES retorno(id) ON DELETE CASCADE,
  lote_id          INTEGER REFERENCES lote(id),
  guia_id          INTEGER REFERENCES guia(id),     -- NULL = not matched
  numero_lote      TEXT,
  protocolo        TEXT,
  numero_prestador TEXT,
  numero_operadora TEXT,
  situacao         TEXT,                            -- dm_statusProtocolo
  valor_informado  INTEGER,
  valor_processado INTEGER,
  valor_liberado   INTEGER,
  valor_glosado    INTEGER,
  linha            INTEGER
);
CREATE INDEX retorno_guia_guia ON retorno_guia(guia_id);
CREATE INDEX retorno_guia_ret ON retorno_guia(retorno_id);

-- one row per item line of a return file
CREATE TABLE retorno_item (
  id               INTEGER PRIMARY KEY,
  retorno_guia_id  INTEGER NOT NULL REFERENCES retorno_guia(id) ON DELETE CASCADE,
  item_id          INTEGER REFERENCES item(id),     -- NULL = not matched
  sequencial       INTEGER,
  codigo_tabela    TEXT,
  codigo           TEXT,
  data             TEXT,
  quantidade_e4    INTEGER,
  valor_informado  INTEGER,
  valor_processado INTEGER,
  valor_liberado   INTEGER,
  valor_glosado    INTEGER,
  linha            INTEGER
);
CREATE INDEX retorno_item_item ON retorno_item(item_id);

-- lines of a return that match nothing we sent: listed, never dropped
CREATE TABLE retorno_pendencia (
  id               INTEGER PRIMARY KEY,
  retorno_id       INTEGER NOT NULL REFERENCES retorno(id) ON DELETE CASCADE,
  nivel            TEXT NOT NULL CHECK (nivel IN ('protocolo', 'guia', 'item', 'glosa')),
  numero_lote      TEXT,
  protocolo        TEXT,
  numero_prestador TEXT,
  numero_operadora TEXT,
  sequencial       INTEGER,
  codigo           TEXT,
  data             TEXT,
  valor_informado  INTEGER,
  valor_glosado    INTEGER,
  glosa_codigo     TEXT,
  motivo           TEXT NOT NULL,                   -- pt-BR: why it did not match
  linha            INTEGER,
  resolvida        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX retorno_pendencia_ret ON retorno_pendencia(retorno_id);

-- glosa: links and what learning from it found
ALTER TABLE glosa ADD COLUMN retorno_item_id INTEGER REFERENCES retorno_item(id);
ALTER TABLE glosa ADD COLUMN lote_id INTEGER REFERENCES lote(id);
ALTER TABLE glosa ADD COLUMN descricao TEXT;           -- as the operator wrote it
ALTER TABLE glosa ADD COLUMN data_demonstrativo TEXT;  -- base of the recurso deadline
ALTER TABLE glosa ADD COLUMN prazo_recurso TEXT;       -- AAAA-MM-DD
ALTER TABLE glosa ADD COLUMN prevista INTEGER;         -- 1 a current rule catches it, 0 no, NULL not analysed
ALTER TABLE glosa ADD COLUMN prevista_por TEXT;        -- finding codes that predicted it
ALTER TABLE glosa ADD COLUMN valor_recuperado INTEGER NOT NULL DEFAULT 0;
CREATE INDEX glosa_retorno ON glosa(retorno_id);
CREATE INDEX glosa_item ON glosa(item_id);

ALTER TABLE recurso ADD COLUMN observacao TEXT;
ALTER TABLE recurso ADD COLUMN base_data TEXT;         -- demonstrativo date the deadline counts from
ALTER TABLE recurso_item ADD COLUMN editado_em TEXT;
ALTER TABLE recurso_item ADD COLUMN editado_por TEXT;
CREATE INDEX recurso_item_glosa ON recurso_item(glosa_id);
