-- faturo schema, migration 040 (Part L): guias corrected, cancelled and typed
-- in faturo.
--
-- Every change to a stored guia is a revision: guia.revisao goes up by one
-- (so conferir's incremental run re-checks it) and one row here says who,
-- when, what kind of change, why, and which fields went from what to what.
-- Revision 1 (the guia as imported or typed) has no row: it is the guia's
-- own criado_em/origem and its guia.digitar audit row.

CREATE TABLE guia_revisao (
  id          INTEGER PRIMARY KEY,
  guia_id     INTEGER NOT NULL REFERENCES guia(id) ON DELETE CASCADE,
  revisao     INTEGER NOT NULL,          -- guia.revisao after the change
  em          TEXT NOT NULL,             -- 'AAAA-MM-DDTHH:MM:SSZ' (UTC)
  usuario     TEXT NOT NULL,
  acao        TEXT NOT NULL,             -- 'editar', 'cancelar', 'reimportar', 'anexar', ...
  motivo      TEXT,
  alteracoes  TEXT NOT NULL,             -- JSON [{campo, de, para}] (fat_revisao.h)
  UNIQUE (guia_id, revisao)
);

-- A guia being typed (digitação) that is not ready for conferir: only its
-- JSON form as the user left it, possibly incomplete. It is no guia yet:
-- no lote, report or conferir run sees it. Saving it as ready creates the
-- guia and deletes the draft in the same transaction.
CREATE TABLE guia_rascunho (
  id              INTEGER PRIMARY KEY,
  tipo            TEXT,                  -- as typed so far (may be NULL)
  registro_ans    TEXT,                  -- operadora as typed so far
  numero_prestador TEXT,
  dados           TEXT NOT NULL,         -- the guia's JSON form (docs/formatos.md)
  criado_em       TEXT NOT NULL,
  criado_por      TEXT NOT NULL,
  atualizado_em   TEXT NOT NULL,
  atualizado_por  TEXT NOT NULL
);
CREATE INDEX guia_rascunho_atualizado ON guia_rascunho(atualizado_em);

-- who typed or imported a guia (revision 1 of its history): its first
-- guia.digitar / guia.importar audit row
CREATE INDEX auditoria_guia_criada ON auditoria(objeto, id)
  WHERE acao IN ('guia.digitar', 'guia.importar');
