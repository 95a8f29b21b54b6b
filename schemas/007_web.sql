-- faturo schema, migration 007 (Part I): web sessions, login throttling and
-- rule drafts edited in the panel. Times in *_em INTEGER columns are unix
-- seconds (UTC); text timestamps are 'AAAA-MM-DDTHH:MM:SSZ'.

-- One row per logged-in browser. The cookie carries a random token; only its
-- hash is stored, so a copy of the database does not give live sessions.
CREATE TABLE sessao (
  id          INTEGER PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,      -- hex BLAKE2b-256 of the cookie token
  csrf        TEXT NOT NULL,             -- must come back in header X-CSRF-Token
  usuario_id  INTEGER NOT NULL REFERENCES usuario(id) ON DELETE CASCADE,
  criado_em   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  expira_em   INTEGER NOT NULL,          -- unix seconds
  ip          TEXT
);
CREATE INDEX sessao_usuario ON sessao(usuario_id);
CREATE INDEX sessao_expira ON sessao(expira_em);

-- Failed logins, one row per failure and per key ('u:<nome>' and 'ip:<addr>').
-- Login is refused while a key has too many rows inside the window.
CREATE TABLE login_falha (
  id     INTEGER PRIMARY KEY,
  chave  TEXT NOT NULL,
  em     INTEGER NOT NULL                -- unix seconds
);
CREATE INDEX login_falha_chave ON login_falha(chave, em);

-- The draft of one operator script being edited in the panel (one per
-- operator). Publishing writes it over rules/operators/<operadora>.lua.
CREATE TABLE regra_rascunho (
  operadora      TEXT PRIMARY KEY,       -- script key (operadora.script)
  conteudo       TEXT NOT NULL,
  sha256         TEXT NOT NULL,
  base_sha256    TEXT,                   -- live script it started from
  autor          TEXT NOT NULL,
  atualizado_em  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  valido         INTEGER NOT NULL DEFAULT 0,  -- compiled and self-tests passed
  relatorio      TEXT                    -- JSON of the last check
);
