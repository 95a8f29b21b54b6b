-- faturo schema, migration 071 (Part N): who saw what (the access log) and
-- the data-subject rights (LGPD).
--
-- One row of `acesso` per read (a request of the API, a verb of the CLI),
-- never one per record read: the ids of the records go compacted in one
-- text column. The log holds no patient data beyond record ids and is kept
-- apart from the write audit (`auditoria`). See docs/lgpd.md.
CREATE TABLE acesso (
  id            INTEGER PRIMARY KEY,
  em            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario       TEXT NOT NULL,
  papel         TEXT,                  -- role of the reader ('operador': CLI user not in the panel)
  canal         TEXT NOT NULL CHECK (canal IN ('cli', 'api')),
  acao          TEXT NOT NULL,         -- the verb or the route: 'guia mostrar', 'GET /api/guias/{}'
  objeto        TEXT NOT NULL,         -- 'guia', 'beneficiario', 'particular'
  registros     TEXT NOT NULL DEFAULT '',  -- ids of objeto read, as ranges: '12,15-40'
  beneficiarios TEXT,                  -- ',3,17,': beneficiários behind them; NULL when too many
  n             INTEGER NOT NULL,      -- records read
  completo      INTEGER NOT NULL DEFAULT 0,  -- 1: full CPF/CNS/carteira shown, 0: masked
  motivo        TEXT
);
CREATE INDEX acesso_em ON acesso(em);
CREATE INDEX acesso_usuario ON acesso(usuario, em);

-- LGPD settings of the clinic (one row per key).
CREATE TABLE lgpd_parametro (
  chave  TEXT PRIMARY KEY,
  valor  TEXT NOT NULL
);
-- billing records are kept this many years after the last payment
INSERT INTO lgpd_parametro (chave, valor) VALUES ('retencao_anos', '5');

-- One row per data subject anonymized: what was done, never who it was.
CREATE TABLE lgpd_anonimizacao (
  id             INTEGER PRIMARY KEY,
  token          TEXT NOT NULL UNIQUE,   -- random; no way back to the person
  em             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario        TEXT NOT NULL,
  referencia     TEXT NOT NULL,          -- date retention was judged on (AAAA-MM-DD)
  beneficiarios  INTEGER NOT NULL,
  guias          INTEGER NOT NULL,
  particulares   INTEGER NOT NULL,
  lotes          INTEGER NOT NULL,       -- lote XMLs rewritten
  valor_guias    INTEGER NOT NULL        -- centavos: sum of the guias, unchanged by it
);

-- A lote whose stored XML was rewritten by an anonymization (the carteira
-- numbers of the anonymized patient replaced, the epilogo hash recomputed):
-- the first row of a lote holds, in hash_anterior, the hash it was sent
-- with; lote.hash becomes the hash of the rewritten XML.
CREATE TABLE lgpd_lote_reescrito (
  id              INTEGER PRIMARY KEY,
  lote_id         INTEGER NOT NULL REFERENCES lote(id),
  anonimizacao_id INTEGER NOT NULL REFERENCES lgpd_anonimizacao(id),
  hash_anterior   TEXT NOT NULL,
  hash_novo       TEXT NOT NULL,
  em              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX lgpd_lote_reescrito_lote ON lgpd_lote_reescrito(lote_id);

-- A sent lote stays immutable (migration 005) except for that one change:
-- its xml and hash may be replaced only by a rewrite recorded above (same
-- lote, from the current hash to the new one) and nothing else may change.
DROP TRIGGER lote_enviado_imutavel;
CREATE TRIGGER lote_enviado_imutavel
BEFORE UPDATE OF xml, hash, arquivo, qtd_guias, valor_informado, numero, tipo_guia,
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
