-- faturo schema, migration 092 (Part M, web at scale): the balance of each
-- lote kept as counters.
--
-- The management reports (inadimplência/aging, previsto × realizado, the
-- reports panel) and the financeiro's mapa de faturas summed, guia by guia,
-- what each lote should still bring: a second or more per request at a
-- million guias. lote_saldo keeps per lote, over the guias whose lote_id is
-- the lote:
--   guias       = guias not cancelled
--   esperado    = sum over the guias not cancelled of the latest valor
--                 liberado of a demonstrativo (retorno_guia), else valor_total
--   recuperavel = sum of glosa.valor_recuperado of the guias not cancelled
--   recebido    = sum of recebimento_guia.valor of the guias not cancelled
--   deferido    = sum of glosa.valor_recuperado of every guia
--   recursado   = sum of recurso_item.valor_recursado of every guia's glosas
--   recuperadas = glosas of every guia recovered (recuperada, recuperada_parcial)
-- and lote_recebimento, per lote (0 = guias in no lote) and recebimento, the
-- sum of recebimento_guia.valor of the lote's guias and how many lines it
-- has. Every lote has its lote_saldo row (zeros when it has no guias).
--
-- The triggers below keep both in the same transaction as every write that
-- changes them: a guia entering or leaving a lote, cancelled or restored, its
-- value changed (while in a lote) or deleted; a demonstrativo line
-- (retorno_guia) inserted, changed or deleted; a glosa, a recurso item or a
-- receipt line inserted, changed or deleted; a lote inserted or deleted. No
-- statement uses an IN list or builds a derived table (see
-- 080_painel_sem_in.sql). fat_relatorio_recontar rebuilds both tables and
-- `faturo verificar` (lote_saldo_recontado) compares them with a recount
-- (FAT_LOTE_SALDO_RECONTAGEM, FAT_LOTE_RECEBIMENTO_RECONTAGEM).

CREATE TABLE lote_saldo (
  lote_id     INTEGER PRIMARY KEY,
  guias       INTEGER NOT NULL DEFAULT 0,
  esperado    INTEGER NOT NULL DEFAULT 0,
  recuperavel INTEGER NOT NULL DEFAULT 0,
  recebido    INTEGER NOT NULL DEFAULT 0,
  deferido    INTEGER NOT NULL DEFAULT 0,
  recursado   INTEGER NOT NULL DEFAULT 0,
  recuperadas INTEGER NOT NULL DEFAULT 0
);
-- the lotes with recovered glosas (the aging lists them while open)
CREATE INDEX lote_saldo_recuperadas ON lote_saldo(lote_id) WHERE recuperadas > 0;

CREATE TABLE lote_recebimento (
  lote_id        INTEGER NOT NULL,
  recebimento_id INTEGER NOT NULL,
  valor          INTEGER NOT NULL DEFAULT 0,
  guias          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (lote_id, recebimento_id)
) WITHOUT ROWID;
CREATE INDEX lote_recebimento_recebimento ON lote_recebimento(recebimento_id);

INSERT INTO lote_saldo (lote_id, guias, esperado, recuperavel, recebido, deferido, recursado,
                        recuperadas)
SELECT l.id, coalesce(r.guias, 0), coalesce(r.esperado, 0), coalesce(r.recuperavel, 0),
       coalesce(r.recebido, 0), coalesce(r.deferido, 0), coalesce(r.recursado, 0),
       coalesce(r.recuperadas, 0)
  FROM lote l LEFT JOIN (
    SELECT g.lote_id AS lote_id, sum(g.status <> 'cancelada') AS guias,
      sum(CASE WHEN g.status <> 'cancelada' THEN coalesce((SELECT rg.valor_liberado
        FROM retorno_guia rg WHERE rg.guia_id = g.id AND rg.valor_liberado IS NOT NULL
        ORDER BY rg.id DESC LIMIT 1), g.valor_total) ELSE 0 END) AS esperado,
      sum(CASE WHEN g.status <> 'cancelada' THEN (SELECT coalesce(sum(gl.valor_recuperado), 0)
        FROM glosa gl WHERE gl.guia_id = g.id) ELSE 0 END) AS recuperavel,
      sum(CASE WHEN g.status <> 'cancelada' THEN (SELECT coalesce(sum(x.valor), 0)
        FROM recebimento_guia x WHERE x.guia_id = g.id) ELSE 0 END) AS recebido,
      sum((SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = g.id))
        AS deferido,
      sum((SELECT coalesce(sum(ri.valor_recursado), 0) FROM glosa gl
        JOIN recurso_item ri ON ri.glosa_id = gl.id WHERE gl.guia_id = g.id)) AS recursado,
      sum((SELECT count(*) FROM glosa gl WHERE gl.guia_id = g.id
        AND (gl.situacao = 'recuperada' OR gl.situacao = 'recuperada_parcial'))) AS recuperadas
      FROM guia g WHERE g.lote_id IS NOT NULL GROUP BY g.lote_id) r ON r.lote_id = l.id;

INSERT INTO lote_recebimento (lote_id, recebimento_id, valor, guias)
SELECT coalesce(g.lote_id, 0), x.recebimento_id, sum(x.valor), count(*)
  FROM recebimento_guia x JOIN guia g ON g.id = x.guia_id
 GROUP BY coalesce(g.lote_id, 0), x.recebimento_id;

-- a lote has its row from the start
CREATE TRIGGER lote_saldo_lote_novo AFTER INSERT ON lote
BEGIN
  INSERT OR IGNORE INTO lote_saldo (lote_id) VALUES (NEW.id);
END;

CREATE TRIGGER lote_saldo_lote_apagado AFTER DELETE ON lote
BEGIN
  DELETE FROM lote_saldo WHERE lote_id = OLD.id;
  DELETE FROM lote_recebimento WHERE lote_id = OLD.id;
END;

-- a guia entering or leaving a lote, cancelled or restored, or re-valued
-- while in a lote: its whole part out of the old lote, into the new one
CREATE TRIGGER lote_saldo_guia_nova AFTER INSERT ON guia
WHEN NEW.lote_id IS NOT NULL
BEGIN
  UPDATE lote_saldo SET
    guias = guias + (NEW.status <> 'cancelada'),
    esperado = esperado + CASE WHEN NEW.status <> 'cancelada' THEN coalesce((SELECT r.valor_liberado FROM retorno_guia r WHERE r.guia_id = NEW.id AND r.valor_liberado IS NOT NULL ORDER BY r.id DESC LIMIT 1), NEW.valor_total) ELSE 0 END,
    recuperavel = recuperavel + CASE WHEN NEW.status <> 'cancelada' THEN (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = NEW.id) ELSE 0 END,
    recebido = recebido + CASE WHEN NEW.status <> 'cancelada' THEN (SELECT coalesce(sum(x.valor), 0) FROM recebimento_guia x WHERE x.guia_id = NEW.id) ELSE 0 END,
    deferido = deferido + (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = NEW.id),
    recursado = recursado + (SELECT coalesce(sum(ri.valor_recursado), 0) FROM glosa gl JOIN recurso_item ri ON ri.glosa_id = gl.id WHERE gl.guia_id = NEW.id),
    recuperadas = recuperadas + (SELECT count(*) FROM glosa gl WHERE gl.guia_id = NEW.id AND (gl.situacao = 'recuperada' OR gl.situacao = 'recuperada_parcial'))
  WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER lote_saldo_guia_mudou AFTER UPDATE OF lote_id, status, valor_total ON guia
WHEN (NEW.lote_id IS NOT NULL OR OLD.lote_id IS NOT NULL)
  AND (NEW.lote_id IS NOT OLD.lote_id OR NEW.valor_total IS NOT OLD.valor_total
       OR (NEW.status = 'cancelada') IS NOT (OLD.status = 'cancelada'))
BEGIN
  UPDATE lote_saldo SET
    guias = guias - (OLD.status <> 'cancelada'),
    esperado = esperado - CASE WHEN OLD.status <> 'cancelada' THEN coalesce((SELECT r.valor_liberado FROM retorno_guia r WHERE r.guia_id = OLD.id AND r.valor_liberado IS NOT NULL ORDER BY r.id DESC LIMIT 1), OLD.valor_total) ELSE 0 END,
    recuperavel = recuperavel - CASE WHEN OLD.status <> 'cancelada' THEN (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = OLD.id) ELSE 0 END,
    recebido = recebido - CASE WHEN OLD.status <> 'cancelada' THEN (SELECT coalesce(sum(x.valor), 0) FROM recebimento_guia x WHERE x.guia_id = OLD.id) ELSE 0 END,
    deferido = deferido - (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = OLD.id),
    recursado = recursado - (SELECT coalesce(sum(ri.valor_recursado), 0) FROM glosa gl JOIN recurso_item ri ON ri.glosa_id = gl.id WHERE gl.guia_id = OLD.id),
    recuperadas = recuperadas - (SELECT count(*) FROM glosa gl WHERE gl.guia_id = OLD.id AND (gl.situacao = 'recuperada' OR gl.situacao = 'recuperada_parcial'))
  WHERE lote_id = OLD.lote_id;
  UPDATE lote_saldo SET
    guias = guias + (NEW.status <> 'cancelada'),
    esperado = esperado + CASE WHEN NEW.status <> 'cancelada' THEN coalesce((SELECT r.valor_liberado FROM retorno_guia r WHERE r.guia_id = NEW.id AND r.valor_liberado IS NOT NULL ORDER BY r.id DESC LIMIT 1), NEW.valor_total) ELSE 0 END,
    recuperavel = recuperavel + CASE WHEN NEW.status <> 'cancelada' THEN (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = NEW.id) ELSE 0 END,
    recebido = recebido + CASE WHEN NEW.status <> 'cancelada' THEN (SELECT coalesce(sum(x.valor), 0) FROM recebimento_guia x WHERE x.guia_id = NEW.id) ELSE 0 END,
    deferido = deferido + (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = NEW.id),
    recursado = recursado + (SELECT coalesce(sum(ri.valor_recursado), 0) FROM glosa gl JOIN recurso_item ri ON ri.glosa_id = gl.id WHERE gl.guia_id = NEW.id),
    recuperadas = recuperadas + (SELECT count(*) FROM glosa gl WHERE gl.guia_id = NEW.id AND (gl.situacao = 'recuperada' OR gl.situacao = 'recuperada_parcial'))
  WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER lote_saldo_guia_apagar BEFORE DELETE ON guia
WHEN OLD.lote_id IS NOT NULL
BEGIN
  UPDATE lote_saldo SET
    guias = guias - (OLD.status <> 'cancelada'),
    esperado = esperado - CASE WHEN OLD.status <> 'cancelada' THEN coalesce((SELECT r.valor_liberado FROM retorno_guia r WHERE r.guia_id = OLD.id AND r.valor_liberado IS NOT NULL ORDER BY r.id DESC LIMIT 1), OLD.valor_total) ELSE 0 END,
    recuperavel = recuperavel - CASE WHEN OLD.status <> 'cancelada' THEN (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = OLD.id) ELSE 0 END,
    recebido = recebido - CASE WHEN OLD.status <> 'cancelada' THEN (SELECT coalesce(sum(x.valor), 0) FROM recebimento_guia x WHERE x.guia_id = OLD.id) ELSE 0 END,
    deferido = deferido - (SELECT coalesce(sum(gl.valor_recuperado), 0) FROM glosa gl WHERE gl.guia_id = OLD.id),
    recursado = recursado - (SELECT coalesce(sum(ri.valor_recursado), 0) FROM glosa gl JOIN recurso_item ri ON ri.glosa_id = gl.id WHERE gl.guia_id = OLD.id),
    recuperadas = recuperadas - (SELECT count(*) FROM glosa gl WHERE gl.guia_id = OLD.id AND (gl.situacao = 'recuperada' OR gl.situacao = 'recuperada_parcial'))
  WHERE lote_id = OLD.lote_id;
END;

-- the receipts of a guia follow it to its new lote (0: no lote)
CREATE TRIGGER lote_recebimento_guia_mudou AFTER UPDATE OF lote_id ON guia
WHEN NEW.lote_id IS NOT OLD.lote_id
  AND EXISTS (SELECT 1 FROM recebimento_guia x WHERE x.guia_id = NEW.id)
BEGIN
  UPDATE lote_recebimento SET
    valor = valor - (SELECT x.valor FROM recebimento_guia x WHERE x.guia_id = OLD.id
                      AND x.recebimento_id = lote_recebimento.recebimento_id),
    guias = guias - 1
  WHERE lote_id = coalesce(OLD.lote_id, 0) AND EXISTS (SELECT 1 FROM recebimento_guia x
    WHERE x.guia_id = OLD.id AND x.recebimento_id = lote_recebimento.recebimento_id);
  INSERT INTO lote_recebimento (lote_id, recebimento_id, valor, guias)
  SELECT coalesce(NEW.lote_id, 0), x.recebimento_id, x.valor, 1
    FROM recebimento_guia x WHERE x.guia_id = NEW.id
  ON CONFLICT (lote_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias;
END;

CREATE TRIGGER lote_recebimento_guia_apagar BEFORE DELETE ON guia
WHEN EXISTS (SELECT 1 FROM recebimento_guia x WHERE x.guia_id = OLD.id)
BEGIN
  UPDATE lote_recebimento SET
    valor = valor - (SELECT x.valor FROM recebimento_guia x WHERE x.guia_id = OLD.id
                      AND x.recebimento_id = lote_recebimento.recebimento_id),
    guias = guias - 1
  WHERE lote_id = coalesce(OLD.lote_id, 0) AND EXISTS (SELECT 1 FROM recebimento_guia x
    WHERE x.guia_id = OLD.id AND x.recebimento_id = lote_recebimento.recebimento_id);
END;

-- a line of a demonstrativo: a newer valor liberado replaces the guia's
-- esperado (an insert is the common case: one statement, the difference
-- from the previous latest; deletes and updates take the guia's esperado
-- out before and put it back after)
CREATE TRIGGER lote_saldo_retorno_novo AFTER INSERT ON retorno_guia
WHEN NEW.guia_id IS NOT NULL AND NEW.valor_liberado IS NOT NULL
BEGIN
  UPDATE lote_saldo SET esperado = esperado + NEW.valor_liberado
    - coalesce((SELECT r.valor_liberado FROM retorno_guia r WHERE r.guia_id = NEW.guia_id
                 AND r.valor_liberado IS NOT NULL AND r.id < NEW.id ORDER BY r.id DESC LIMIT 1),
               (SELECT g.valor_total FROM guia g WHERE g.id = NEW.guia_id))
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada')
    AND NOT EXISTS (SELECT 1 FROM retorno_guia r WHERE r.guia_id = NEW.guia_id
                     AND r.valor_liberado IS NOT NULL AND r.id > NEW.id);
END;

CREATE TRIGGER lote_saldo_retorno_apagar BEFORE DELETE ON retorno_guia
WHEN OLD.guia_id IS NOT NULL AND OLD.valor_liberado IS NOT NULL
BEGIN
  UPDATE lote_saldo SET esperado = esperado - (SELECT coalesce((SELECT r.valor_liberado
      FROM retorno_guia r WHERE r.guia_id = g.id AND r.valor_liberado IS NOT NULL
      ORDER BY r.id DESC LIMIT 1), g.valor_total) FROM guia g WHERE g.id = OLD.guia_id)
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada');
END;

CREATE TRIGGER lote_saldo_retorno_apagado AFTER DELETE ON retorno_guia
WHEN OLD.guia_id IS NOT NULL AND OLD.valor_liberado IS NOT NULL
BEGIN
  UPDATE lote_saldo SET esperado = esperado + (SELECT coalesce((SELECT r.valor_liberado
      FROM retorno_guia r WHERE r.guia_id = g.id AND r.valor_liberado IS NOT NULL
      ORDER BY r.id DESC LIMIT 1), g.valor_total) FROM guia g WHERE g.id = OLD.guia_id)
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada');
END;

CREATE TRIGGER lote_saldo_retorno_mudar BEFORE UPDATE OF valor_liberado, guia_id ON retorno_guia
WHEN NEW.valor_liberado IS NOT OLD.valor_liberado OR NEW.guia_id IS NOT OLD.guia_id
BEGIN
  UPDATE lote_saldo SET esperado = esperado - (SELECT coalesce((SELECT r.valor_liberado
      FROM retorno_guia r WHERE r.guia_id = g.id AND r.valor_liberado IS NOT NULL
      ORDER BY r.id DESC LIMIT 1), g.valor_total) FROM guia g WHERE g.id = OLD.guia_id)
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = OLD.guia_id AND OLD.guia_id IS NOT NULL AND g.status <> 'cancelada');
  UPDATE lote_saldo SET esperado = esperado - (SELECT coalesce((SELECT r.valor_liberado
      FROM retorno_guia r WHERE r.guia_id = g.id AND r.valor_liberado IS NOT NULL
      ORDER BY r.id DESC LIMIT 1), g.valor_total) FROM guia g WHERE g.id = NEW.guia_id)
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id AND NEW.guia_id IS NOT OLD.guia_id AND g.status <> 'cancelada');
END;

CREATE TRIGGER lote_saldo_retorno_mudou AFTER UPDATE OF valor_liberado, guia_id ON retorno_guia
WHEN NEW.valor_liberado IS NOT OLD.valor_liberado OR NEW.guia_id IS NOT OLD.guia_id
BEGIN
  UPDATE lote_saldo SET esperado = esperado + (SELECT coalesce((SELECT r.valor_liberado
      FROM retorno_guia r WHERE r.guia_id = g.id AND r.valor_liberado IS NOT NULL
      ORDER BY r.id DESC LIMIT 1), g.valor_total) FROM guia g WHERE g.id = OLD.guia_id)
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = OLD.guia_id AND OLD.guia_id IS NOT NULL AND g.status <> 'cancelada');
  UPDATE lote_saldo SET esperado = esperado + (SELECT coalesce((SELECT r.valor_liberado
      FROM retorno_guia r WHERE r.guia_id = g.id AND r.valor_liberado IS NOT NULL
      ORDER BY r.id DESC LIMIT 1), g.valor_total) FROM guia g WHERE g.id = NEW.guia_id)
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id AND NEW.guia_id IS NOT OLD.guia_id AND g.status <> 'cancelada');
END;

-- glosas: what recursos recovered, what was appealed, the recovered ones
CREATE TRIGGER lote_saldo_glosa_nova AFTER INSERT ON glosa
BEGIN
  UPDATE lote_saldo SET
    recuperavel = recuperavel + CASE WHEN (SELECT g.status <> 'cancelada' FROM guia g
      WHERE g.id = NEW.guia_id) THEN NEW.valor_recuperado ELSE 0 END,
    deferido = deferido + NEW.valor_recuperado,
    recursado = recursado + (SELECT coalesce(sum(ri.valor_recursado), 0) FROM recurso_item ri
      WHERE ri.glosa_id = NEW.id),
    recuperadas = recuperadas + (NEW.situacao = 'recuperada' OR NEW.situacao = 'recuperada_parcial')
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id);
END;

CREATE TRIGGER lote_saldo_glosa_apagada AFTER DELETE ON glosa
BEGIN
  UPDATE lote_saldo SET
    recuperavel = recuperavel - CASE WHEN (SELECT g.status <> 'cancelada' FROM guia g
      WHERE g.id = OLD.guia_id) THEN OLD.valor_recuperado ELSE 0 END,
    deferido = deferido - OLD.valor_recuperado,
    recursado = recursado - (SELECT coalesce(sum(ri.valor_recursado), 0) FROM recurso_item ri
      WHERE ri.glosa_id = OLD.id),
    recuperadas = recuperadas - (OLD.situacao = 'recuperada' OR OLD.situacao = 'recuperada_parcial')
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = OLD.guia_id);
END;

CREATE TRIGGER lote_saldo_glosa_mudou AFTER UPDATE OF valor_recuperado, situacao, guia_id ON glosa
WHEN NEW.valor_recuperado IS NOT OLD.valor_recuperado OR NEW.guia_id IS NOT OLD.guia_id
  OR (NEW.situacao = 'recuperada' OR NEW.situacao = 'recuperada_parcial')
     IS NOT (OLD.situacao = 'recuperada' OR OLD.situacao = 'recuperada_parcial')
BEGIN
  UPDATE lote_saldo SET
    recuperavel = recuperavel - CASE WHEN (SELECT g.status <> 'cancelada' FROM guia g
      WHERE g.id = OLD.guia_id) THEN OLD.valor_recuperado ELSE 0 END,
    deferido = deferido - OLD.valor_recuperado,
    recursado = recursado - (SELECT coalesce(sum(ri.valor_recursado), 0) FROM recurso_item ri
      WHERE ri.glosa_id = OLD.id),
    recuperadas = recuperadas - (OLD.situacao = 'recuperada' OR OLD.situacao = 'recuperada_parcial')
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = OLD.guia_id);
  UPDATE lote_saldo SET
    recuperavel = recuperavel + CASE WHEN (SELECT g.status <> 'cancelada' FROM guia g
      WHERE g.id = NEW.guia_id) THEN NEW.valor_recuperado ELSE 0 END,
    deferido = deferido + NEW.valor_recuperado,
    recursado = recursado + (SELECT coalesce(sum(ri.valor_recursado), 0) FROM recurso_item ri
      WHERE ri.glosa_id = NEW.id),
    recuperadas = recuperadas + (NEW.situacao = 'recuperada' OR NEW.situacao = 'recuperada_parcial')
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id);
END;

CREATE TRIGGER lote_saldo_recurso_novo AFTER INSERT ON recurso_item
BEGIN
  UPDATE lote_saldo SET recursado = recursado + NEW.valor_recursado
  WHERE lote_id = (SELECT g.lote_id FROM glosa gl JOIN guia g ON g.id = gl.guia_id
                    WHERE gl.id = NEW.glosa_id);
END;

CREATE TRIGGER lote_saldo_recurso_apagado AFTER DELETE ON recurso_item
BEGIN
  UPDATE lote_saldo SET recursado = recursado - OLD.valor_recursado
  WHERE lote_id = (SELECT g.lote_id FROM glosa gl JOIN guia g ON g.id = gl.guia_id
                    WHERE gl.id = OLD.glosa_id);
END;

CREATE TRIGGER lote_saldo_recurso_mudou AFTER UPDATE OF valor_recursado, glosa_id ON recurso_item
WHEN NEW.valor_recursado IS NOT OLD.valor_recursado OR NEW.glosa_id IS NOT OLD.glosa_id
BEGIN
  UPDATE lote_saldo SET recursado = recursado - OLD.valor_recursado
  WHERE lote_id = (SELECT g.lote_id FROM glosa gl JOIN guia g ON g.id = gl.guia_id
                    WHERE gl.id = OLD.glosa_id);
  UPDATE lote_saldo SET recursado = recursado + NEW.valor_recursado
  WHERE lote_id = (SELECT g.lote_id FROM glosa gl JOIN guia g ON g.id = gl.guia_id
                    WHERE gl.id = NEW.glosa_id);
END;

-- money received for a guia: its lote's balance and the (lote, receipt) sum
CREATE TRIGGER lote_saldo_recebido_novo AFTER INSERT ON recebimento_guia
BEGIN
  UPDATE lote_saldo SET recebido = recebido + NEW.valor
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada');
  INSERT INTO lote_recebimento (lote_id, recebimento_id, valor, guias)
  SELECT coalesce(g.lote_id, 0), NEW.recebimento_id, NEW.valor, 1 FROM guia g WHERE g.id = NEW.guia_id
  ON CONFLICT (lote_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias;
END;

CREATE TRIGGER lote_saldo_recebido_apagado AFTER DELETE ON recebimento_guia
BEGIN
  UPDATE lote_saldo SET recebido = recebido - OLD.valor
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada');
  UPDATE lote_recebimento SET valor = valor - OLD.valor, guias = guias - 1
  WHERE recebimento_id = OLD.recebimento_id
    AND lote_id = (SELECT coalesce(g.lote_id, 0) FROM guia g WHERE g.id = OLD.guia_id);
END;

CREATE TRIGGER lote_saldo_recebido_mudou AFTER UPDATE OF valor, guia_id, recebimento_id ON recebimento_guia
WHEN NEW.valor IS NOT OLD.valor OR NEW.guia_id IS NOT OLD.guia_id
  OR NEW.recebimento_id IS NOT OLD.recebimento_id
BEGIN
  UPDATE lote_saldo SET recebido = recebido - OLD.valor
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = OLD.guia_id AND g.status <> 'cancelada');
  UPDATE lote_recebimento SET valor = valor - OLD.valor, guias = guias - 1
  WHERE recebimento_id = OLD.recebimento_id
    AND lote_id = (SELECT coalesce(g.lote_id, 0) FROM guia g WHERE g.id = OLD.guia_id);
  UPDATE lote_saldo SET recebido = recebido + NEW.valor
  WHERE lote_id = (SELECT g.lote_id FROM guia g WHERE g.id = NEW.guia_id AND g.status <> 'cancelada');
  INSERT INTO lote_recebimento (lote_id, recebimento_id, valor, guias)
  SELECT coalesce(g.lote_id, 0), NEW.recebimento_id, NEW.valor, 1 FROM guia g WHERE g.id = NEW.guia_id
  ON CONFLICT (lote_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias;
END;
