-- faturo schema, migration 027 (Part K): what listings and the panel read.
--
-- Every listing pages by keyset (the last row of a page is the cursor of the
-- next one) over one of the indexes below, never by OFFSET, and the panel reads
-- counters instead of aggregating findings, glosas and lotes per request. The
-- counters are kept by the triggers at the end of this file, so they change in
-- the same transaction as the write that moves them, whoever writes
-- (engine modules, the demo, an import). fat_relatorio_recontar() rebuilds
-- them from scratch with the definitions written in the comments below.

-- ---------------------------------------------------------------- indexes
-- Listings go newest first (id descending): each index below ends, as every
-- SQLite index does, with the rowid, so "filter = ? AND id < cursor" is one
-- seek followed by an ordered walk.
CREATE INDEX guia_status ON guia(status);
CREATE INDEX guia_competencia ON guia(competencia);
CREATE INDEX guia_operadora ON guia(operadora_id);
CREATE INDEX guia_numero ON guia(numero_prestador);
CREATE INDEX lote_status ON lote(status);
CREATE INDEX lote_competencia ON lote(competencia);
CREATE INDEX lote_status_prazo ON lote(status, prazo_envio);
CREATE INDEX glosa_situacao ON glosa(situacao);
-- open glosas that may still be appealed, by deadline (panel: deadlines)
CREATE INDEX glosa_aguardando_prazo ON glosa(prazo_recurso)
  WHERE situacao = 'aberta' AND classificacao <> 'devida';
CREATE INDEX recurso_status ON recurso(status);
CREATE INDEX recurso_operadora ON recurso(operadora_id);
CREATE INDEX recurso_item_recurso ON recurso_item(recurso_id);

-- ------------------------------------------------------- open findings
-- One row per guia that has (or had) findings: the findings of its current
-- revision (achado.guia_revisao = guia.revisao) not yet acknowledged
-- (reconhecido_em IS NULL).
CREATE TABLE guia_aberto (
  guia_id        INTEGER PRIMARY KEY,
  bloqueios      INTEGER NOT NULL DEFAULT 0,
  alertas        INTEGER NOT NULL DEFAULT 0,
  risco_bloqueio INTEGER NOT NULL DEFAULT 0,   -- valor_risco of the open bloqueios
  valor_risco    INTEGER NOT NULL DEFAULT 0    -- valor_risco of every open finding
);
CREATE INDEX guia_aberto_bloqueio ON guia_aberto(guia_id) WHERE bloqueios > 0;

-- ---------------------------------------------------- panel counters
-- One row per operadora. "A faturar" = guia.status digitada, conferida or
-- pendente. "Aguardando recurso" = glosa.situacao 'aberta' and classificacao
-- other than 'devida'.
CREATE TABLE painel_operadora (
  operadora_id               INTEGER PRIMARY KEY,
  guias                      INTEGER NOT NULL DEFAULT 0,  -- every guia
  guias_a_faturar            INTEGER NOT NULL DEFAULT 0,
  valor_a_faturar            INTEGER NOT NULL DEFAULT 0,  -- their valor_total
  guias_com_bloqueio         INTEGER NOT NULL DEFAULT 0,  -- a faturar with an open bloqueio
  valor_em_risco             INTEGER NOT NULL DEFAULT 0,  -- a faturar: risco_bloqueio
  valor_glosado              INTEGER NOT NULL DEFAULT 0,  -- every glosa
  glosas_aguardando          INTEGER NOT NULL DEFAULT 0,
  valor_glosas_aguardando    INTEGER NOT NULL DEFAULT 0,
  glosas_aguardando_sem_prazo INTEGER NOT NULL DEFAULT 0, -- ... without prazo_recurso
  lotes_fechados             INTEGER NOT NULL DEFAULT 0,  -- status 'fechado'
  lotes_aguardando           INTEGER NOT NULL DEFAULT 0   -- 'enviado' or 'protocolado'
);

-- ------------------------------------------------------------ backfill
INSERT INTO guia_aberto (guia_id, bloqueios, alertas, risco_bloqueio, valor_risco)
SELECT a.guia_id, sum(a.severidade = 'bloqueio'), sum(a.severidade = 'alerta'),
       sum(CASE WHEN a.severidade = 'bloqueio' THEN a.valor_risco ELSE 0 END),
       sum(a.valor_risco)
  FROM achado a JOIN guia g ON g.id = a.guia_id
 WHERE a.guia_revisao = g.revisao AND a.reconhecido_em IS NULL
 GROUP BY a.guia_id;

INSERT INTO painel_operadora (operadora_id) SELECT id FROM operadora;
UPDATE painel_operadora SET
  guias = (SELECT count(*) FROM guia g WHERE g.operadora_id = painel_operadora.operadora_id),
  guias_a_faturar = (SELECT count(*) FROM guia g
    WHERE g.operadora_id = painel_operadora.operadora_id
      AND g.status IN ('digitada', 'conferida', 'pendente')),
  valor_a_faturar = (SELECT coalesce(sum(g.valor_total), 0) FROM guia g
    WHERE g.operadora_id = painel_operadora.operadora_id
      AND g.status IN ('digitada', 'conferida', 'pendente')),
  guias_com_bloqueio = (SELECT count(*) FROM guia g JOIN guia_aberto a ON a.guia_id = g.id
    WHERE g.operadora_id = painel_operadora.operadora_id
      AND g.status IN ('digitada', 'conferida', 'pendente') AND a.bloqueios > 0),
  valor_em_risco = (SELECT coalesce(sum(a.risco_bloqueio), 0) FROM guia g
    JOIN guia_aberto a ON a.guia_id = g.id
    WHERE g.operadora_id = painel_operadora.operadora_id
      AND g.status IN ('digitada', 'conferida', 'pendente')),
  valor_glosado = (SELECT coalesce(sum(gl.valor), 0) FROM glosa gl JOIN guia g ON g.id = gl.guia_id
    WHERE g.operadora_id = painel_operadora.operadora_id),
  glosas_aguardando = (SELECT count(*) FROM glosa gl JOIN guia g ON g.id = gl.guia_id
    WHERE g.operadora_id = painel_operadora.operadora_id
      AND gl.situacao = 'aberta' AND gl.classificacao <> 'devida'),
  valor_glosas_aguardando = (SELECT coalesce(sum(gl.valor), 0) FROM glosa gl
    JOIN guia g ON g.id = gl.guia_id
    WHERE g.operadora_id = painel_operadora.operadora_id
      AND gl.situacao = 'aberta' AND gl.classificacao <> 'devida'),
  glosas_aguardando_sem_prazo = (SELECT count(*) FROM glosa gl JOIN guia g ON g.id = gl.guia_id
    WHERE g.operadora_id = painel_operadora.operadora_id
      AND gl.situacao = 'aberta' AND gl.classificacao <> 'devida' AND gl.prazo_recurso IS NULL),
  lotes_fechados = (SELECT count(*) FROM lote l
    WHERE l.operadora_id = painel_operadora.operadora_id AND l.status = 'fechado'),
  lotes_aguardando = (SELECT count(*) FROM lote l
    WHERE l.operadora_id = painel_operadora.operadora_id
      AND l.status IN ('enviado', 'protocolado'));

-- ------------------------------------------------------------ triggers
-- operadora: its counter row
CREATE TRIGGER painel_operadora_nova AFTER INSERT ON operadora
BEGIN
  INSERT OR IGNORE INTO painel_operadora (operadora_id) VALUES (NEW.id);
END;
CREATE TRIGGER painel_operadora_apagada AFTER DELETE ON operadora
BEGIN
  DELETE FROM painel_operadora WHERE operadora_id = OLD.id;
END;

-- guia: its own counters, plus its open bloqueios while it is a faturar
CREATE TRIGGER painel_guia_nova AFTER INSERT ON guia
BEGIN
  UPDATE painel_operadora SET
    guias = guias + 1,
    guias_a_faturar = guias_a_faturar + (NEW.status IN ('digitada', 'conferida', 'pendente')),
    valor_a_faturar = valor_a_faturar
      + CASE WHEN NEW.status IN ('digitada', 'conferida', 'pendente') THEN NEW.valor_total ELSE 0 END
  WHERE operadora_id = NEW.operadora_id;
END;

CREATE TRIGGER painel_guia_apagar BEFORE DELETE ON guia
BEGIN
  UPDATE painel_operadora SET
    guias = guias - 1,
    guias_a_faturar = guias_a_faturar - (OLD.status IN ('digitada', 'conferida', 'pendente')),
    valor_a_faturar = valor_a_faturar
      - CASE WHEN OLD.status IN ('digitada', 'conferida', 'pendente') THEN OLD.valor_total ELSE 0 END,
    guias_com_bloqueio = guias_com_bloqueio
      - (OLD.status IN ('digitada', 'conferida', 'pendente')
         AND coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = OLD.id), 0) > 0),
    valor_em_risco = valor_em_risco
      - CASE WHEN OLD.status IN ('digitada', 'conferida', 'pendente')
        THEN coalesce((SELECT risco_bloqueio FROM guia_aberto WHERE guia_id = OLD.id), 0)
        ELSE 0 END
  WHERE operadora_id = OLD.operadora_id;
END;
CREATE TRIGGER painel_guia_apagada AFTER DELETE ON guia
BEGIN
  DELETE FROM guia_aberto WHERE guia_id = OLD.id;
END;

-- One trigger for every change of a guia, so its steps run in this order:
-- the guia's counters move with its open findings as they were, then the
-- findings of a new revision replace them (moving the counters again under
-- the guia's new status, through the guia_aberto triggers below).
CREATE TRIGGER painel_guia_mudou
AFTER UPDATE OF status, valor_total, operadora_id, revisao ON guia
WHEN NEW.status IS NOT OLD.status OR NEW.valor_total IS NOT OLD.valor_total
  OR NEW.operadora_id IS NOT OLD.operadora_id OR NEW.revisao IS NOT OLD.revisao
BEGIN
  UPDATE painel_operadora SET
    guias = guias - 1,
    guias_a_faturar = guias_a_faturar - (OLD.status IN ('digitada', 'conferida', 'pendente')),
    valor_a_faturar = valor_a_faturar
      - CASE WHEN OLD.status IN ('digitada', 'conferida', 'pendente') THEN OLD.valor_total ELSE 0 END,
    guias_com_bloqueio = guias_com_bloqueio
      - (OLD.status IN ('digitada', 'conferida', 'pendente')
         AND coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = OLD.id), 0) > 0),
    valor_em_risco = valor_em_risco
      - CASE WHEN OLD.status IN ('digitada', 'conferida', 'pendente')
        THEN coalesce((SELECT risco_bloqueio FROM guia_aberto WHERE guia_id = OLD.id), 0)
        ELSE 0 END
  WHERE operadora_id = OLD.operadora_id
    AND (NEW.status IS NOT OLD.status OR NEW.valor_total IS NOT OLD.valor_total
         OR NEW.operadora_id IS NOT OLD.operadora_id);
  UPDATE painel_operadora SET
    guias = guias + 1,
    guias_a_faturar = guias_a_faturar + (NEW.status IN ('digitada', 'conferida', 'pendente')),
    valor_a_faturar = valor_a_faturar
      + CASE WHEN NEW.status IN ('digitada', 'conferida', 'pendente') THEN NEW.valor_total ELSE 0 END,
    guias_com_bloqueio = guias_com_bloqueio
      + (NEW.status IN ('digitada', 'conferida', 'pendente')
         AND coalesce((SELECT bloqueios FROM guia_aberto WHERE guia_id = NEW.id), 0) > 0),
    valor_em_risco = valor_em_risco
      + CASE WHEN NEW.status IN ('digitada', 'conferida', 'pendente')
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

-- guia_aberto: a guia a faturar with an open bloqueio
CREATE TRIGGER painel_aberto_novo AFTER INSERT ON guia_aberto
WHEN NEW.bloqueios > 0 OR NEW.risco_bloqueio <> 0
BEGIN
  UPDATE painel_operadora SET
    guias_com_bloqueio = guias_com_bloqueio + (NEW.bloqueios > 0),
    valor_em_risco = valor_em_risco + NEW.risco_bloqueio
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = NEW.guia_id
                          AND status IN ('digitada', 'conferida', 'pendente'));
END;
CREATE TRIGGER painel_aberto_mudou AFTER UPDATE OF bloqueios, risco_bloqueio ON guia_aberto
WHEN (NEW.bloqueios > 0) <> (OLD.bloqueios > 0) OR NEW.risco_bloqueio <> OLD.risco_bloqueio
BEGIN
  UPDATE painel_operadora SET
    guias_com_bloqueio = guias_com_bloqueio - (OLD.bloqueios > 0) + (NEW.bloqueios > 0),
    valor_em_risco = valor_em_risco - OLD.risco_bloqueio + NEW.risco_bloqueio
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = NEW.guia_id
                          AND status IN ('digitada', 'conferida', 'pendente'));
END;
CREATE TRIGGER painel_aberto_apagado AFTER DELETE ON guia_aberto
WHEN OLD.bloqueios > 0 OR OLD.risco_bloqueio <> 0
BEGIN
  UPDATE painel_operadora SET
    guias_com_bloqueio = guias_com_bloqueio - (OLD.bloqueios > 0),
    valor_em_risco = valor_em_risco - OLD.risco_bloqueio
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = OLD.guia_id
                          AND status IN ('digitada', 'conferida', 'pendente'));
END;

-- achado: open findings of the guia's current revision
CREATE TRIGGER guia_aberto_achado_novo AFTER INSERT ON achado
WHEN NEW.reconhecido_em IS NULL
 AND NEW.guia_revisao = (SELECT revisao FROM guia WHERE id = NEW.guia_id)
BEGIN
  INSERT INTO guia_aberto (guia_id, bloqueios, alertas, risco_bloqueio, valor_risco)
  VALUES (NEW.guia_id, NEW.severidade = 'bloqueio', NEW.severidade = 'alerta',
          CASE WHEN NEW.severidade = 'bloqueio' THEN NEW.valor_risco ELSE 0 END, NEW.valor_risco)
  ON CONFLICT (guia_id) DO UPDATE SET
    bloqueios = bloqueios + excluded.bloqueios, alertas = alertas + excluded.alertas,
    risco_bloqueio = risco_bloqueio + excluded.risco_bloqueio,
    valor_risco = valor_risco + excluded.valor_risco;
END;
CREATE TRIGGER guia_aberto_achado_apagado AFTER DELETE ON achado
WHEN OLD.reconhecido_em IS NULL
 AND OLD.guia_revisao = (SELECT revisao FROM guia WHERE id = OLD.guia_id)
BEGIN
  UPDATE guia_aberto SET
    bloqueios = bloqueios - (OLD.severidade = 'bloqueio'),
    alertas = alertas - (OLD.severidade = 'alerta'),
    risco_bloqueio = risco_bloqueio
      - CASE WHEN OLD.severidade = 'bloqueio' THEN OLD.valor_risco ELSE 0 END,
    valor_risco = valor_risco - OLD.valor_risco
  WHERE guia_id = OLD.guia_id;
END;
CREATE TRIGGER guia_aberto_achado_saiu
AFTER UPDATE OF reconhecido_em, severidade, valor_risco, guia_revisao, guia_id ON achado
WHEN OLD.reconhecido_em IS NULL
 AND OLD.guia_revisao = (SELECT revisao FROM guia WHERE id = OLD.guia_id)
BEGIN
  UPDATE guia_aberto SET
    bloqueios = bloqueios - (OLD.severidade = 'bloqueio'),
    alertas = alertas - (OLD.severidade = 'alerta'),
    risco_bloqueio = risco_bloqueio
      - CASE WHEN OLD.severidade = 'bloqueio' THEN OLD.valor_risco ELSE 0 END,
    valor_risco = valor_risco - OLD.valor_risco
  WHERE guia_id = OLD.guia_id;
END;
CREATE TRIGGER guia_aberto_achado_entrou
AFTER UPDATE OF reconhecido_em, severidade, valor_risco, guia_revisao, guia_id ON achado
WHEN NEW.reconhecido_em IS NULL
 AND NEW.guia_revisao = (SELECT revisao FROM guia WHERE id = NEW.guia_id)
BEGIN
  INSERT INTO guia_aberto (guia_id, bloqueios, alertas, risco_bloqueio, valor_risco)
  VALUES (NEW.guia_id, NEW.severidade = 'bloqueio', NEW.severidade = 'alerta',
          CASE WHEN NEW.severidade = 'bloqueio' THEN NEW.valor_risco ELSE 0 END, NEW.valor_risco)
  ON CONFLICT (guia_id) DO UPDATE SET
    bloqueios = bloqueios + excluded.bloqueios, alertas = alertas + excluded.alertas,
    risco_bloqueio = risco_bloqueio + excluded.risco_bloqueio,
    valor_risco = valor_risco + excluded.valor_risco;
END;

-- glosa: value glosed per operadora, and the glosas still waiting for a recurso
CREATE TRIGGER painel_glosa_nova AFTER INSERT ON glosa
BEGIN
  UPDATE painel_operadora SET
    valor_glosado = valor_glosado + NEW.valor,
    glosas_aguardando = glosas_aguardando
      + (NEW.situacao = 'aberta' AND NEW.classificacao <> 'devida'),
    valor_glosas_aguardando = valor_glosas_aguardando
      + CASE WHEN NEW.situacao = 'aberta' AND NEW.classificacao <> 'devida'
        THEN NEW.valor ELSE 0 END,
    glosas_aguardando_sem_prazo = glosas_aguardando_sem_prazo
      + (NEW.situacao = 'aberta' AND NEW.classificacao <> 'devida' AND NEW.prazo_recurso IS NULL)
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = NEW.guia_id);
END;
CREATE TRIGGER painel_glosa_apagada AFTER DELETE ON glosa
BEGIN
  UPDATE painel_operadora SET
    valor_glosado = valor_glosado - OLD.valor,
    glosas_aguardando = glosas_aguardando
      - (OLD.situacao = 'aberta' AND OLD.classificacao <> 'devida'),
    valor_glosas_aguardando = valor_glosas_aguardando
      - CASE WHEN OLD.situacao = 'aberta' AND OLD.classificacao <> 'devida'
        THEN OLD.valor ELSE 0 END,
    glosas_aguardando_sem_prazo = glosas_aguardando_sem_prazo
      - (OLD.situacao = 'aberta' AND OLD.classificacao <> 'devida' AND OLD.prazo_recurso IS NULL)
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = OLD.guia_id);
END;
CREATE TRIGGER painel_glosa_mudou
AFTER UPDATE OF valor, situacao, classificacao, prazo_recurso, guia_id ON glosa
WHEN NEW.valor IS NOT OLD.valor OR NEW.situacao IS NOT OLD.situacao
  OR NEW.classificacao IS NOT OLD.classificacao OR NEW.prazo_recurso IS NOT OLD.prazo_recurso
  OR NEW.guia_id IS NOT OLD.guia_id
BEGIN
  UPDATE painel_operadora SET
    valor_glosado = valor_glosado - OLD.valor,
    glosas_aguardando = glosas_aguardando
      - (OLD.situacao = 'aberta' AND OLD.classificacao <> 'devida'),
    valor_glosas_aguardando = valor_glosas_aguardando
      - CASE WHEN OLD.situacao = 'aberta' AND OLD.classificacao <> 'devida'
        THEN OLD.valor ELSE 0 END,
    glosas_aguardando_sem_prazo = glosas_aguardando_sem_prazo
      - (OLD.situacao = 'aberta' AND OLD.classificacao <> 'devida' AND OLD.prazo_recurso IS NULL)
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = OLD.guia_id);
  UPDATE painel_operadora SET
    valor_glosado = valor_glosado + NEW.valor,
    glosas_aguardando = glosas_aguardando
      + (NEW.situacao = 'aberta' AND NEW.classificacao <> 'devida'),
    valor_glosas_aguardando = valor_glosas_aguardando
      + CASE WHEN NEW.situacao = 'aberta' AND NEW.classificacao <> 'devida'
        THEN NEW.valor ELSE 0 END,
    glosas_aguardando_sem_prazo = glosas_aguardando_sem_prazo
      + (NEW.situacao = 'aberta' AND NEW.classificacao <> 'devida' AND NEW.prazo_recurso IS NULL)
  WHERE operadora_id = (SELECT operadora_id FROM guia WHERE id = NEW.guia_id);
END;

-- lote: closed and waiting to be sent, or sent and waiting for the return
CREATE TRIGGER painel_lote_novo AFTER INSERT ON lote
WHEN NEW.status IN ('fechado', 'enviado', 'protocolado')
BEGIN
  UPDATE painel_operadora SET
    lotes_fechados = lotes_fechados + (NEW.status = 'fechado'),
    lotes_aguardando = lotes_aguardando + (NEW.status IN ('enviado', 'protocolado'))
  WHERE operadora_id = NEW.operadora_id;
END;
CREATE TRIGGER painel_lote_apagado AFTER DELETE ON lote
WHEN OLD.status IN ('fechado', 'enviado', 'protocolado')
BEGIN
  UPDATE painel_operadora SET
    lotes_fechados = lotes_fechados - (OLD.status = 'fechado'),
    lotes_aguardando = lotes_aguardando - (OLD.status IN ('enviado', 'protocolado'))
  WHERE operadora_id = OLD.operadora_id;
END;
CREATE TRIGGER painel_lote_mudou AFTER UPDATE OF status, operadora_id ON lote
WHEN NEW.status IS NOT OLD.status OR NEW.operadora_id IS NOT OLD.operadora_id
BEGIN
  UPDATE painel_operadora SET
    lotes_fechados = lotes_fechados - (OLD.status = 'fechado'),
    lotes_aguardando = lotes_aguardando - (OLD.status IN ('enviado', 'protocolado'))
  WHERE operadora_id = OLD.operadora_id;
  UPDATE painel_operadora SET
    lotes_fechados = lotes_fechados + (NEW.status = 'fechado'),
    lotes_aguardando = lotes_aguardando + (NEW.status IN ('enviado', 'protocolado'))
  WHERE operadora_id = NEW.operadora_id;
END;
