-- faturo schema, migration 104 (Part M, web at scale): the panel's mapa de
-- lotes read from counters.
--
-- The panel's mapa of a month (fat_lote_mapa_resumo: /api/lotes/mapa) sums,
-- per operadora, the month's lotes by situação; the situação of a sent lote
-- depends on today and its expected payment date, so the sums are kept per
-- (competência, operadora, status, previsão de pagamento) and the situação is
-- decided when the mapa is read: a month has a handful of such rows per
-- operadora, however many lotes (9,112 in the month of the demo of a million
-- guias: 8.5 ms of CPU per request, against 0.5 ms with 10 thousand guias).
--
-- lote_mapa_mes keeps, per key, the lotes (n), their guias and the values the
-- mapa adds: enviado (valor_informado), liberado, glosado (NULL counts 0) and
-- recebido (valor_recebido, else the sum of the lote's pagamentos, else 0).
-- Rows whose count falls to 0 stay (the mapa skips them); `relatorio
-- recontar` rebuilds the table without them. The triggers keep it in the
-- same transaction as every write that moves a lote's key or values: a lote
-- new, deleted or changed, and a pagamento new, deleted or changed (it
-- counts when the lote has no valor_recebido). A change takes out the lote's
-- old contribution BEFORE the row changes and puts the new one in AFTER.
-- `faturo verificar` (lote_mapa_mes_recontado) compares the table with a
-- recount (FAT_LOTE_MAPA_MES_RECONTAGEM in fat_lote.h, the same SELECT as the
-- backfill below). No statement here opens an ephemeral b-tree
-- (unit.desempenho).

CREATE TABLE lote_mapa_mes (
  competencia  TEXT NOT NULL,
  operadora_id INTEGER NOT NULL,
  status       TEXT NOT NULL,
  previsao     TEXT NOT NULL,
  n            INTEGER NOT NULL,
  guias        INTEGER NOT NULL,
  enviado      INTEGER NOT NULL,
  liberado     INTEGER NOT NULL,
  glosado      INTEGER NOT NULL,
  recebido     INTEGER NOT NULL,
  PRIMARY KEY (competencia, operadora_id, status, previsao)
) WITHOUT ROWID;

INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                           liberado, glosado, recebido)
SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
  count(*), sum(l.qtd_guias), sum(coalesce(l.valor_informado, 0)),
  sum(coalesce(l.valor_liberado, 0)), sum(coalesce(l.valor_glosado, 0)),
  sum(coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id),
               0))
FROM lote l GROUP BY 1, 2, 3, 4;

CREATE TRIGGER lote_mapa_mes_novo AFTER INSERT ON lote
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  VALUES (coalesce(NEW.competencia, ''), NEW.operadora_id, NEW.status,
    coalesce(NEW.previsao_pagamento, ''), 1, NEW.qtd_guias, coalesce(NEW.valor_informado, 0),
    coalesce(NEW.valor_liberado, 0), coalesce(NEW.valor_glosado, 0),
    coalesce(NEW.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = NEW.id),
             0))
  ON CONFLICT DO UPDATE SET n = n + excluded.n, guias = guias + excluded.guias,
    enviado = enviado + excluded.enviado, liberado = liberado + excluded.liberado,
    glosado = glosado + excluded.glosado, recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER lote_mapa_mes_apagado AFTER DELETE ON lote
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  VALUES (coalesce(OLD.competencia, ''), OLD.operadora_id, OLD.status,
    coalesce(OLD.previsao_pagamento, ''), -1, -OLD.qtd_guias, -coalesce(OLD.valor_informado, 0),
    -coalesce(OLD.valor_liberado, 0), -coalesce(OLD.valor_glosado, 0),
    -coalesce(OLD.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = OLD.id),
              0))
  ON CONFLICT DO UPDATE SET n = n + excluded.n, guias = guias + excluded.guias,
    enviado = enviado + excluded.enviado, liberado = liberado + excluded.liberado,
    glosado = glosado + excluded.glosado, recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER lote_mapa_mes_antes
BEFORE UPDATE OF competencia, operadora_id, status, previsao_pagamento, qtd_guias,
  valor_informado, valor_liberado, valor_glosado, valor_recebido ON lote
WHEN NEW.competencia IS NOT OLD.competencia OR NEW.operadora_id IS NOT OLD.operadora_id
  OR NEW.status IS NOT OLD.status OR NEW.previsao_pagamento IS NOT OLD.previsao_pagamento
  OR NEW.qtd_guias IS NOT OLD.qtd_guias OR NEW.valor_informado IS NOT OLD.valor_informado
  OR NEW.valor_liberado IS NOT OLD.valor_liberado OR NEW.valor_glosado IS NOT OLD.valor_glosado
  OR NEW.valor_recebido IS NOT OLD.valor_recebido
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  VALUES (coalesce(OLD.competencia, ''), OLD.operadora_id, OLD.status,
    coalesce(OLD.previsao_pagamento, ''), -1, -OLD.qtd_guias, -coalesce(OLD.valor_informado, 0),
    -coalesce(OLD.valor_liberado, 0), -coalesce(OLD.valor_glosado, 0),
    -coalesce(OLD.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = OLD.id),
              0))
  ON CONFLICT DO UPDATE SET n = n + excluded.n, guias = guias + excluded.guias,
    enviado = enviado + excluded.enviado, liberado = liberado + excluded.liberado,
    glosado = glosado + excluded.glosado, recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER lote_mapa_mes_depois
AFTER UPDATE OF competencia, operadora_id, status, previsao_pagamento, qtd_guias,
  valor_informado, valor_liberado, valor_glosado, valor_recebido ON lote
WHEN NEW.competencia IS NOT OLD.competencia OR NEW.operadora_id IS NOT OLD.operadora_id
  OR NEW.status IS NOT OLD.status OR NEW.previsao_pagamento IS NOT OLD.previsao_pagamento
  OR NEW.qtd_guias IS NOT OLD.qtd_guias OR NEW.valor_informado IS NOT OLD.valor_informado
  OR NEW.valor_liberado IS NOT OLD.valor_liberado OR NEW.valor_glosado IS NOT OLD.valor_glosado
  OR NEW.valor_recebido IS NOT OLD.valor_recebido
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  VALUES (coalesce(NEW.competencia, ''), NEW.operadora_id, NEW.status,
    coalesce(NEW.previsao_pagamento, ''), 1, NEW.qtd_guias, coalesce(NEW.valor_informado, 0),
    coalesce(NEW.valor_liberado, 0), coalesce(NEW.valor_glosado, 0),
    coalesce(NEW.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = NEW.id),
             0))
  ON CONFLICT DO UPDATE SET n = n + excluded.n, guias = guias + excluded.guias,
    enviado = enviado + excluded.enviado, liberado = liberado + excluded.liberado,
    glosado = glosado + excluded.glosado, recebido = recebido + excluded.recebido;
END;

-- a pagamento moves its lote's recebido when the lote has no valor_recebido:
-- the lote's contribution out before, in after (for the old and the new lote)
CREATE TRIGGER lote_mapa_mes_pagamento_antes_novo BEFORE INSERT ON pagamento
WHEN NEW.lote_id IS NOT NULL
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
    0, 0, 0, 0, 0,
    -coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id), 0)
  FROM lote l WHERE l.id = NEW.lote_id
  ON CONFLICT DO UPDATE SET recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER lote_mapa_mes_pagamento_novo AFTER INSERT ON pagamento
WHEN NEW.lote_id IS NOT NULL
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
    0, 0, 0, 0, 0,
    coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id), 0)
  FROM lote l WHERE l.id = NEW.lote_id
  ON CONFLICT DO UPDATE SET recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER lote_mapa_mes_pagamento_antes_apagar BEFORE DELETE ON pagamento
WHEN OLD.lote_id IS NOT NULL
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
    0, 0, 0, 0, 0,
    -coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id), 0)
  FROM lote l WHERE l.id = OLD.lote_id
  ON CONFLICT DO UPDATE SET recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER lote_mapa_mes_pagamento_apagado AFTER DELETE ON pagamento
WHEN OLD.lote_id IS NOT NULL
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
    0, 0, 0, 0, 0,
    coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id), 0)
  FROM lote l WHERE l.id = OLD.lote_id
  ON CONFLICT DO UPDATE SET recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER lote_mapa_mes_pagamento_antes_mudar BEFORE UPDATE OF lote_id, valor ON pagamento
WHEN NEW.lote_id IS NOT OLD.lote_id OR NEW.valor IS NOT OLD.valor
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
    0, 0, 0, 0, 0,
    -coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id), 0)
  FROM lote l WHERE l.id = OLD.lote_id
  ON CONFLICT DO UPDATE SET recebido = recebido + excluded.recebido;
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
    0, 0, 0, 0, 0,
    -coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id), 0)
  FROM lote l WHERE l.id = NEW.lote_id AND NEW.lote_id IS NOT OLD.lote_id
  ON CONFLICT DO UPDATE SET recebido = recebido + excluded.recebido;
END;

CREATE TRIGGER lote_mapa_mes_pagamento_mudou AFTER UPDATE OF lote_id, valor ON pagamento
WHEN NEW.lote_id IS NOT OLD.lote_id OR NEW.valor IS NOT OLD.valor
BEGIN
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
    0, 0, 0, 0, 0,
    coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id), 0)
  FROM lote l WHERE l.id = OLD.lote_id
  ON CONFLICT DO UPDATE SET recebido = recebido + excluded.recebido;
  INSERT INTO lote_mapa_mes (competencia, operadora_id, status, previsao, n, guias, enviado,
                             liberado, glosado, recebido)
  SELECT coalesce(l.competencia, ''), l.operadora_id, l.status, coalesce(l.previsao_pagamento, ''),
    0, 0, 0, 0, 0,
    coalesce(l.valor_recebido, (SELECT sum(p.valor) FROM pagamento p WHERE p.lote_id = l.id), 0)
  FROM lote l WHERE l.id = NEW.lote_id AND NEW.lote_id IS NOT OLD.lote_id
  ON CONFLICT DO UPDATE SET recebido = recebido + excluded.recebido;
END;
