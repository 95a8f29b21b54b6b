-- faturo schema, migration 004 (Part D): price tables, versioned by vigência.
-- Money is INTEGER centavos. Fractions (fração de porte, UCO, filme m²) are
-- INTEGER ten-thousandths (_e4: 10000 = 1,0000). Vigência: a row applies to a
-- date D when vigencia_inicio <= D and (vigencia_fim IS NULL or D <= vigencia_fim);
-- among several, the one with the latest vigencia_inicio wins.
-- Every row records the import batch (tabela_importacao) that brought it.

CREATE TABLE tabela_importacao (
  id            INTEGER PRIMARY KEY,
  tipo          TEXT NOT NULL CHECK (tipo IN ('tuss', 'cbhpm', 'portes', 'brasindice',
                                              'simpro', 'negociada', 'glosas')),
  arquivo       TEXT NOT NULL,           -- file name as given
  sha256        TEXT NOT NULL,           -- of the file bytes
  codificacao   TEXT NOT NULL,           -- 'UTF-8' or 'ISO-8859-1' (detected)
  linhas        INTEGER NOT NULL,        -- data rows imported
  vigencia      TEXT NOT NULL,           -- default vigência início of the rows
  edicao        TEXT,                    -- CBHPM/portes edition
  operadora     TEXT,                    -- registro ANS (negociada)
  usuario       TEXT NOT NULL,
  importado_em  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- TUSS terminology (any TUSS table: 18, 19, 20, 22, ...)
CREATE TABLE tuss_termo (
  id              INTEGER PRIMARY KEY,
  tabela          TEXT NOT NULL,         -- '22', '18', '19', '20'
  codigo          TEXT NOT NULL,
  descricao       TEXT NOT NULL,
  vigencia_inicio TEXT NOT NULL,
  vigencia_fim    TEXT,
  importacao_id   INTEGER NOT NULL REFERENCES tabela_importacao(id),
  UNIQUE (tabela, codigo, vigencia_inicio)
);

-- CBHPM-style procedure composition per edition
CREATE TABLE cbhpm_procedimento (
  id               INTEGER PRIMARY KEY,
  edicao           TEXT NOT NULL,
  codigo           TEXT NOT NULL,
  descricao        TEXT NOT NULL,
  porte            TEXT NOT NULL,        -- '1A' .. '14C'
  fracao_porte_e4  INTEGER NOT NULL DEFAULT 10000,  -- 10000 = porte inteiro
  uco_e4           INTEGER NOT NULL DEFAULT 0,      -- custo operacional in UCO
  filme_e4         INTEGER NOT NULL DEFAULT 0,      -- filme in m²
  auxiliares       INTEGER NOT NULL DEFAULT 0,
  porte_anestesico INTEGER NOT NULL DEFAULT 0,      -- 0..8
  vigencia_inicio  TEXT NOT NULL,
  vigencia_fim     TEXT,
  importacao_id    INTEGER NOT NULL REFERENCES tabela_importacao(id),
  UNIQUE (edicao, codigo, vigencia_inicio)
);
CREATE INDEX cbhpm_procedimento_codigo ON cbhpm_procedimento(codigo, edicao);

-- porte value per edition: '1A' -> centavos; anesthetic portes as 'AN1'..'AN8'
CREATE TABLE cbhpm_porte (
  id              INTEGER PRIMARY KEY,
  edicao          TEXT NOT NULL,
  porte           TEXT NOT NULL,
  valor           INTEGER NOT NULL CHECK (valor >= 0),
  vigencia_inicio TEXT NOT NULL,
  vigencia_fim    TEXT,
  importacao_id   INTEGER NOT NULL REFERENCES tabela_importacao(id),
  UNIQUE (edicao, porte, vigencia_inicio)
);

-- drugs (Brasíndice) and materials (Simpro)
CREATE TABLE preco_insumo (
  id              INTEGER PRIMARY KEY,
  tabela          TEXT NOT NULL CHECK (tabela IN ('brasindice', 'simpro')),
  codigo          TEXT NOT NULL,
  descricao       TEXT NOT NULL,
  apresentacao    TEXT,
  pf              INTEGER NOT NULL CHECK (pf >= 0),   -- preço fábrica, centavos
  pmc             INTEGER NOT NULL CHECK (pmc >= 0),  -- preço máximo ao consumidor
  vigencia_inicio TEXT NOT NULL,
  vigencia_fim    TEXT,
  importacao_id   INTEGER NOT NULL REFERENCES tabela_importacao(id),
  UNIQUE (tabela, codigo, vigencia_inicio)
);
CREATE INDEX preco_insumo_codigo ON preco_insumo(codigo);

-- operator negotiated prices (override any group); operadora = registro ANS
CREATE TABLE preco_negociado (
  id              INTEGER PRIMARY KEY,
  operadora       TEXT NOT NULL,
  codigo          TEXT NOT NULL,
  descricao       TEXT,
  valor           INTEGER NOT NULL CHECK (valor >= 0),
  vigencia_inicio TEXT NOT NULL,
  vigencia_fim    TEXT,
  importacao_id   INTEGER NOT NULL REFERENCES tabela_importacao(id),
  UNIQUE (operadora, codigo, vigencia_inicio)
);

-- TUSS table 38: glosa reasons (read by the glosa/recurso module)
CREATE TABLE glosa_motivo (
  codigo        TEXT PRIMARY KEY,
  descricao     TEXT NOT NULL,
  grupo         TEXT,
  importacao_id INTEGER NOT NULL REFERENCES tabela_importacao(id)
);
