-- faturo schema, migration 102 (Part M, web at scale): two figures of the
-- panels that depend on today's date read from counters per day: the aging
-- of the open receivables (per operadora and expected date) and the glosas
-- awaiting a recurso whose deadline is near (per deadline, at the end).
--
-- The aging (rel_aging_tabela: the reports panel and the inadimplência
-- report) read every open lote (sent and not fully paid, or with money
-- recovered by a recurso) with its lote_saldo row, fatura and expected date:
-- lotes 'pago_parcial' stay open for good, so the cost grew with the history
-- (15.0 M of the panel's 17.4 M instructions at a million guias, 432 open
-- lotes). The buckets depend on today's date, so they cannot be kept as
-- such; what can is the open balance per (operadora, expected date): the
-- report sums those rows into buckets when it runs, a cost bounded by the
-- distinct expected dates, not by the lotes. Two tables, kept by triggers in
-- the same transaction as every write that changes them:
--
--   aging_lote  one row per lote: its operadora, its expected date (previsao:
--               the fatura's previsao_pagamento, else the lote's) and what it
--               adds to the aging (saldo: max(0, esperado + recuperavel −
--               recebido) of its lote_saldo row while the lote is open
--               (status enviado, protocolado, processado or pago_parcial, or
--               recovered glosas) and has guias not cancelled; else 0).
--   aging_dia   per operadora and expected date (sem_previsao = 1 and
--               previsao = '' when there is none): how many lotes with a
--               positive saldo and the sum of their saldo.
--
-- Writes that move them: a lote (new, deleted; status, previsao_pagamento or
-- operadora changed), its lote_saldo row (guias, esperado, recuperavel,
-- recebido, recuperadas; deleted and inserted again by `relatorio
-- recontar`), fatura_lote (a lote joining, leaving or changing fatura) and a
-- fatura's previsao_pagamento. Each refreshes the lote's aging_lote row; the
-- triggers of aging_lote carry the differences into aging_dia. No statement
-- uses a constant IN list or an INSERT ... SELECT into a table with triggers
-- (no ephemeral b-tree; see 080_painel_sem_in.sql).
-- fat_relatorio_recontar rebuilds both tables; `faturo verificar`
-- (aging_lote_recontado, aging_dia_recontado) compares them with a recount
-- (FAT_AGING_LOTE_RECONTAGEM, FAT_AGING_DIA_RECONTAGEM in fat_relatorio.h).

CREATE TABLE aging_lote (
  lote_id      INTEGER PRIMARY KEY,
  operadora_id INTEGER NOT NULL,
  previsao     TEXT,
  saldo        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE aging_dia (
  operadora_id INTEGER NOT NULL,
  sem_previsao INTEGER NOT NULL,
  previsao     TEXT NOT NULL,
  lotes        INTEGER NOT NULL DEFAULT 0,
  saldo        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (operadora_id, sem_previsao, previsao)
) WITHOUT ROWID;

-- ---- a lote's contribution follows its aging_lote row ----

CREATE TRIGGER aging_lote_entrou AFTER INSERT ON aging_lote
WHEN NEW.saldo > 0
BEGIN
  INSERT INTO aging_dia (operadora_id, sem_previsao, previsao, lotes, saldo)
  VALUES (NEW.operadora_id, NEW.previsao IS NULL, coalesce(NEW.previsao, ''), 1, NEW.saldo)
  ON CONFLICT (operadora_id, sem_previsao, previsao) DO UPDATE SET
    lotes = lotes + 1, saldo = saldo + excluded.saldo;
END;

CREATE TRIGGER aging_lote_saiu AFTER DELETE ON aging_lote
WHEN OLD.saldo > 0
BEGIN
  UPDATE aging_dia SET lotes = lotes - 1, saldo = saldo - OLD.saldo
  WHERE operadora_id = OLD.operadora_id AND sem_previsao = (OLD.previsao IS NULL)
    AND previsao = coalesce(OLD.previsao, '');
END;

CREATE TRIGGER aging_lote_mudou_saiu AFTER UPDATE ON aging_lote
WHEN OLD.saldo > 0 AND (NEW.saldo IS NOT OLD.saldo OR NEW.previsao IS NOT OLD.previsao
  OR NEW.operadora_id IS NOT OLD.operadora_id)
BEGIN
  UPDATE aging_dia SET lotes = lotes - 1, saldo = saldo - OLD.saldo
  WHERE operadora_id = OLD.operadora_id AND sem_previsao = (OLD.previsao IS NULL)
    AND previsao = coalesce(OLD.previsao, '');
END;

CREATE TRIGGER aging_lote_mudou_entrou AFTER UPDATE ON aging_lote
WHEN NEW.saldo > 0 AND (NEW.saldo IS NOT OLD.saldo OR NEW.previsao IS NOT OLD.previsao
  OR NEW.operadora_id IS NOT OLD.operadora_id)
BEGIN
  INSERT INTO aging_dia (operadora_id, sem_previsao, previsao, lotes, saldo)
  VALUES (NEW.operadora_id, NEW.previsao IS NULL, coalesce(NEW.previsao, ''), 1, NEW.saldo)
  ON CONFLICT (operadora_id, sem_previsao, previsao) DO UPDATE SET
    lotes = lotes + 1, saldo = saldo + excluded.saldo;
END;

-- ---- the backfill: every lote (the triggers above fill aging_dia) ----

INSERT INTO aging_lote (lote_id, operadora_id, previsao, saldo)
SELECT l.id, l.operadora_id,
       coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl JOIN fatura f
                  ON f.id = fl.fatura_id WHERE fl.lote_id = l.id), l.previsao_pagamento),
       coalesce((SELECT CASE WHEN s.guias > 0 AND (l.status = 'enviado'
                   OR l.status = 'protocolado' OR l.status = 'processado'
                   OR l.status = 'pago_parcial' OR s.recuperadas > 0)
                 THEN max(0, s.esperado + s.recuperavel - s.recebido) ELSE 0 END
                 FROM lote_saldo s WHERE s.lote_id = l.id), 0)
  FROM lote l;

-- ---- the writes that refresh a lote's row ----
-- The row of lote X is refreshed from the lote, its fatura and its
-- lote_saldo row as they are after the write (all three read by primary or
-- unique key). Whichever of a new lote's triggers runs first (this one, or
-- 092's that gives it its lote_saldo row), the row ends with the same values.

CREATE TRIGGER aging_lote_lote_novo AFTER INSERT ON lote
BEGIN
  INSERT INTO aging_lote (lote_id, operadora_id, previsao, saldo)
  VALUES (NEW.id, NEW.operadora_id,
          coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl JOIN fatura f
                     ON f.id = fl.fatura_id WHERE fl.lote_id = NEW.id), NEW.previsao_pagamento),
          coalesce((SELECT CASE WHEN s.guias > 0 AND (NEW.status = 'enviado'
                      OR NEW.status = 'protocolado' OR NEW.status = 'processado'
                      OR NEW.status = 'pago_parcial' OR s.recuperadas > 0)
                    THEN max(0, s.esperado + s.recuperavel - s.recebido) ELSE 0 END
                    FROM lote_saldo s WHERE s.lote_id = NEW.id), 0))
  ON CONFLICT (lote_id) DO UPDATE SET operadora_id = excluded.operadora_id,
    previsao = excluded.previsao, saldo = excluded.saldo;
END;

CREATE TRIGGER aging_lote_lote_mudou
AFTER UPDATE OF status, previsao_pagamento, operadora_id ON lote
WHEN NEW.status IS NOT OLD.status OR NEW.previsao_pagamento IS NOT OLD.previsao_pagamento
  OR NEW.operadora_id IS NOT OLD.operadora_id
BEGIN
  UPDATE aging_lote SET operadora_id = NEW.operadora_id,
    previsao = coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl JOIN fatura f
                          ON f.id = fl.fatura_id WHERE fl.lote_id = NEW.id),
                        NEW.previsao_pagamento),
    saldo = coalesce((SELECT CASE WHEN s.guias > 0 AND (NEW.status = 'enviado'
                        OR NEW.status = 'protocolado' OR NEW.status = 'processado'
                        OR NEW.status = 'pago_parcial' OR s.recuperadas > 0)
                      THEN max(0, s.esperado + s.recuperavel - s.recebido) ELSE 0 END
                      FROM lote_saldo s WHERE s.lote_id = NEW.id), 0)
  WHERE lote_id = NEW.id;
END;

CREATE TRIGGER aging_lote_lote_apagado AFTER DELETE ON lote
BEGIN
  DELETE FROM aging_lote WHERE lote_id = OLD.id;
END;

-- the lote's balance (its lote_saldo row: changed, or deleted and inserted
-- again by `relatorio recontar`)
CREATE TRIGGER aging_lote_saldo_mudou
AFTER UPDATE OF guias, esperado, recuperavel, recebido, recuperadas, lote_id ON lote_saldo
WHEN NEW.guias IS NOT OLD.guias OR NEW.esperado IS NOT OLD.esperado
  OR NEW.recuperavel IS NOT OLD.recuperavel OR NEW.recebido IS NOT OLD.recebido
  OR NEW.recuperadas IS NOT OLD.recuperadas OR NEW.lote_id IS NOT OLD.lote_id
BEGIN
  UPDATE aging_lote SET saldo = coalesce((SELECT CASE WHEN NEW.guias > 0
      AND (l.status = 'enviado' OR l.status = 'protocolado' OR l.status = 'processado'
        OR l.status = 'pago_parcial' OR NEW.recuperadas > 0)
      THEN max(0, NEW.esperado + NEW.recuperavel - NEW.recebido) ELSE 0 END
      FROM lote l WHERE l.id = NEW.lote_id), 0)
  WHERE lote_id = NEW.lote_id;
  -- the row moved to another lote (never done by faturo; kept exact)
  UPDATE aging_lote SET saldo = 0
  WHERE lote_id = OLD.lote_id AND OLD.lote_id IS NOT NEW.lote_id;
END;

CREATE TRIGGER aging_lote_saldo_novo AFTER INSERT ON lote_saldo
BEGIN
  UPDATE aging_lote SET saldo = coalesce((SELECT CASE WHEN NEW.guias > 0
      AND (l.status = 'enviado' OR l.status = 'protocolado' OR l.status = 'processado'
        OR l.status = 'pago_parcial' OR NEW.recuperadas > 0)
      THEN max(0, NEW.esperado + NEW.recuperavel - NEW.recebido) ELSE 0 END
      FROM lote l WHERE l.id = NEW.lote_id), 0)
  WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER aging_lote_saldo_apagado AFTER DELETE ON lote_saldo
BEGIN
  UPDATE aging_lote SET saldo = 0 WHERE lote_id = OLD.lote_id;
END;

-- a lote joining, leaving or changing fatura; a fatura's expected date
CREATE TRIGGER aging_lote_fatura_novo AFTER INSERT ON fatura_lote
BEGIN
  UPDATE aging_lote SET previsao = coalesce((SELECT f.previsao_pagamento FROM fatura f
      WHERE f.id = NEW.fatura_id), (SELECT l.previsao_pagamento FROM lote l
      WHERE l.id = NEW.lote_id))
  WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER aging_lote_fatura_apagado AFTER DELETE ON fatura_lote
BEGIN
  UPDATE aging_lote SET previsao = coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl
      JOIN fatura f ON f.id = fl.fatura_id WHERE fl.lote_id = OLD.lote_id),
      (SELECT l.previsao_pagamento FROM lote l WHERE l.id = OLD.lote_id))
  WHERE lote_id = OLD.lote_id;
END;

CREATE TRIGGER aging_lote_fatura_mudou AFTER UPDATE ON fatura_lote
BEGIN
  UPDATE aging_lote SET previsao = coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl
      JOIN fatura f ON f.id = fl.fatura_id WHERE fl.lote_id = OLD.lote_id),
      (SELECT l.previsao_pagamento FROM lote l WHERE l.id = OLD.lote_id))
  WHERE lote_id = OLD.lote_id;
  UPDATE aging_lote SET previsao = coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl
      JOIN fatura f ON f.id = fl.fatura_id WHERE fl.lote_id = NEW.lote_id),
      (SELECT l.previsao_pagamento FROM lote l WHERE l.id = NEW.lote_id))
  WHERE lote_id = NEW.lote_id AND NEW.lote_id IS NOT OLD.lote_id;
END;

-- each lote of the fatura, walked through fatura_lote's primary key (no IN
-- list: an UPDATE ... FROM joins the fatura's rows to aging_lote by its key)
CREATE TRIGGER aging_lote_fatura_previsao AFTER UPDATE OF previsao_pagamento ON fatura
WHEN NEW.previsao_pagamento IS NOT OLD.previsao_pagamento
BEGIN
  UPDATE aging_lote SET previsao = coalesce(NEW.previsao_pagamento,
      (SELECT l.previsao_pagamento FROM lote l WHERE l.id = aging_lote.lote_id))
  FROM fatura_lote fl WHERE fl.fatura_id = NEW.id AND aging_lote.lote_id = fl.lote_id;
END;

-- ---- the glosas awaiting a recurso, per deadline ----
-- The dashboard (fat_relatorio_painel, /api/painel) counted the open glosas
-- that may still be appealed with a deadline in the next 10 days and after
-- today by walking the partial index glosa_aguardando_prazo (migration 027):
-- 13,376 entries at a million guias (8.4 M instructions per dashboard, 1.1 M
-- at 3k). glosa_prazo_dia keeps, per deadline, how many glosas the index
-- holds (situacao 'aberta', classificacao not 'devida', a deadline); the
-- dashboard sums the days of the range, a cost bounded by the distinct
-- deadlines. Kept by the triggers below on every write of a glosa's
-- situacao, classificacao or deadline; fat_relatorio_recontar rebuilds it
-- and `faturo verificar` (glosa_prazo_dia_recontado) compares it with a
-- recount (FAT_GLOSA_PRAZO_DIA_RECONTAGEM in fat_relatorio.h).

CREATE TABLE glosa_prazo_dia (
  prazo_recurso TEXT PRIMARY KEY,
  glosas        INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO glosa_prazo_dia (prazo_recurso, glosas)
SELECT prazo_recurso, count(*) FROM glosa
 WHERE situacao = 'aberta' AND classificacao <> 'devida' AND prazo_recurso IS NOT NULL
 GROUP BY prazo_recurso;

CREATE TRIGGER glosa_prazo_dia_nova AFTER INSERT ON glosa
WHEN NEW.situacao = 'aberta' AND NEW.classificacao <> 'devida' AND NEW.prazo_recurso IS NOT NULL
BEGIN
  INSERT INTO glosa_prazo_dia (prazo_recurso, glosas) VALUES (NEW.prazo_recurso, 1)
  ON CONFLICT (prazo_recurso) DO UPDATE SET glosas = glosas + 1;
END;

CREATE TRIGGER glosa_prazo_dia_apagada AFTER DELETE ON glosa
WHEN OLD.situacao = 'aberta' AND OLD.classificacao <> 'devida' AND OLD.prazo_recurso IS NOT NULL
BEGIN
  UPDATE glosa_prazo_dia SET glosas = glosas - 1 WHERE prazo_recurso = OLD.prazo_recurso;
END;

CREATE TRIGGER glosa_prazo_dia_saiu AFTER UPDATE OF situacao, classificacao, prazo_recurso ON glosa
WHEN OLD.situacao = 'aberta' AND OLD.classificacao <> 'devida' AND OLD.prazo_recurso IS NOT NULL
  AND (NEW.situacao IS NOT OLD.situacao OR NEW.classificacao IS NOT OLD.classificacao
    OR NEW.prazo_recurso IS NOT OLD.prazo_recurso)
BEGIN
  UPDATE glosa_prazo_dia SET glosas = glosas - 1 WHERE prazo_recurso = OLD.prazo_recurso;
END;

CREATE TRIGGER glosa_prazo_dia_entrou AFTER UPDATE OF situacao, classificacao, prazo_recurso ON glosa
WHEN NEW.situacao = 'aberta' AND NEW.classificacao <> 'devida' AND NEW.prazo_recurso IS NOT NULL
  AND (NEW.situacao IS NOT OLD.situacao OR NEW.classificacao IS NOT OLD.classificacao
    OR NEW.prazo_recurso IS NOT OLD.prazo_recurso)
BEGIN
  INSERT INTO glosa_prazo_dia (prazo_recurso, glosas) VALUES (NEW.prazo_recurso, 1)
  ON CONFLICT (prazo_recurso) DO UPDATE SET glosas = glosas + 1;
END;
