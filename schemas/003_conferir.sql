-- faturo schema, migration 003 (Part C): conferir.
-- The last check of each guia, so a re-run only re-checks what changed: the
-- guia (revisao), its operator script (sha256) or the rule generation, or the
-- passage of time (reconferir_em: the first day the deadline check would
-- answer differently).

CREATE TABLE conferencia (
  guia_id        INTEGER PRIMARY KEY REFERENCES guia(id) ON DELETE CASCADE,
  revisao        INTEGER NOT NULL,          -- guia.revisao checked
  script_sha256  TEXT,                      -- operator script version used (NULL: no script)
  geracao_id     INTEGER REFERENCES regra_geracao(id),
  referencia     TEXT NOT NULL,             -- reference date ('hoje') of the check
  reconferir_em  TEXT,                      -- check again from this date on (deadline)
  bloqueios      INTEGER NOT NULL DEFAULT 0,
  alertas        INTEGER NOT NULL DEFAULT 0,
  valor_risco    INTEGER NOT NULL DEFAULT 0,-- centavos
  erro           TEXT,                      -- script error of the last check, if any
  em             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- findings by code (listing, demo evaluation) and open bloqueios per guia
CREATE INDEX achado_codigo ON achado(codigo, guia_id);
CREATE INDEX achado_guia_sev ON achado(guia_id, severidade, reconhecido_em);

-- duplicate search and history by carteira when the guia has no beneficiário row
CREATE INDEX guia_carteira ON guia(carteira_numero, operadora_id);
