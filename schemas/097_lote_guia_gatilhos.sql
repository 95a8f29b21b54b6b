-- faturo schema, migration 097 (Part M): the guia triggers that `lote fechar`
-- fires for every guia it puts into a lote (status conferida -> em_lote,
-- lote_id NULL -> the lote), each with a fast path for the common case.
--
-- 1. lote_saldo_guia_mudou (migration 092) took the guia's whole part out of
--    its old lote and put it into the new one with two UPDATEs of seven
--    subqueries each (the latest valor liberado, four sums over glosa, one
--    join of glosa and recurso_item, the receipts). A guia that enters its
--    first lote has no demonstrativo line, no glosa and no receipt: all but
--    `guias` and `esperado` add 0, and the subqueries still ran, each with
--    its cursor. Now the part is split in two triggers with the same WHEN
--    as before (every counter is a sum, so the parts add up to the whole and
--    the order in which SQLite fires them does not matter):
--    - lote_saldo_guia_mudou: the part of a guia with no history: guias
--      (not cancelled) and esperado = valor_total (not cancelled);
--    - lote_saldo_guia_historia: only when the guia has a glosa, a receipt
--      or a demonstrativo line (three index probes in its WHEN): the rest,
--      the same subqueries as 092 (esperado: the latest valor liberado minus
--      the valor_total already counted).
--    Without such rows the second part is 0 in every counter (coalesce of
--    no valor liberado is valor_total; the sums over no rows are 0), so the
--    counters are the same as 092's. The WHEN looks at OLD.id and, when the
--    id changed too, at NEW.id.
--
-- 2. painel_guia_situacao (migration 086) ran two UPDATEs of the operadora's
--    painel_operadora row (take the old status out, put the new one in).
--    When the operadora does not change (lote fechar, conferir) the row is the
--    same: one UPDATE with both differences (guias: -1 + 1, left alone), and
--    guia_aberto is read only for the side whose status is a faturar. A
--    change of operadora keeps the two UPDATEs of 086
--    (painel_guia_operadora). The WHEN clauses do not overlap.
--
-- 3. Every trigger listed for the columns an UPDATE sets is entered for each
--    row, its WHEN evaluated inside it (a frame of registers set up per row).
--    painel_guia_mudou (086) acts only when revisao changes, which needs
--    revisao among the columns set: it now fires on UPDATE OF revisao only;
--    painel_guia_operadora likewise on UPDATE OF operadora_id. Neither is
--    entered any more by lote fechar's UPDATE (status, lote_id).
--
-- 4. lote_enviado_guias (005), the guard that keeps a guia in its sent lote,
--    was a BEFORE trigger: with one, SQLite seeks and reads the whole guia row
--    again after the trigger for every row updated. As an AFTER trigger its
--    RAISE(ABORT) undoes the statement the same way (every row it changed
--    and what its triggers wrote), with the same message; its WHEN reads the
--    old lote's status, which no trigger on guia changes.
--
-- Measured with the sqlite3 shell on the 10k demo (one UPDATE putting the
-- 7,010 ready guias into a lote, callgrind): 776 M instructions before, 601 M
-- with this migration. e2e.m_lote_gatilhos (counters = recount after the fast
-- and the slow path), e2e.m_lote_saldo, e2e.relatorio and `faturo verificar`
-- (lote_saldo_recontado) are the judges.

DROP TRIGGER lote_saldo_guia_mudou;

CREATE TRIGGER lote_saldo_guia_mudou AFTER UPDATE OF lote_id, status, valor_total ON guia
WHEN (NEW.lote_id IS NOT NULL OR OLD.lote_id IS NOT NULL)
  AND (NEW.lote_id IS NOT OLD.lote_id OR NEW.valor_total IS NOT OLD.valor_total
       OR (NEW.status = 'cancelada') IS NOT (OLD.status = 'cancelada'))
BEGIN
  UPDATE lote_saldo SET
    guias = guias - (OLD.status <> 'cancelada'),
    esperado = esperado - CASE WHEN OLD.status <> 'cancelada' THEN OLD.valor_total ELSE 0 END
  WHERE lote_id = OLD.lote_id;
  UPDATE lote_saldo SET
    guias = guias + (NEW.status <> 'cancelada'),
    esperado = esperado + CASE WHEN NEW.status <> 'cancelada' THEN NEW.valor_total ELSE 0 END
  WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER lote_saldo_guia_historia AFTER UPDATE OF lote_id, status, valor_total ON guia
WHEN (NEW.lote_id IS NOT NULL OR OLD.lote_id IS NOT NULL)
  AND (NEW.lote_id IS NOT OLD.lote_id OR NEW.valor_total IS NOT OLD.valor_total
       OR (NEW.status = 'cancelada') IS NOT (OLD.status = 'cancelada'))
  AND (EXISTS (SELECT 1 FROM glosa gl WHERE gl.guia_id = OLD.id)
       OR EXISTS (SELECT 1 FROM recebimento_guia x WHERE x.guia_id = OLD.id)
       OR EXISTS (SELECT 1 FROM retorno_guia r WHERE r.guia_id = OLD.id)
       OR (NEW.id IS NOT OLD.id
           AND (EXISTS (SELECT 1 FROM glosa gl WHERE gl.guia_id = NEW.id)
                OR EXISTS (SELECT 1 FROM recebimento_guia x WHERE x.guia_id = NEW.id)
                OR EXISTS (SELECT 1 FROM retorno_guia r WHERE r.guia_id = NEW.id))))
BEGIN
  UPDATE lote_saldo SET
    esperado = esperado - CASE WHEN OLD.status <> 'cancelada' THEN coalesce((SELECT r.valor_liberado FROM retorno_guia r WHERE r.guia_id = OLD.id AND r.valor_liberado IS NOT NULL ORDER BY r.id DESC LIMIT 1), OLD.valor_total) - OLD.valor_total ELSE 0 END,
    recuperavel = recuperavel - CASE WHEN OLD.status <> 'cancelada' THEN (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = OLD.id) ELSE 0 END,
    recebido = recebido - CASE WHEN OLD.status <> 'cancelada' THEN (SELECT coalesce(sum(x.valor), 0) FROM recebimento_guia x WHERE x.guia_id = OLD.id) ELSE 0 END,
    deferido = deferido - (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = OLD.id),
    recursado = recursado - (SELECT coalesce(sum(ri.valor_recursado), 0) FROM glosa gl JOIN recurso_item ri ON ri.glosa_id = gl.id WHERE gl.guia_id = OLD.id),
    recuperadas = recuperadas - (SELECT count(*) FROM glosa gl WHERE gl.guia_id = OLD.id AND (gl.situacao = 'recuperada' OR gl.situacao = 'recuperada_parcial'))
  WHERE lote_id = OLD.lote_id;
  UPDATE lote_saldo SET
    esperado = esperado + CASE WHEN NEW.status <> 'cancelada' THEN coalesce((SELECT r.valor_liberado FROM retorno_guia r WHERE r.guia_id = NEW.id AND r.valor_liberado IS NOT NULL ORDER BY r.id DESC LIMIT 1), NEW.valor_total) - NEW.valor_total ELSE 0 END,
    recuperavel = recuperavel + CASE WHEN NEW.status <> 'cancelada' THEN (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = NEW.id) ELSE 0 END,
    recebido = recebido + CASE WHEN NEW.status <> 'cancelada' THEN (SELECT coalesce(sum(x.valor), 0) FROM recebimento_guia x WHERE x.guia_id = NEW.id) ELSE 0 END,
    deferido = deferido + (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = NEW.id),
    recursado = recursado + (SELECT coalesce(sum(ri.valor_recursado), 0) FROM glosa gl JOIN recurso_item ri ON ri.glosa_id = gl.id WHERE gl.guia_id = NEW.id),
    recuperadas = recuperadas + (SELECT count(*) FROM glosa gl WHERE gl.guia_id = NEW.id AND (gl.situacao = 'recuperada' OR gl.situacao = 'recuperada_parcial'))
  WHERE lote_id = NEW.lote_id;
END;

DROP TRIGGER painel_guia_situacao;

CREATE TRIGGER painel_guia_situacao
AFTER UPDATE OF status, valor_total, operadora_id ON guia
WHEN NEW.revisao IS OLD.revisao AND NEW.operadora_id IS OLD.operadora_id
  AND (NEW.status IS NOT OLD.status OR NEW.valor_total IS NOT OLD.valor_total)
BEGIN
  UPDATE painel_operadora SET
    guias_a_faturar = guias_a_faturar
      - ((OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente'))
      + ((NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')),
    valor_a_faturar = valor_a_faturar
      - CASE WHEN (OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente') THEN OLD.valor_total ELSE 0 END
      + CASE WHEN (NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente') THEN NEW.valor_total ELSE 0 END,
    guias_com_bloqueio = guias_com_bloqueio
      - CASE WHEN (OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente')
        THEN coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = OLD.id), 0) > 0 ELSE 0 END
      + CASE WHEN (NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')
        THEN coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = NEW.id), 0) > 0 ELSE 0 END,
    valor_em_risco = valor_em_risco
      - CASE WHEN (OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente')
        THEN coalesce((SELECT risco_bloqueio FROM guia_aberto WHERE guia_id = OLD.id), 0) ELSE 0 END
      + CASE WHEN (NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')
        THEN coalesce((SELECT risco_bloqueio FROM guia_aberto WHERE guia_id = NEW.id), 0) ELSE 0 END
  WHERE operadora_id = NEW.operadora_id;
END;

CREATE TRIGGER painel_guia_operadora
AFTER UPDATE OF operadora_id ON guia
WHEN NEW.revisao IS OLD.revisao AND NEW.operadora_id IS NOT OLD.operadora_id
BEGIN
  UPDATE painel_operadora SET
    guias = guias - 1,
    guias_a_faturar = guias_a_faturar - ((OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente')),
    valor_a_faturar = valor_a_faturar
      - CASE WHEN (OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente') THEN OLD.valor_total ELSE 0 END,
    guias_com_bloqueio = guias_com_bloqueio
      - ((OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente')
         AND coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = OLD.id), 0) > 0),
    valor_em_risco = valor_em_risco
      - CASE WHEN (OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente')
        THEN coalesce((SELECT risco_bloqueio FROM guia_aberto WHERE guia_id = OLD.id), 0)
        ELSE 0 END
  WHERE operadora_id = OLD.operadora_id;
  UPDATE painel_operadora SET
    guias = guias + 1,
    guias_a_faturar = guias_a_faturar + ((NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')),
    valor_a_faturar = valor_a_faturar
      + CASE WHEN (NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente') THEN NEW.valor_total ELSE 0 END,
    guias_com_bloqueio = guias_com_bloqueio
      + ((NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')
         AND coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = NEW.id), 0) > 0),
    valor_em_risco = valor_em_risco
      + CASE WHEN (NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')
        THEN coalesce((SELECT risco_bloqueio FROM guia_aberto WHERE guia_id = NEW.id), 0)
        ELSE 0 END
  WHERE operadora_id = NEW.operadora_id;
END;

-- (3) the body of 086, unchanged
DROP TRIGGER painel_guia_mudou;
CREATE TRIGGER painel_guia_mudou
AFTER UPDATE OF revisao ON guia
WHEN NEW.revisao IS NOT OLD.revisao
BEGIN
  UPDATE painel_operadora SET
    guias = guias - 1,
    guias_a_faturar = guias_a_faturar - ((OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente')),
    valor_a_faturar = valor_a_faturar
      - CASE WHEN (OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente') THEN OLD.valor_total ELSE 0 END,
    guias_com_bloqueio = guias_com_bloqueio
      - ((OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente')
         AND coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = OLD.id), 0) > 0),
    valor_em_risco = valor_em_risco
      - CASE WHEN (OLD.status = 'digitada' OR OLD.status = 'conferida' OR OLD.status = 'pendente')
        THEN coalesce((SELECT risco_bloqueio FROM guia_aberto WHERE guia_id = OLD.id), 0)
        ELSE 0 END
  WHERE operadora_id = OLD.operadora_id
    AND (NEW.status IS NOT OLD.status OR NEW.valor_total IS NOT OLD.valor_total
         OR NEW.operadora_id IS NOT OLD.operadora_id);
  UPDATE painel_operadora SET
    guias = guias + 1,
    guias_a_faturar = guias_a_faturar + ((NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')),
    valor_a_faturar = valor_a_faturar
      + CASE WHEN (NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente') THEN NEW.valor_total ELSE 0 END,
    guias_com_bloqueio = guias_com_bloqueio
      + ((NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')
         AND coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = NEW.id), 0) > 0),
    valor_em_risco = valor_em_risco
      + CASE WHEN (NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')
        THEN coalesce((SELECT risco_bloqueio FROM guia_aberto WHERE guia_id = NEW.id), 0)
        ELSE 0 END
  WHERE operadora_id = NEW.operadora_id
    AND (NEW.status IS NOT OLD.status OR NEW.valor_total IS NOT OLD.valor_total
         OR NEW.operadora_id IS NOT OLD.operadora_id);
  -- a new revision: the open findings are those of the new revision
  UPDATE guia_aberto SET bloqueios = 0, alertas = 0, risco_bloqueio = 0, valor_risco = 0
  WHERE guia_id = NEW.id AND NEW.revisao IS NOT OLD.revisao;
  INSERT INTO guia_aberto (guia_id, bloqueios, alertas, risco_bloqueio, valor_risco)
  SELECT NEW.id, sum(a.severidade = 'bloqueio'), sum(a.severidade = 'alerta'),
         sum(CASE WHEN a.severidade = 'bloqueio' THEN a.valor_risco ELSE 0 END),
         sum(a.valor_risco)
    FROM achado a
   WHERE NEW.revisao IS NOT OLD.revisao AND a.guia_id = NEW.id
     AND a.guia_revisao = NEW.revisao AND a.reconhecido_em IS NULL
   GROUP BY a.guia_id
  ON CONFLICT (guia_id) DO UPDATE SET
    bloqueios = excluded.bloqueios, alertas = excluded.alertas,
    risco_bloqueio = excluded.risco_bloqueio, valor_risco = excluded.valor_risco;
END;

-- (4) the guard of 005, after the row instead of before it
DROP TRIGGER lote_enviado_guias;

CREATE TRIGGER lote_enviado_guias
AFTER UPDATE OF lote_id ON guia
WHEN OLD.lote_id IS NOT NULL AND NEW.lote_id IS NOT OLD.lote_id
 AND (SELECT status FROM lote WHERE id = OLD.lote_id) NOT IN ('aberto', 'fechado')
BEGIN
  SELECT RAISE(ABORT, 'guia de lote já enviado não pode sair do lote');
END;
