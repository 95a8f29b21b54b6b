-- faturo schema, migration 080 (Part M): the panel's counter triggers of
-- migration 027 without constant IN lists.
--
-- SQLite evaluates `x IN ('a', 'b', 'c')` (three or more constants) by
-- building an ephemeral b-tree each time the statement runs; inside a
-- trigger that is once per row written. conferir writes a guia's status and
-- its findings per guia, so every guia opened and freed a few of those
-- b-trees, and freeing their page caches made glibc trim the heap (brk) per
-- guia. The same tests written as equalities joined by OR cost nothing.
-- The triggers are dropped and created again with the same bodies
-- otherwise; what they count is unchanged (see 027_relatorio.sql).

DROP TRIGGER IF EXISTS painel_guia_nova;
DROP TRIGGER IF EXISTS painel_guia_apagar;
DROP TRIGGER IF EXISTS painel_guia_mudou;
DROP TRIGGER IF EXISTS painel_aberto_novo;
DROP TRIGGER IF EXISTS painel_aberto_mudou;
DROP TRIGGER IF EXISTS painel_aberto_apagado;
DROP TRIGGER IF EXISTS painel_lote_novo;

CREATE TRIGGER painel_guia_nova AFTER INSERT ON guia
BEGIN
  UPDATE painel_operadora SET
    guias = guias + 1,
    guias_a_faturar = guias_a_faturar + ((NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente')),
    valor_a_faturar = valor_a_faturar
      + CASE WHEN (NEW.status = 'digitada' OR NEW.status = 'conferida' OR NEW.status = 'pendente') THEN NEW.valor_total ELSE 0 END
  WHERE operadora_id = NEW.operadora_id;
END;

CREATE TRIGGER painel_guia_apagar BEFORE DELETE ON guia
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
END;

CREATE TRIGGER painel_guia_mudou
AFTER UPDATE OF status, valor_total, operadora_id, revisao ON guia
WHEN NEW.status IS NOT OLD.status OR NEW.valor_total IS NOT OLD.valor_total
  OR NEW.operadora_id IS NOT OLD.operadora_id OR NEW.revisao IS NOT OLD.revisao
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

CREATE TRIGGER painel_aberto_novo AFTER INSERT ON guia_aberto
WHEN NEW.bloqueios > 0 OR NEW.risco_bloqueio <> 0
BEGIN
  UPDATE painel_operadora SET
    guias_com_bloqueio = guias_com_bloqueio + (NEW.bloqueios > 0),
    valor_em_risco = valor_em_risco + NEW.risco_bloqueio
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = NEW.guia_id
                          AND (status = 'digitada' OR status = 'conferida' OR status = 'pendente'));
END;

CREATE TRIGGER painel_aberto_mudou AFTER UPDATE OF bloqueios, risco_bloqueio ON guia_aberto
WHEN (NEW.bloqueios > 0) <> (OLD.bloqueios > 0) OR NEW.risco_bloqueio <> OLD.risco_bloqueio
BEGIN
  UPDATE painel_operadora SET
    guias_com_bloqueio = guias_com_bloqueio - (OLD.bloqueios > 0) + (NEW.bloqueios > 0),
    valor_em_risco = valor_em_risco - OLD.risco_bloqueio + NEW.risco_bloqueio
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = NEW.guia_id
                          AND (status = 'digitada' OR status = 'conferida' OR status = 'pendente'));
END;

CREATE TRIGGER painel_aberto_apagado AFTER DELETE ON guia_aberto
WHEN OLD.bloqueios > 0 OR OLD.risco_bloqueio <> 0
BEGIN
  UPDATE painel_operadora SET
    guias_com_bloqueio = guias_com_bloqueio - (OLD.bloqueios > 0),
    valor_em_risco = valor_em_risco - OLD.risco_bloqueio
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = OLD.guia_id
                          AND (status = 'digitada' OR status = 'conferida' OR status = 'pendente'));
END;

CREATE TRIGGER painel_lote_novo AFTER INSERT ON lote
WHEN (NEW.status = 'fechado' OR NEW.status = 'enviado' OR NEW.status = 'protocolado')
BEGIN
  UPDATE painel_operadora SET
    lotes_fechados = lotes_fechados + (NEW.status = 'fechado'),
    lotes_aguardando = lotes_aguardando + (NEW.status IN ('enviado', 'protocolado'))
  WHERE operadora_id = NEW.operadora_id;
END;
