-- faturo schema, migration 096 (Part M, web at scale): the mapa de faturas
-- read from counters per fatura.
--
-- The mapa (fat_fatura_mapa: /api/financeiro/mapa and the reports panel)
-- read every sent lote of the month, one row each with five subqueries, and
-- summed them per fatura in C: at a million guias the 4 faturas of a month
-- have 2,278 lotes each. Three tables keep what it needs, by triggers in the
-- same transaction as every write that changes them:
--
--   mapa_lote          one row per lote past 'fechado' (the lotes the mapa
--                      shows): its fatura (NULL: in none), operadora,
--                      competência, número and what it adds to its fatura's
--                      sums (valor informado, liberado, glosado; recursado and
--                      deferido from lote_saldo; esperado = liberado, else
--                      informado, + deferido). The lotes in no fatura are
--                      found by competência through a partial index.
--   fatura_saldo       per fatura, the sums of its mapa_lote rows (lotes,
--                      enviado, liberado, glosado, recursado, deferido,
--                      esperado), what its lotes received (recebido, and
--                      recuperado: the part of receipts that are recovered
--                      money) and primeiro_lote, the lote with the lowest
--                      número (the mapa shows its sending date and protocolo).
--   fatura_recebimento per fatura and receipt, the sum of lote_recebimento
--                      (migration 092) over the fatura's lotes (valor, guias)
--                      and a copy of the receipt's data and recuperado, so
--                      that the date of the last receipt is one index probe.
--                      It has no trigger of its own (an INSERT ... SELECT into
--                      a table with triggers goes through a temporary table).
--
-- Writes that move them: a lote (new, deleted; status, values, número,
-- competência or operadora changed), its lote_saldo row (recursado, deferido;
-- rebuilt by `relatorio recontar`), fatura_lote (a lote joining, leaving or
-- changing fatura), lote_recebimento (line new, deleted, changed) and
-- recebimento (date or recuperado changed). Each source write refreshes the
-- lote's mapa_lote row (an upsert from the lote, or its deletion); the
-- triggers of mapa_lote and fatura_recebimento carry the differences into
-- fatura_saldo. fat_relatorio_recontar rebuilds the three; `faturo
-- verificar` (fatura_saldo_recontado, fatura_recebimento_recontado) compares
-- them with a recount (FAT_MAPA_LOTE_RECONTAGEM, FAT_FATURA_SALDO_RECONTAGEM,
-- FAT_FATURA_RECEBIMENTO_RECONTAGEM in fat_fatura.h).

CREATE TABLE mapa_lote (
  lote_id      INTEGER PRIMARY KEY,
  fatura_id    INTEGER,
  operadora_id INTEGER NOT NULL,
  competencia  TEXT,
  numero       INTEGER NOT NULL,
  enviado      INTEGER NOT NULL DEFAULT 0,
  liberado     INTEGER NOT NULL DEFAULT 0,
  glosado      INTEGER NOT NULL DEFAULT 0,
  recursado    INTEGER NOT NULL DEFAULT 0,
  deferido     INTEGER NOT NULL DEFAULT 0,
  esperado     INTEGER NOT NULL DEFAULT 0
);
-- a fatura's lotes in the mapa's order (its first lote, its page of lotes)
CREATE INDEX mapa_lote_fatura ON mapa_lote(fatura_id, numero, lote_id)
  WHERE fatura_id IS NOT NULL;
-- the sent lotes in no fatura, by month
CREATE INDEX mapa_lote_avulso ON mapa_lote(competencia, operadora_id, numero)
  WHERE fatura_id IS NULL;

CREATE TABLE fatura_saldo (
  fatura_id     INTEGER PRIMARY KEY,
  lotes         INTEGER NOT NULL DEFAULT 0,
  enviado       INTEGER NOT NULL DEFAULT 0,
  liberado      INTEGER NOT NULL DEFAULT 0,
  glosado       INTEGER NOT NULL DEFAULT 0,
  recursado     INTEGER NOT NULL DEFAULT 0,
  deferido      INTEGER NOT NULL DEFAULT 0,
  esperado      INTEGER NOT NULL DEFAULT 0,
  recebido      INTEGER NOT NULL DEFAULT 0,
  recuperado    INTEGER NOT NULL DEFAULT 0,
  primeiro_lote INTEGER
);

CREATE TABLE fatura_recebimento (
  fatura_id      INTEGER NOT NULL,
  recebimento_id INTEGER NOT NULL,
  valor          INTEGER NOT NULL DEFAULT 0,
  guias          INTEGER NOT NULL DEFAULT 0,
  data           TEXT,
  recuperado     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (fatura_id, recebimento_id)
) WITHOUT ROWID;
CREATE INDEX fatura_recebimento_recebimento ON fatura_recebimento(recebimento_id);
-- the last receipt with guias of a fatura, and the last that is not recovered
-- money: walked from the newest date down to the first row with guias (rows
-- left at zero are rare); no partial index, so that the sums of a line
-- (the common write) never touch these indexes
CREATE INDEX fatura_recebimento_data ON fatura_recebimento(fatura_id, data);
CREATE INDEX fatura_recebimento_normal ON fatura_recebimento(fatura_id, recuperado, data);

-- the mapa counted the demonstrativos of each lote with a scan of pagamento;
-- it reads the faturas of one month
CREATE INDEX IF NOT EXISTS pagamento_lote ON pagamento(lote_id);
CREATE INDEX IF NOT EXISTS fatura_competencia ON fatura(competencia, operadora_id);

-- ---- a lote's contribution follows its mapa_lote row ----

CREATE TRIGGER mapa_lote_entrou AFTER INSERT ON mapa_lote
WHEN NEW.fatura_id IS NOT NULL
BEGIN
  INSERT INTO fatura_saldo (fatura_id, lotes, enviado, liberado, glosado, recursado, deferido,
                            esperado)
  VALUES (NEW.fatura_id, 1, NEW.enviado, NEW.liberado, NEW.glosado, NEW.recursado,
          NEW.deferido, NEW.esperado)
  ON CONFLICT (fatura_id) DO UPDATE SET
    lotes = lotes + 1, enviado = enviado + excluded.enviado,
    liberado = liberado + excluded.liberado, glosado = glosado + excluded.glosado,
    recursado = recursado + excluded.recursado, deferido = deferido + excluded.deferido,
    esperado = esperado + excluded.esperado;
  UPDATE fatura_saldo SET primeiro_lote = (SELECT m.lote_id FROM mapa_lote m
      WHERE m.fatura_id = NEW.fatura_id ORDER BY m.numero, m.lote_id LIMIT 1),
    recebido = recebido + (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
                                 WHERE lr.lote_id = NEW.lote_id),
    recuperado = recuperado + (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
      JOIN recebimento r ON r.id = lr.recebimento_id WHERE lr.lote_id = NEW.lote_id AND r.recuperado = 1)
  WHERE fatura_id = NEW.fatura_id;
  INSERT INTO fatura_recebimento (fatura_id, recebimento_id, valor, guias, data, recuperado)
  SELECT NEW.fatura_id, lr.recebimento_id, lr.valor, lr.guias, r.data, coalesce(r.recuperado, 0)
    FROM lote_recebimento lr LEFT JOIN recebimento r ON r.id = lr.recebimento_id
   WHERE lr.lote_id = NEW.lote_id
  ON CONFLICT (fatura_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias, data = excluded.data,
    recuperado = excluded.recuperado;
END;

CREATE TRIGGER mapa_lote_saiu AFTER DELETE ON mapa_lote
WHEN OLD.fatura_id IS NOT NULL
BEGIN
  UPDATE fatura_saldo SET
    lotes = lotes - 1, enviado = enviado - OLD.enviado, liberado = liberado - OLD.liberado,
    glosado = glosado - OLD.glosado, recursado = recursado - OLD.recursado,
    deferido = deferido - OLD.deferido, esperado = esperado - OLD.esperado,
    primeiro_lote = (SELECT m.lote_id FROM mapa_lote m WHERE m.fatura_id = OLD.fatura_id
                      ORDER BY m.numero, m.lote_id LIMIT 1),
    recebido = recebido - (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
                                 WHERE lr.lote_id = OLD.lote_id),
    recuperado = recuperado - (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
      JOIN recebimento r ON r.id = lr.recebimento_id WHERE lr.lote_id = OLD.lote_id AND r.recuperado = 1)
  WHERE fatura_id = OLD.fatura_id;
  -- the lote's receipt lines leave its fatura's (an upsert of their
  -- negatives: no IN list, no ephemeral table; see 080_painel_sem_in.sql)
  INSERT INTO fatura_recebimento (fatura_id, recebimento_id, valor, guias, data, recuperado)
  SELECT OLD.fatura_id, lr.recebimento_id, -lr.valor, -lr.guias, r.data, coalesce(r.recuperado, 0)
    FROM lote_recebimento lr LEFT JOIN recebimento r ON r.id = lr.recebimento_id
   WHERE lr.lote_id = OLD.lote_id AND OLD.fatura_id IS NOT NULL
  ON CONFLICT (fatura_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias, data = excluded.data,
    recuperado = excluded.recuperado;
END;

-- the common case (a lote's values changed, same fatura): the differences
CREATE TRIGGER mapa_lote_valores AFTER UPDATE ON mapa_lote
WHEN NEW.fatura_id = OLD.fatura_id
  AND (NEW.numero IS NOT OLD.numero OR NEW.enviado IS NOT OLD.enviado
    OR NEW.liberado IS NOT OLD.liberado OR NEW.glosado IS NOT OLD.glosado
    OR NEW.recursado IS NOT OLD.recursado OR NEW.deferido IS NOT OLD.deferido
    OR NEW.esperado IS NOT OLD.esperado)
BEGIN
  UPDATE fatura_saldo SET
    enviado = enviado + (NEW.enviado - OLD.enviado),
    liberado = liberado + (NEW.liberado - OLD.liberado),
    glosado = glosado + (NEW.glosado - OLD.glosado),
    recursado = recursado + (NEW.recursado - OLD.recursado),
    deferido = deferido + (NEW.deferido - OLD.deferido),
    esperado = esperado + (NEW.esperado - OLD.esperado),
    primeiro_lote = CASE WHEN NEW.numero IS OLD.numero THEN primeiro_lote
      ELSE (SELECT m.lote_id FROM mapa_lote m WHERE m.fatura_id = NEW.fatura_id
             ORDER BY m.numero, m.lote_id LIMIT 1) END
  WHERE fatura_id = NEW.fatura_id;
END;

-- a lote entering, leaving or changing fatura: its sums and its receipt lines move
CREATE TRIGGER mapa_lote_mudou AFTER UPDATE ON mapa_lote
WHEN NEW.fatura_id IS NOT OLD.fatura_id
BEGIN
  UPDATE fatura_saldo SET
    lotes = lotes - 1, enviado = enviado - OLD.enviado, liberado = liberado - OLD.liberado,
    glosado = glosado - OLD.glosado, recursado = recursado - OLD.recursado,
    deferido = deferido - OLD.deferido, esperado = esperado - OLD.esperado,
    primeiro_lote = (SELECT m.lote_id FROM mapa_lote m WHERE m.fatura_id = OLD.fatura_id
                      ORDER BY m.numero, m.lote_id LIMIT 1),
    recebido = recebido - (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
                                 WHERE lr.lote_id = OLD.lote_id),
    recuperado = recuperado - (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
      JOIN recebimento r ON r.id = lr.recebimento_id WHERE lr.lote_id = OLD.lote_id AND r.recuperado = 1)
  WHERE fatura_id = OLD.fatura_id;
  INSERT INTO fatura_saldo (fatura_id, lotes, enviado, liberado, glosado, recursado, deferido,
                            esperado)
  SELECT NEW.fatura_id, 1, NEW.enviado, NEW.liberado, NEW.glosado, NEW.recursado,
         NEW.deferido, NEW.esperado WHERE NEW.fatura_id IS NOT NULL
  ON CONFLICT (fatura_id) DO UPDATE SET
    lotes = lotes + 1, enviado = enviado + excluded.enviado,
    liberado = liberado + excluded.liberado, glosado = glosado + excluded.glosado,
    recursado = recursado + excluded.recursado, deferido = deferido + excluded.deferido,
    esperado = esperado + excluded.esperado;
  UPDATE fatura_saldo SET primeiro_lote = (SELECT m.lote_id FROM mapa_lote m
      WHERE m.fatura_id = NEW.fatura_id ORDER BY m.numero, m.lote_id LIMIT 1),
    recebido = recebido + (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
                                 WHERE lr.lote_id = NEW.lote_id),
    recuperado = recuperado + (SELECT coalesce(sum(lr.valor), 0) FROM lote_recebimento lr
      JOIN recebimento r ON r.id = lr.recebimento_id WHERE lr.lote_id = NEW.lote_id AND r.recuperado = 1)
  WHERE fatura_id = NEW.fatura_id;
  -- the lote's receipt lines leave its fatura's (an upsert of their
  -- negatives: no IN list, no ephemeral table; see 080_painel_sem_in.sql)
  INSERT INTO fatura_recebimento (fatura_id, recebimento_id, valor, guias, data, recuperado)
  SELECT OLD.fatura_id, lr.recebimento_id, -lr.valor, -lr.guias, r.data, coalesce(r.recuperado, 0)
    FROM lote_recebimento lr LEFT JOIN recebimento r ON r.id = lr.recebimento_id
   WHERE lr.lote_id = OLD.lote_id AND OLD.fatura_id IS NOT NULL
  ON CONFLICT (fatura_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias, data = excluded.data,
    recuperado = excluded.recuperado;
  INSERT INTO fatura_recebimento (fatura_id, recebimento_id, valor, guias, data, recuperado)
  SELECT NEW.fatura_id, lr.recebimento_id, lr.valor, lr.guias, r.data, coalesce(r.recuperado, 0)
    FROM lote_recebimento lr LEFT JOIN recebimento r ON r.id = lr.recebimento_id
   WHERE lr.lote_id = NEW.lote_id AND NEW.fatura_id IS NOT NULL
  ON CONFLICT (fatura_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias, data = excluded.data,
    recuperado = excluded.recuperado;
END;

-- ---- a (lote, receipt) line: its part of the fatura's receipt ----
-- (fatura_recebimento has no trigger: each statement below moves its sums in
-- fatura_saldo itself, so that inserting into it from a SELECT needs no
-- temporary table)

CREATE TRIGGER fatura_recebimento_linha_nova AFTER INSERT ON lote_recebimento
BEGIN
  UPDATE fatura_saldo SET recebido = recebido + NEW.valor,
    recuperado = recuperado + CASE WHEN coalesce((SELECT r.recuperado FROM recebimento r WHERE r.id = NEW.recebimento_id), 0) = 1 THEN NEW.valor ELSE 0 END
  WHERE fatura_id = (SELECT m.fatura_id FROM mapa_lote m WHERE m.lote_id = NEW.lote_id);
  INSERT INTO fatura_recebimento (fatura_id, recebimento_id, valor, guias, data, recuperado)
  SELECT m.fatura_id, NEW.recebimento_id, NEW.valor, NEW.guias,
         (SELECT r.data FROM recebimento r WHERE r.id = NEW.recebimento_id),
         coalesce((SELECT r.recuperado FROM recebimento r WHERE r.id = NEW.recebimento_id), 0)
    FROM mapa_lote m WHERE m.lote_id = NEW.lote_id AND m.fatura_id IS NOT NULL
  ON CONFLICT (fatura_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias, data = excluded.data,
    recuperado = excluded.recuperado;
END;

CREATE TRIGGER fatura_recebimento_linha_apagada AFTER DELETE ON lote_recebimento
BEGIN
  UPDATE fatura_saldo SET recebido = recebido - OLD.valor,
    recuperado = recuperado - CASE WHEN coalesce((SELECT r.recuperado FROM recebimento r WHERE r.id = OLD.recebimento_id), 0) = 1 THEN OLD.valor ELSE 0 END
  WHERE fatura_id = (SELECT m.fatura_id FROM mapa_lote m WHERE m.lote_id = OLD.lote_id);
  UPDATE fatura_recebimento SET valor = valor - OLD.valor, guias = guias - OLD.guias
  WHERE fatura_id = (SELECT m.fatura_id FROM mapa_lote m WHERE m.lote_id = OLD.lote_id) AND recebimento_id = OLD.recebimento_id;
END;

-- the common case (a receipt line added to a guia of the lote): the sums only
CREATE TRIGGER fatura_recebimento_linha_valor AFTER UPDATE OF valor, guias ON lote_recebimento
WHEN (NEW.valor IS NOT OLD.valor OR NEW.guias IS NOT OLD.guias)
  AND NEW.lote_id = OLD.lote_id AND NEW.recebimento_id = OLD.recebimento_id
BEGIN
  UPDATE fatura_saldo SET recebido = recebido + (NEW.valor - OLD.valor),
    recuperado = recuperado + CASE WHEN coalesce((SELECT r.recuperado FROM recebimento r WHERE r.id = NEW.recebimento_id), 0) = 1
                                   THEN NEW.valor - OLD.valor ELSE 0 END
  WHERE fatura_id = (SELECT m.fatura_id FROM mapa_lote m WHERE m.lote_id = NEW.lote_id);
  UPDATE fatura_recebimento SET valor = valor + (NEW.valor - OLD.valor),
    guias = guias + (NEW.guias - OLD.guias)
  WHERE fatura_id = (SELECT m.fatura_id FROM mapa_lote m WHERE m.lote_id = NEW.lote_id) AND recebimento_id = NEW.recebimento_id;
END;

CREATE TRIGGER fatura_recebimento_linha_moveu AFTER UPDATE OF lote_id, recebimento_id
ON lote_recebimento
WHEN NEW.lote_id IS NOT OLD.lote_id OR NEW.recebimento_id IS NOT OLD.recebimento_id
BEGIN
  UPDATE fatura_saldo SET recebido = recebido - OLD.valor,
    recuperado = recuperado - CASE WHEN coalesce((SELECT r.recuperado FROM recebimento r WHERE r.id = OLD.recebimento_id), 0) = 1 THEN OLD.valor ELSE 0 END
  WHERE fatura_id = (SELECT m.fatura_id FROM mapa_lote m WHERE m.lote_id = OLD.lote_id);
  UPDATE fatura_recebimento SET valor = valor - OLD.valor, guias = guias - OLD.guias
  WHERE fatura_id = (SELECT m.fatura_id FROM mapa_lote m WHERE m.lote_id = OLD.lote_id) AND recebimento_id = OLD.recebimento_id;
  UPDATE fatura_saldo SET recebido = recebido + NEW.valor,
    recuperado = recuperado + CASE WHEN coalesce((SELECT r.recuperado FROM recebimento r WHERE r.id = NEW.recebimento_id), 0) = 1 THEN NEW.valor ELSE 0 END
  WHERE fatura_id = (SELECT m.fatura_id FROM mapa_lote m WHERE m.lote_id = NEW.lote_id);
  INSERT INTO fatura_recebimento (fatura_id, recebimento_id, valor, guias, data, recuperado)
  SELECT m.fatura_id, NEW.recebimento_id, NEW.valor, NEW.guias,
         (SELECT r.data FROM recebimento r WHERE r.id = NEW.recebimento_id),
         coalesce((SELECT r.recuperado FROM recebimento r WHERE r.id = NEW.recebimento_id), 0)
    FROM mapa_lote m WHERE m.lote_id = NEW.lote_id AND m.fatura_id IS NOT NULL
  ON CONFLICT (fatura_id, recebimento_id) DO UPDATE SET
    valor = valor + excluded.valor, guias = guias + excluded.guias, data = excluded.data,
    recuperado = excluded.recuperado;
END;

-- a receipt's date or nature changed: its copies, and the recovered part of
-- the faturas it paid (a rare write: the faturas are found by their key)
CREATE TRIGGER fatura_recebimento_recebimento_mudou AFTER UPDATE OF data, recuperado
ON recebimento
WHEN NEW.data IS NOT OLD.data OR NEW.recuperado IS NOT OLD.recuperado
BEGIN
  UPDATE fatura_saldo SET recuperado = recuperado
    + ((NEW.recuperado = 1) - (OLD.recuperado = 1)) * (SELECT fr.valor FROM fatura_recebimento fr
        WHERE fr.fatura_id = fatura_saldo.fatura_id AND fr.recebimento_id = NEW.id)
  WHERE NEW.recuperado IS NOT OLD.recuperado AND EXISTS (SELECT 1 FROM fatura_recebimento fr
    WHERE fr.fatura_id = fatura_saldo.fatura_id AND fr.recebimento_id = NEW.id);
  UPDATE fatura_recebimento SET data = NEW.data, recuperado = NEW.recuperado
  WHERE recebimento_id = NEW.id;
END;

-- ---- the backfill: every lote past 'fechado' (its triggers fill the rest) ----

INSERT INTO mapa_lote (lote_id, fatura_id, operadora_id, competencia, numero, enviado,
                       liberado, glosado, recursado, deferido, esperado)
SELECT l.id, (SELECT fl.fatura_id FROM fatura_lote fl WHERE fl.lote_id = l.id),
       l.operadora_id, l.competencia, l.numero, coalesce(l.valor_informado, 0),
       coalesce(l.valor_liberado, 0), coalesce(l.valor_glosado, 0), coalesce(s.recursado, 0),
       coalesce(s.deferido, 0),
       coalesce(l.valor_liberado, l.valor_informado, 0) + coalesce(s.deferido, 0)
  FROM lote l LEFT JOIN lote_saldo s ON s.lote_id = l.id
 WHERE l.status <> 'aberto' AND l.status <> 'fechado';

-- ---- the writes that refresh a lote's row ----
-- A lote past 'fechado' has its row upserted from the lote, its fatura_lote
-- and its lote_saldo row; a lote back to 'aberto' or 'fechado', or deleted,
-- loses it.

CREATE TRIGGER mapa_lote_lote_novo AFTER INSERT ON lote
WHEN NEW.status <> 'aberto' AND NEW.status <> 'fechado'
BEGIN
  INSERT INTO mapa_lote (lote_id, fatura_id, operadora_id, competencia, numero, enviado,
                         liberado, glosado, recursado, deferido, esperado)
  VALUES (NEW.id, (SELECT fl.fatura_id FROM fatura_lote fl WHERE fl.lote_id = NEW.id),
          NEW.operadora_id, NEW.competencia, NEW.numero, coalesce(NEW.valor_informado, 0),
          coalesce(NEW.valor_liberado, 0), coalesce(NEW.valor_glosado, 0),
          coalesce((SELECT s.recursado FROM lote_saldo s WHERE s.lote_id = NEW.id), 0),
          coalesce((SELECT s.deferido FROM lote_saldo s WHERE s.lote_id = NEW.id), 0),
          coalesce(NEW.valor_liberado, NEW.valor_informado, 0)
            + coalesce((SELECT s.deferido FROM lote_saldo s WHERE s.lote_id = NEW.id), 0))
  ON CONFLICT (lote_id) DO UPDATE SET
    fatura_id = excluded.fatura_id, operadora_id = excluded.operadora_id,
    competencia = excluded.competencia, numero = excluded.numero, enviado = excluded.enviado,
    liberado = excluded.liberado, glosado = excluded.glosado, recursado = excluded.recursado,
    deferido = excluded.deferido, esperado = excluded.esperado;
END;

-- (an upsert of one row, VALUES: an INSERT ... SELECT into mapa_lote, which
-- has triggers, would go through a temporary table)
CREATE TRIGGER mapa_lote_lote_mudou
AFTER UPDATE OF status, valor_informado, valor_liberado, valor_glosado, numero, competencia,
  operadora_id ON lote
WHEN NEW.status <> 'aberto' AND NEW.status <> 'fechado'
  AND (NEW.status IS NOT OLD.status OR NEW.valor_informado IS NOT OLD.valor_informado
    OR NEW.valor_liberado IS NOT OLD.valor_liberado OR NEW.valor_glosado IS NOT OLD.valor_glosado
    OR NEW.numero IS NOT OLD.numero OR NEW.competencia IS NOT OLD.competencia
    OR NEW.operadora_id IS NOT OLD.operadora_id)
BEGIN
  INSERT INTO mapa_lote (lote_id, fatura_id, operadora_id, competencia, numero, enviado,
                         liberado, glosado, recursado, deferido, esperado)
  VALUES (NEW.id, (SELECT fl.fatura_id FROM fatura_lote fl WHERE fl.lote_id = NEW.id),
          NEW.operadora_id, NEW.competencia, NEW.numero, coalesce(NEW.valor_informado, 0),
          coalesce(NEW.valor_liberado, 0), coalesce(NEW.valor_glosado, 0),
          coalesce((SELECT s.recursado FROM lote_saldo s WHERE s.lote_id = NEW.id), 0),
          coalesce((SELECT s.deferido FROM lote_saldo s WHERE s.lote_id = NEW.id), 0),
          coalesce(NEW.valor_liberado, NEW.valor_informado, 0)
            + coalesce((SELECT s.deferido FROM lote_saldo s WHERE s.lote_id = NEW.id), 0))
  ON CONFLICT (lote_id) DO UPDATE SET
    fatura_id = excluded.fatura_id, operadora_id = excluded.operadora_id,
    competencia = excluded.competencia, numero = excluded.numero, enviado = excluded.enviado,
    liberado = excluded.liberado, glosado = excluded.glosado, recursado = excluded.recursado,
    deferido = excluded.deferido, esperado = excluded.esperado;
END;

CREATE TRIGGER mapa_lote_lote_voltou AFTER UPDATE OF status ON lote
WHEN (NEW.status = 'aberto' OR NEW.status = 'fechado') AND NEW.status IS NOT OLD.status
BEGIN
  DELETE FROM mapa_lote WHERE lote_id = NEW.id;
END;

CREATE TRIGGER mapa_lote_lote_apagado AFTER DELETE ON lote
BEGIN
  DELETE FROM mapa_lote WHERE lote_id = OLD.id;
END;

-- recursado and deferido of the lote (its lote_saldo row: changed, or
-- deleted and inserted again by `relatorio recontar`)
CREATE TRIGGER mapa_lote_saldo_mudou AFTER UPDATE OF recursado, deferido ON lote_saldo
WHEN NEW.recursado IS NOT OLD.recursado OR NEW.deferido IS NOT OLD.deferido
BEGIN
  UPDATE mapa_lote SET recursado = NEW.recursado, deferido = NEW.deferido,
    esperado = esperado - deferido + NEW.deferido
  WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER mapa_lote_saldo_novo AFTER INSERT ON lote_saldo
BEGIN
  UPDATE mapa_lote SET recursado = NEW.recursado, deferido = NEW.deferido,
    esperado = esperado - deferido + NEW.deferido
  WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER mapa_lote_saldo_apagado AFTER DELETE ON lote_saldo
BEGIN
  UPDATE mapa_lote SET recursado = 0, deferido = 0, esperado = esperado - deferido
  WHERE lote_id = OLD.lote_id;
END;

-- a lote joining, leaving or changing fatura
CREATE TRIGGER mapa_lote_fatura_novo AFTER INSERT ON fatura_lote
BEGIN
  UPDATE mapa_lote SET fatura_id = NEW.fatura_id WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER mapa_lote_fatura_apagado AFTER DELETE ON fatura_lote
BEGIN
  UPDATE mapa_lote SET fatura_id = NULL WHERE lote_id = OLD.lote_id;
END;

CREATE TRIGGER mapa_lote_fatura_mudou AFTER UPDATE ON fatura_lote
BEGIN
  UPDATE mapa_lote SET fatura_id = NULL WHERE lote_id = OLD.lote_id;
  UPDATE mapa_lote SET fatura_id = NEW.fatura_id WHERE lote_id = NEW.lote_id;
END;
