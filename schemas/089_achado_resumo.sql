-- faturo schema, migration 089 (Part M, web at scale): the totals of the
-- findings worklist kept as counters.
--
-- The first page of /api/achados carries the totals (achados, guias, R$ at
-- risk) and the table per code and severity. Aggregated per request they
-- read every finding the filter matches, joined to its guia (seconds at a
-- million guias). achado_resumo holds them per operadora, competência,
-- code, severity and state (open or acknowledged), for the findings of the
-- guias not cancelled, the set fat_rel_achados lists:
--   achados     = count of those findings
--   guias       = count of distinct guias having at least one of them
--   valor_risco = sum of their valor_risco
-- codigo = '' stands for every code and severidade = '' for both
-- severities, so the total of a filter without code (or severity) is one
-- row too: the distinct guias of a wider set are not the sum of the
-- narrower ones. A guia belongs to one operadora and one competência, so
-- rows of different operadoras or months add up.
--
-- The triggers below keep the counters in the same transaction as every
-- write of a finding (conferir inserts, updates, deletes; reconhecer) and of
-- a guia (cancelled or restored, moved to another operadora or month,
-- deleted). Each finding written moves four rows (code and severity, code,
-- severity, neither), one statement each; whether its guia already counts
-- in a row is one look at the guia's other findings (the achado_guia index).
-- No statement builds a derived table or a UNION (an ephemeral b-tree per
-- row written: see 080_painel_sem_in.sql; unit.desempenho checks it). fat_relatorio_recontar
-- rebuilds the table, and `faturo verificar` (achado_resumo_recontado)
-- compares it with a recount. NULL operadora / competência are kept as 0 / ''.

CREATE TABLE achado_resumo (
  operadora_id INTEGER NOT NULL,
  competencia  TEXT NOT NULL,
  codigo       TEXT NOT NULL,          -- '' = every code
  severidade   TEXT NOT NULL,          -- '' = both severities
  reconhecido  INTEGER NOT NULL,       -- 0 open, 1 acknowledged
  achados      INTEGER NOT NULL DEFAULT 0,
  guias        INTEGER NOT NULL DEFAULT 0,
  valor_risco  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (reconhecido, codigo, severidade, operadora_id, competencia)
) WITHOUT ROWID;

INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                           achados, guias, valor_risco)
SELECT k.op, k.comp, k.codigo, k.severidade, k.rec, count(*), count(DISTINCT k.guia_id),
       sum(k.valor_risco)
  FROM (SELECT coalesce(g.operadora_id, 0) AS op, coalesce(g.competencia, '') AS comp,
               a.codigo AS codigo, a.severidade AS severidade,
               a.reconhecido_em IS NOT NULL AS rec, a.guia_id AS guia_id,
               a.valor_risco AS valor_risco
          FROM achado a JOIN guia g ON g.id = a.guia_id WHERE g.status <> 'cancelada'
        UNION ALL
        SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), a.codigo, '',
               a.reconhecido_em IS NOT NULL, a.guia_id, a.valor_risco
          FROM achado a JOIN guia g ON g.id = a.guia_id WHERE g.status <> 'cancelada'
        UNION ALL
        SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', a.severidade,
               a.reconhecido_em IS NOT NULL, a.guia_id, a.valor_risco
          FROM achado a JOIN guia g ON g.id = a.guia_id WHERE g.status <> 'cancelada'
        UNION ALL
        SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', '',
               a.reconhecido_em IS NOT NULL, a.guia_id, a.valor_risco
          FROM achado a JOIN guia g ON g.id = a.guia_id WHERE g.status <> 'cancelada') k
 GROUP BY k.op, k.comp, k.codigo, k.severidade, k.rec;

-- a finding in: its four rows count it; its guia counts in a row unless
-- another finding of the guia in the same state already matched that row
CREATE TRIGGER achado_resumo_novo AFTER INSERT ON achado
BEGIN
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), NEW.codigo, NEW.severidade,
         NEW.reconhecido_em IS NOT NULL, 1,
         NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = NEW.guia_id AND o.id <> NEW.id
                      AND (o.reconhecido_em IS NULL) = (NEW.reconhecido_em IS NULL) AND o.codigo = NEW.codigo AND o.severidade = NEW.severidade),
         NEW.valor_risco
    FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), NEW.codigo, '',
         NEW.reconhecido_em IS NOT NULL, 1,
         NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = NEW.guia_id AND o.id <> NEW.id
                      AND (o.reconhecido_em IS NULL) = (NEW.reconhecido_em IS NULL) AND o.codigo = NEW.codigo),
         NEW.valor_risco
    FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', NEW.severidade,
         NEW.reconhecido_em IS NOT NULL, 1,
         NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = NEW.guia_id AND o.id <> NEW.id
                      AND (o.reconhecido_em IS NULL) = (NEW.reconhecido_em IS NULL) AND o.severidade = NEW.severidade),
         NEW.valor_risco
    FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', '',
         NEW.reconhecido_em IS NOT NULL, 1,
         NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = NEW.guia_id AND o.id <> NEW.id
                      AND (o.reconhecido_em IS NULL) = (NEW.reconhecido_em IS NULL) AND 1),
         NEW.valor_risco
    FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
END;

-- a finding out (deleted by conferir, or with its guia: then the guia is
-- gone already and its BEFORE DELETE trigger took its findings out)
CREATE TRIGGER achado_resumo_apagado AFTER DELETE ON achado
BEGIN
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), OLD.codigo, OLD.severidade,
         OLD.reconhecido_em IS NOT NULL, -1,
         -(NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = OLD.guia_id AND o.id <> OLD.id
                        AND (o.reconhecido_em IS NULL) = (OLD.reconhecido_em IS NULL) AND o.codigo = OLD.codigo AND o.severidade = OLD.severidade)),
         -OLD.valor_risco
    FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), OLD.codigo, '',
         OLD.reconhecido_em IS NOT NULL, -1,
         -(NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = OLD.guia_id AND o.id <> OLD.id
                        AND (o.reconhecido_em IS NULL) = (OLD.reconhecido_em IS NULL) AND o.codigo = OLD.codigo)),
         -OLD.valor_risco
    FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', OLD.severidade,
         OLD.reconhecido_em IS NOT NULL, -1,
         -(NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = OLD.guia_id AND o.id <> OLD.id
                        AND (o.reconhecido_em IS NULL) = (OLD.reconhecido_em IS NULL) AND o.severidade = OLD.severidade)),
         -OLD.valor_risco
    FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', '',
         OLD.reconhecido_em IS NOT NULL, -1,
         -(NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = OLD.guia_id AND o.id <> OLD.id
                        AND (o.reconhecido_em IS NULL) = (OLD.reconhecido_em IS NULL) AND 1)),
         -OLD.valor_risco
    FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
END;

-- a finding changed in what the counters see: out as it was, in as it is
-- (the guia's other findings are the same set both times). conferir
-- rewrites a finding found again with the same values: no change, no work.
CREATE TRIGGER achado_resumo_mudou
AFTER UPDATE OF codigo, severidade, valor_risco, reconhecido_em, guia_id ON achado
WHEN NEW.codigo IS NOT OLD.codigo OR NEW.severidade IS NOT OLD.severidade
  OR NEW.valor_risco IS NOT OLD.valor_risco OR NEW.guia_id IS NOT OLD.guia_id
  OR (NEW.reconhecido_em IS NULL) <> (OLD.reconhecido_em IS NULL)
BEGIN
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), OLD.codigo, OLD.severidade,
         OLD.reconhecido_em IS NOT NULL, -1,
         -(NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = OLD.guia_id AND o.id <> OLD.id
                        AND (o.reconhecido_em IS NULL) = (OLD.reconhecido_em IS NULL) AND o.codigo = OLD.codigo AND o.severidade = OLD.severidade)),
         -OLD.valor_risco
    FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), OLD.codigo, '',
         OLD.reconhecido_em IS NOT NULL, -1,
         -(NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = OLD.guia_id AND o.id <> OLD.id
                        AND (o.reconhecido_em IS NULL) = (OLD.reconhecido_em IS NULL) AND o.codigo = OLD.codigo)),
         -OLD.valor_risco
    FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', OLD.severidade,
         OLD.reconhecido_em IS NOT NULL, -1,
         -(NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = OLD.guia_id AND o.id <> OLD.id
                        AND (o.reconhecido_em IS NULL) = (OLD.reconhecido_em IS NULL) AND o.severidade = OLD.severidade)),
         -OLD.valor_risco
    FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', '',
         OLD.reconhecido_em IS NOT NULL, -1,
         -(NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = OLD.guia_id AND o.id <> OLD.id
                        AND (o.reconhecido_em IS NULL) = (OLD.reconhecido_em IS NULL) AND 1)),
         -OLD.valor_risco
    FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), NEW.codigo, NEW.severidade,
         NEW.reconhecido_em IS NOT NULL, 1,
         NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = NEW.guia_id AND o.id <> NEW.id
                      AND (o.reconhecido_em IS NULL) = (NEW.reconhecido_em IS NULL) AND o.codigo = NEW.codigo AND o.severidade = NEW.severidade),
         NEW.valor_risco
    FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), NEW.codigo, '',
         NEW.reconhecido_em IS NOT NULL, 1,
         NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = NEW.guia_id AND o.id <> NEW.id
                      AND (o.reconhecido_em IS NULL) = (NEW.reconhecido_em IS NULL) AND o.codigo = NEW.codigo),
         NEW.valor_risco
    FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', NEW.severidade,
         NEW.reconhecido_em IS NOT NULL, 1,
         NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = NEW.guia_id AND o.id <> NEW.id
                      AND (o.reconhecido_em IS NULL) = (NEW.reconhecido_em IS NULL) AND o.severidade = NEW.severidade),
         NEW.valor_risco
    FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(g.operadora_id, 0), coalesce(g.competencia, ''), '', '',
         NEW.reconhecido_em IS NOT NULL, 1,
         NOT EXISTS (SELECT 1 FROM achado o WHERE o.guia_id = NEW.guia_id AND o.id <> NEW.id
                      AND (o.reconhecido_em IS NULL) = (NEW.reconhecido_em IS NULL) AND 1),
         NEW.valor_risco
    FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada'
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
END;

-- a guia cancelled or restored, or moved to another operadora or month:
-- all its findings leave the rows they counted in and enter the new ones
CREATE TRIGGER achado_resumo_guia_mudou
AFTER UPDATE OF status, operadora_id, competencia ON guia
WHEN (NEW.status = 'cancelada') IS NOT (OLD.status = 'cancelada')
  OR NEW.operadora_id IS NOT OLD.operadora_id OR NEW.competencia IS NOT OLD.competencia
BEGIN
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(OLD.operadora_id, 0), coalesce(OLD.competencia, ''), codigo, severidade,
         reconhecido_em IS NOT NULL, -count(*), -1, -sum(valor_risco)
    FROM achado WHERE guia_id = OLD.id AND OLD.status <> 'cancelada'
   GROUP BY codigo, severidade, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(OLD.operadora_id, 0), coalesce(OLD.competencia, ''), codigo, '',
         reconhecido_em IS NOT NULL, -count(*), -1, -sum(valor_risco)
    FROM achado WHERE guia_id = OLD.id AND OLD.status <> 'cancelada'
   GROUP BY codigo, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(OLD.operadora_id, 0), coalesce(OLD.competencia, ''), '', severidade,
         reconhecido_em IS NOT NULL, -count(*), -1, -sum(valor_risco)
    FROM achado WHERE guia_id = OLD.id AND OLD.status <> 'cancelada'
   GROUP BY severidade, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(OLD.operadora_id, 0), coalesce(OLD.competencia, ''), '', '',
         reconhecido_em IS NOT NULL, -count(*), -1, -sum(valor_risco)
    FROM achado WHERE guia_id = OLD.id AND OLD.status <> 'cancelada'
   GROUP BY reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(NEW.operadora_id, 0), coalesce(NEW.competencia, ''), codigo, severidade,
         reconhecido_em IS NOT NULL, count(*), 1, sum(valor_risco)
    FROM achado WHERE guia_id = NEW.id AND NEW.status <> 'cancelada'
   GROUP BY codigo, severidade, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(NEW.operadora_id, 0), coalesce(NEW.competencia, ''), codigo, '',
         reconhecido_em IS NOT NULL, count(*), 1, sum(valor_risco)
    FROM achado WHERE guia_id = NEW.id AND NEW.status <> 'cancelada'
   GROUP BY codigo, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(NEW.operadora_id, 0), coalesce(NEW.competencia, ''), '', severidade,
         reconhecido_em IS NOT NULL, count(*), 1, sum(valor_risco)
    FROM achado WHERE guia_id = NEW.id AND NEW.status <> 'cancelada'
   GROUP BY severidade, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(NEW.operadora_id, 0), coalesce(NEW.competencia, ''), '', '',
         reconhecido_em IS NOT NULL, count(*), 1, sum(valor_risco)
    FROM achado WHERE guia_id = NEW.id AND NEW.status <> 'cancelada'
   GROUP BY reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
END;

-- a guia deleted: its findings leave the counters before the cascade
-- deletes them (their own trigger then finds no guia)
CREATE TRIGGER achado_resumo_guia_apagar BEFORE DELETE ON guia
BEGIN
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(OLD.operadora_id, 0), coalesce(OLD.competencia, ''), codigo, severidade,
         reconhecido_em IS NOT NULL, -count(*), -1, -sum(valor_risco)
    FROM achado WHERE guia_id = OLD.id AND OLD.status <> 'cancelada'
   GROUP BY codigo, severidade, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(OLD.operadora_id, 0), coalesce(OLD.competencia, ''), codigo, '',
         reconhecido_em IS NOT NULL, -count(*), -1, -sum(valor_risco)
    FROM achado WHERE guia_id = OLD.id AND OLD.status <> 'cancelada'
   GROUP BY codigo, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(OLD.operadora_id, 0), coalesce(OLD.competencia, ''), '', severidade,
         reconhecido_em IS NOT NULL, -count(*), -1, -sum(valor_risco)
    FROM achado WHERE guia_id = OLD.id AND OLD.status <> 'cancelada'
   GROUP BY severidade, reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
  INSERT INTO achado_resumo (operadora_id, competencia, codigo, severidade, reconhecido,
                             achados, guias, valor_risco)
  SELECT coalesce(OLD.operadora_id, 0), coalesce(OLD.competencia, ''), '', '',
         reconhecido_em IS NOT NULL, -count(*), -1, -sum(valor_risco)
    FROM achado WHERE guia_id = OLD.id AND OLD.status <> 'cancelada'
   GROUP BY reconhecido_em IS NOT NULL
  ON CONFLICT (reconhecido, codigo, severidade, operadora_id, competencia) DO UPDATE SET
    achados = achados + excluded.achados, guias = guias + excluded.guias,
    valor_risco = valor_risco + excluded.valor_risco;
END;
