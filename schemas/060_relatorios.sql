-- faturo schema, migration 060 (Part H): what the management reports read.
--
-- The reports aggregate in SQL over one month (or a few) at a time, through
-- the indexes below; the management dashboard reads the monthly counters of
-- rel_mes instead, kept by the triggers at the end of this file in the same
-- transaction as every write, so it costs the same whatever the size of the
-- history. fat_relatorio_recontar() rebuilds them from the definitions in the
-- comments (docs/relatorios.md explains each figure to users).

-- ---------------------------------------------------------------- indexes
-- produtividade: audit rows of a period, and the last correction of a guia
-- (achados resolvidos are credited to whoever corrected the guia)
CREATE INDEX auditoria_em ON auditoria(em);
CREATE INDEX auditoria_correcao ON auditoria(objeto, id) WHERE acao = 'guia.corrigir';
CREATE INDEX lote_evento_para ON lote_evento(para, em);
-- previsto x realizado: lotes by expected payment date
CREATE INDEX lote_previsao ON lote(previsao_pagamento);
-- particulares by day of attendance, and their payments
CREATE INDEX particular_data ON particular(data);
CREATE INDEX particular_pagamento_part ON particular_pagamento(particular_id);
CREATE INDEX particular_pagamento_data ON particular_pagamento(data);
-- fechamento: NFs issued in a month
CREATE INDEX fatura_nf_data ON fatura(nf_data);

-- ------------------------------------------------------- monthly counters
-- One row per (competência, operadora); operadora_id 0 = particulares.
-- Convênio: the guias of that competência whose status is not 'cancelada'
-- (a guia without competência is in no month):
--   guias      count of those guias
--   faturado   sum of their valor_total (as billed)
--   glosas     count of their glosas;  glosado  sum of glosa.valor
--   recuperado sum of glosa.valor_recuperado (deferred by recursos)
--   recebido   sum of recebimento_guia.valor (money received, gross of the
--              retentions it settles, recovered money included)
-- Particular: the attendances of that month (particular.data) not
-- 'cancelado': guias = count, faturado = sum of valor, recebido = sum of
-- their payments (particular_pagamento.valor); no glosas.
CREATE TABLE rel_mes (
  competencia   TEXT NOT NULL,
  operadora_id  INTEGER NOT NULL,
  guias         INTEGER NOT NULL DEFAULT 0,
  faturado      INTEGER NOT NULL DEFAULT 0,
  glosas        INTEGER NOT NULL DEFAULT 0,
  glosado       INTEGER NOT NULL DEFAULT 0,
  recuperado    INTEGER NOT NULL DEFAULT 0,
  recebido      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (competencia, operadora_id)
) WITHOUT ROWID;

-- ------------------------------------------------------------ backfill
INSERT INTO rel_mes (competencia, operadora_id, guias, faturado, glosas, glosado, recuperado,
                     recebido)
SELECT g.competencia, g.operadora_id, count(*), sum(g.valor_total),
       coalesce(sum((SELECT count(*) FROM glosa gl WHERE gl.guia_id = g.id)), 0),
       coalesce(sum((SELECT sum(gl.valor) FROM glosa gl WHERE gl.guia_id = g.id)), 0),
       coalesce(sum((SELECT sum(gl.valor_recuperado) FROM glosa gl WHERE gl.guia_id = g.id)), 0),
       coalesce(sum((SELECT sum(x.valor) FROM recebimento_guia x WHERE x.guia_id = g.id)), 0)
  FROM guia g
 WHERE g.competencia IS NOT NULL AND g.status <> 'cancelada'
 GROUP BY g.competencia, g.operadora_id;

INSERT INTO rel_mes (competencia, operadora_id, guias, faturado, recebido)
SELECT substr(p.data, 1, 7), 0, count(*), sum(p.valor),
       coalesce(sum((SELECT sum(pp.valor) FROM particular_pagamento pp
                      WHERE pp.particular_id = p.id)), 0)
  FROM particular p
 WHERE p.status <> 'cancelado'
 GROUP BY substr(p.data, 1, 7);

-- ------------------------------------------------------------ triggers
-- guia: its own figures, and those of its glosas and receipts when it moves
-- (competência, operadora, value) or enters/leaves 'cancelada'
CREATE TRIGGER rel_mes_guia_nova AFTER INSERT ON guia
WHEN NEW.competencia IS NOT NULL AND NEW.status <> 'cancelada'
BEGIN
  INSERT INTO rel_mes (competencia, operadora_id, guias, faturado)
  VALUES (NEW.competencia, NEW.operadora_id, 1, NEW.valor_total)
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET
    guias = guias + 1, faturado = faturado + excluded.faturado;
END;

CREATE TRIGGER rel_mes_guia_mudou
AFTER UPDATE OF competencia, operadora_id, valor_total, status ON guia
WHEN NEW.competencia IS NOT OLD.competencia OR NEW.operadora_id IS NOT OLD.operadora_id
  OR NEW.valor_total IS NOT OLD.valor_total
  OR (NEW.status = 'cancelada') <> (OLD.status = 'cancelada')
BEGIN
  UPDATE rel_mes SET
    guias = guias - 1,
    faturado = faturado - OLD.valor_total,
    glosas = glosas - (SELECT count(*) FROM glosa WHERE guia_id = OLD.id),
    glosado = glosado - (SELECT coalesce(sum(valor), 0) FROM glosa WHERE guia_id = OLD.id),
    recuperado = recuperado
      - (SELECT coalesce(sum(valor_recuperado), 0) FROM glosa WHERE guia_id = OLD.id),
    recebido = recebido
      - (SELECT coalesce(sum(valor), 0) FROM recebimento_guia WHERE guia_id = OLD.id)
  WHERE competencia = OLD.competencia AND operadora_id = OLD.operadora_id
    AND OLD.status <> 'cancelada';
  INSERT INTO rel_mes (competencia, operadora_id, guias, faturado, glosas, glosado, recuperado,
                       recebido)
  SELECT NEW.competencia, NEW.operadora_id, 1, NEW.valor_total,
         (SELECT count(*) FROM glosa WHERE guia_id = NEW.id),
         (SELECT coalesce(sum(valor), 0) FROM glosa WHERE guia_id = NEW.id),
         (SELECT coalesce(sum(valor_recuperado), 0) FROM glosa WHERE guia_id = NEW.id),
         (SELECT coalesce(sum(valor), 0) FROM recebimento_guia WHERE guia_id = NEW.id)
  WHERE NEW.competencia IS NOT NULL AND NEW.status <> 'cancelada'
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET
    guias = guias + excluded.guias, faturado = faturado + excluded.faturado,
    glosas = glosas + excluded.glosas, glosado = glosado + excluded.glosado,
    recuperado = recuperado + excluded.recuperado, recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER rel_mes_guia_apagar BEFORE DELETE ON guia
WHEN OLD.competencia IS NOT NULL AND OLD.status <> 'cancelada'
BEGIN
  UPDATE rel_mes SET
    guias = guias - 1,
    faturado = faturado - OLD.valor_total,
    glosas = glosas - (SELECT count(*) FROM glosa WHERE guia_id = OLD.id),
    glosado = glosado - (SELECT coalesce(sum(valor), 0) FROM glosa WHERE guia_id = OLD.id),
    recuperado = recuperado
      - (SELECT coalesce(sum(valor_recuperado), 0) FROM glosa WHERE guia_id = OLD.id),
    recebido = recebido
      - (SELECT coalesce(sum(valor), 0) FROM recebimento_guia WHERE guia_id = OLD.id)
  WHERE competencia = OLD.competencia AND operadora_id = OLD.operadora_id;
END;

-- glosa: counted in the month of its guia
CREATE TRIGGER rel_mes_glosa_nova AFTER INSERT ON glosa
BEGIN
  INSERT INTO rel_mes (competencia, operadora_id, glosas, glosado, recuperado)
  SELECT g.competencia, g.operadora_id, 1, NEW.valor, NEW.valor_recuperado
    FROM guia g
   WHERE g.id = NEW.guia_id AND g.competencia IS NOT NULL AND g.status <> 'cancelada'
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET
    glosas = glosas + 1, glosado = glosado + excluded.glosado,
    recuperado = recuperado + excluded.recuperado;
END;

CREATE TRIGGER rel_mes_glosa_apagada AFTER DELETE ON glosa
BEGIN
  UPDATE rel_mes SET
    glosas = glosas - 1, glosado = glosado - OLD.valor,
    recuperado = recuperado - OLD.valor_recuperado
  WHERE (competencia, operadora_id) =
        (SELECT g.competencia, g.operadora_id FROM guia g
          WHERE g.id = OLD.guia_id AND g.status <> 'cancelada');
END;

CREATE TRIGGER rel_mes_glosa_mudou AFTER UPDATE OF valor, valor_recuperado, guia_id ON glosa
WHEN NEW.valor IS NOT OLD.valor OR NEW.valor_recuperado IS NOT OLD.valor_recuperado
  OR NEW.guia_id IS NOT OLD.guia_id
BEGIN
  UPDATE rel_mes SET
    glosas = glosas - 1, glosado = glosado - OLD.valor,
    recuperado = recuperado - OLD.valor_recuperado
  WHERE (competencia, operadora_id) =
        (SELECT g.competencia, g.operadora_id FROM guia g
          WHERE g.id = OLD.guia_id AND g.status <> 'cancelada');
  INSERT INTO rel_mes (competencia, operadora_id, glosas, glosado, recuperado)
  SELECT g.competencia, g.operadora_id, 1, NEW.valor, NEW.valor_recuperado
    FROM guia g
   WHERE g.id = NEW.guia_id AND g.competencia IS NOT NULL AND g.status <> 'cancelada'
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET
    glosas = glosas + 1, glosado = glosado + excluded.glosado,
    recuperado = recuperado + excluded.recuperado;
END;

-- recebimento_guia: money received for a guia, in the month of the guia
CREATE TRIGGER rel_mes_recebido_novo AFTER INSERT ON recebimento_guia
BEGIN
  INSERT INTO rel_mes (competencia, operadora_id, recebido)
  SELECT g.competencia, g.operadora_id, NEW.valor
    FROM guia g
   WHERE g.id = NEW.guia_id AND g.competencia IS NOT NULL AND g.status <> 'cancelada'
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER rel_mes_recebido_apagado AFTER DELETE ON recebimento_guia
BEGIN
  UPDATE rel_mes SET recebido = recebido - OLD.valor
  WHERE (competencia, operadora_id) =
        (SELECT g.competencia, g.operadora_id FROM guia g
          WHERE g.id = OLD.guia_id AND g.status <> 'cancelada');
END;

CREATE TRIGGER rel_mes_recebido_mudou AFTER UPDATE OF valor, guia_id ON recebimento_guia
WHEN NEW.valor IS NOT OLD.valor OR NEW.guia_id IS NOT OLD.guia_id
BEGIN
  UPDATE rel_mes SET recebido = recebido - OLD.valor
  WHERE (competencia, operadora_id) =
        (SELECT g.competencia, g.operadora_id FROM guia g
          WHERE g.id = OLD.guia_id AND g.status <> 'cancelada');
  INSERT INTO rel_mes (competencia, operadora_id, recebido)
  SELECT g.competencia, g.operadora_id, NEW.valor
    FROM guia g
   WHERE g.id = NEW.guia_id AND g.competencia IS NOT NULL AND g.status <> 'cancelada'
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET recebido = recebido + excluded.recebido;
END;

-- particular: the attendance and its payments, in the month of the attendance
CREATE TRIGGER rel_mes_particular_novo AFTER INSERT ON particular
WHEN NEW.status <> 'cancelado'
BEGIN
  INSERT INTO rel_mes (competencia, operadora_id, guias, faturado)
  VALUES (substr(NEW.data, 1, 7), 0, 1, NEW.valor)
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET
    guias = guias + 1, faturado = faturado + excluded.faturado;
END;

CREATE TRIGGER rel_mes_particular_mudou AFTER UPDATE OF data, valor, status ON particular
WHEN NEW.data IS NOT OLD.data OR NEW.valor IS NOT OLD.valor
  OR (NEW.status = 'cancelado') <> (OLD.status = 'cancelado')
BEGIN
  UPDATE rel_mes SET
    guias = guias - 1, faturado = faturado - OLD.valor,
    recebido = recebido - (SELECT coalesce(sum(valor), 0) FROM particular_pagamento
                            WHERE particular_id = OLD.id)
  WHERE competencia = substr(OLD.data, 1, 7) AND operadora_id = 0
    AND OLD.status <> 'cancelado';
  INSERT INTO rel_mes (competencia, operadora_id, guias, faturado, recebido)
  SELECT substr(NEW.data, 1, 7), 0, 1, NEW.valor,
         (SELECT coalesce(sum(valor), 0) FROM particular_pagamento WHERE particular_id = NEW.id)
  WHERE NEW.status <> 'cancelado'
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET
    guias = guias + 1, faturado = faturado + excluded.faturado,
    recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER rel_mes_particular_apagar BEFORE DELETE ON particular
WHEN OLD.status <> 'cancelado'
BEGIN
  UPDATE rel_mes SET
    guias = guias - 1, faturado = faturado - OLD.valor,
    recebido = recebido - (SELECT coalesce(sum(valor), 0) FROM particular_pagamento
                            WHERE particular_id = OLD.id)
  WHERE competencia = substr(OLD.data, 1, 7) AND operadora_id = 0;
END;

CREATE TRIGGER rel_mes_part_pago AFTER INSERT ON particular_pagamento
BEGIN
  INSERT INTO rel_mes (competencia, operadora_id, recebido)
  SELECT substr(p.data, 1, 7), 0, NEW.valor FROM particular p
   WHERE p.id = NEW.particular_id AND p.status <> 'cancelado'
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER rel_mes_part_pago_apagado AFTER DELETE ON particular_pagamento
BEGIN
  UPDATE rel_mes SET recebido = recebido - OLD.valor
  WHERE (competencia, operadora_id) =
        (SELECT substr(p.data, 1, 7), 0 FROM particular p
          WHERE p.id = OLD.particular_id AND p.status <> 'cancelado');
END;

CREATE TRIGGER rel_mes_part_pago_mudou AFTER UPDATE OF valor, particular_id ON particular_pagamento
WHEN NEW.valor IS NOT OLD.valor OR NEW.particular_id IS NOT OLD.particular_id
BEGIN
  UPDATE rel_mes SET recebido = recebido - OLD.valor
  WHERE (competencia, operadora_id) =
        (SELECT substr(p.data, 1, 7), 0 FROM particular p
          WHERE p.id = OLD.particular_id AND p.status <> 'cancelado');
  INSERT INTO rel_mes (competencia, operadora_id, recebido)
  SELECT substr(p.data, 1, 7), 0, NEW.valor FROM particular p
   WHERE p.id = NEW.particular_id AND p.status <> 'cancelado'
  ON CONFLICT (competencia, operadora_id) DO UPDATE SET recebido = recebido + excluded.recebido;
END;
