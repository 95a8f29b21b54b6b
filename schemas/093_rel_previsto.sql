-- faturo schema, migration 093 (Part M, web at scale): previsto × realizado
-- read from counters per month and per receipt.
--
-- The report (fat_rel_previsto) read every lote past 'fechado' to find the
-- ones expected to be paid in the period (the expected date comes from the
-- lote's fatura, else from the lote: no index has it) and every
-- (lote, receipt) line of the receipts of the period: it grew with the lotes.
-- Three tables keep what it needs, by triggers in the same transaction as
-- every write that changes them:
--
--   rel_previsto_lote        one row per lote: its operadora, its expected
--                            payment date as the report sees it (previsao:
--                            the fatura's previsao_pagamento, else the
--                            lote's; NULL while the lote is 'aberto' or
--                            'fechado' or when there is no date) and what it
--                            should bring (esperado: valor_liberado, else
--                            valor_informado). mes, chave and dia are derived
--                            from them (generated columns).
--   rel_previsto_mes         per month of previsao and operadora of the lote:
--                            how many lotes and the sum of esperado.
--   rel_previsto_recebimento per receipt and (month of previsao, operadora) of
--                            the lote each of its lote_recebimento lines
--                            belongs to (('', 0) for the lines of lote 0 and of
--                            lotes without previsao): how many lines, their
--                            valor, and the sum of valor × the day of the
--                            lote's previsao (days since 2000-01-01). The
--                            weighted delay of a receipt paid on day D is
--                            valor × D − dias_valor (dates are 'AAAA-MM-DD').
--
-- A lote's contract terms are frozen when it closes (005, 051) and its
-- previsao_pagamento is written when it is sent or protocolled, so a rules
-- reload does not move an expected date: only writes to lote, fatura,
-- fatura_lote and lote_recebimento do, and each has its trigger below.
-- Whether a receipt is recovered money, its date and its operadora are read
-- from recebimento when the report runs. fat_relatorio_recontar rebuilds the
-- three tables; `faturo verificar` (rel_previsto_recontado) compares them
-- with a recount (FAT_REL_PREVISTO_*_RECONTAGEM in fat_relatorio.h).

CREATE TABLE rel_previsto_lote (
  lote_id      INTEGER PRIMARY KEY,
  operadora_id INTEGER NOT NULL,
  previsao     TEXT,
  esperado     INTEGER NOT NULL,
  mes          TEXT GENERATED ALWAYS AS (coalesce(substr(previsao, 1, 7), '')) VIRTUAL,
  chave        INTEGER GENERATED ALWAYS AS (CASE WHEN previsao IS NULL THEN 0
                                            ELSE operadora_id END) VIRTUAL,
  dia          INTEGER GENERATED ALWAYS AS (coalesce(CAST(julianday(previsao) - 2451544.5
                                                     AS INTEGER), 0)) VIRTUAL
);

CREATE TABLE rel_previsto_mes (
  mes          TEXT NOT NULL,
  operadora_id INTEGER NOT NULL,
  lotes        INTEGER NOT NULL DEFAULT 0,
  previsto     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (mes, operadora_id)
) WITHOUT ROWID;

CREATE TABLE rel_previsto_recebimento (
  recebimento_id INTEGER NOT NULL,
  mes            TEXT NOT NULL,
  operadora_id   INTEGER NOT NULL,
  linhas         INTEGER NOT NULL DEFAULT 0,
  valor          INTEGER NOT NULL DEFAULT 0,
  dias_valor     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (recebimento_id, mes, operadora_id)
) WITHOUT ROWID;
CREATE INDEX rel_previsto_recebimento_mes ON rel_previsto_recebimento(mes, operadora_id);

INSERT INTO rel_previsto_lote (lote_id, operadora_id, previsao, esperado)
SELECT l.id, l.operadora_id,
       CASE WHEN l.status <> 'aberto' AND l.status <> 'fechado' THEN
         coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl JOIN fatura f
                    ON f.id = fl.fatura_id WHERE fl.lote_id = l.id), l.previsao_pagamento) END,
       coalesce(l.valor_liberado, l.valor_informado)
  FROM lote l;

INSERT INTO rel_previsto_mes (mes, operadora_id, lotes, previsto)
SELECT mes, operadora_id, count(*), sum(esperado) FROM rel_previsto_lote
 WHERE previsao IS NOT NULL GROUP BY mes, operadora_id;

INSERT INTO rel_previsto_recebimento (recebimento_id, mes, operadora_id, linhas, valor, dias_valor)
SELECT lr.recebimento_id, coalesce(p.mes, ''), coalesce(p.chave, 0), count(*), sum(lr.valor),
       sum(lr.valor * coalesce(p.dia, 0))
  FROM lote_recebimento lr LEFT JOIN rel_previsto_lote p ON p.lote_id = lr.lote_id
 GROUP BY lr.recebimento_id, coalesce(p.mes, ''), coalesce(p.chave, 0);

-- ---- what moves a lote's expected date, operadora or esperado ----

CREATE TRIGGER rel_previsto_lote_novo AFTER INSERT ON lote
BEGIN
  INSERT INTO rel_previsto_lote (lote_id, operadora_id, previsao, esperado)
  VALUES (NEW.id, NEW.operadora_id,
          CASE WHEN NEW.status <> 'aberto' AND NEW.status <> 'fechado' THEN
            coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl JOIN fatura f
                       ON f.id = fl.fatura_id WHERE fl.lote_id = NEW.id),
                     NEW.previsao_pagamento) END,
          coalesce(NEW.valor_liberado, NEW.valor_informado));
END;

CREATE TRIGGER rel_previsto_lote_mudou
AFTER UPDATE OF status, previsao_pagamento, valor_liberado, valor_informado, operadora_id ON lote
WHEN NEW.status IS NOT OLD.status OR NEW.previsao_pagamento IS NOT OLD.previsao_pagamento
  OR NEW.valor_liberado IS NOT OLD.valor_liberado OR NEW.valor_informado IS NOT OLD.valor_informado
  OR NEW.operadora_id IS NOT OLD.operadora_id
BEGIN
  UPDATE rel_previsto_lote SET
    operadora_id = NEW.operadora_id,
    previsao = CASE WHEN NEW.status <> 'aberto' AND NEW.status <> 'fechado' THEN
                 coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl JOIN fatura f
                            ON f.id = fl.fatura_id WHERE fl.lote_id = NEW.id),
                          NEW.previsao_pagamento) END,
    esperado = coalesce(NEW.valor_liberado, NEW.valor_informado)
  WHERE lote_id = NEW.id;
END;

CREATE TRIGGER rel_previsto_lote_apagado AFTER DELETE ON lote
BEGIN
  DELETE FROM rel_previsto_lote WHERE lote_id = OLD.id;
END;

-- a lote joining or leaving a fatura, a fatura's date changed
CREATE TRIGGER rel_previsto_fatura_lote_novo AFTER INSERT ON fatura_lote
BEGIN
  UPDATE rel_previsto_lote SET previsao = (SELECT CASE WHEN l.status <> 'aberto'
      AND l.status <> 'fechado' THEN coalesce((SELECT f.previsao_pagamento FROM fatura f
      WHERE f.id = NEW.fatura_id), l.previsao_pagamento) END FROM lote l WHERE l.id = NEW.lote_id)
  WHERE lote_id = NEW.lote_id;
END;

CREATE TRIGGER rel_previsto_fatura_lote_apagado AFTER DELETE ON fatura_lote
BEGIN
  UPDATE rel_previsto_lote SET previsao = (SELECT CASE WHEN l.status <> 'aberto'
      AND l.status <> 'fechado' THEN coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl
      JOIN fatura f ON f.id = fl.fatura_id WHERE fl.lote_id = l.id), l.previsao_pagamento) END
      FROM lote l WHERE l.id = OLD.lote_id)
  WHERE lote_id = OLD.lote_id;
END;

CREATE TRIGGER rel_previsto_fatura_lote_mudou AFTER UPDATE ON fatura_lote
BEGIN
  UPDATE rel_previsto_lote SET previsao = (SELECT CASE WHEN l.status <> 'aberto'
      AND l.status <> 'fechado' THEN coalesce((SELECT f.previsao_pagamento FROM fatura_lote fl
      JOIN fatura f ON f.id = fl.fatura_id WHERE fl.lote_id = l.id), l.previsao_pagamento) END
      FROM lote l WHERE l.id = rel_previsto_lote.lote_id)
  WHERE lote_id = OLD.lote_id OR lote_id = NEW.lote_id;
END;

CREATE TRIGGER rel_previsto_fatura_mudou AFTER UPDATE OF previsao_pagamento ON fatura
WHEN NEW.previsao_pagamento IS NOT OLD.previsao_pagamento
BEGIN
  UPDATE rel_previsto_lote SET previsao = (SELECT CASE WHEN l.status <> 'aberto'
      AND l.status <> 'fechado' THEN coalesce(NEW.previsao_pagamento, l.previsao_pagamento) END
      FROM lote l WHERE l.id = rel_previsto_lote.lote_id)
  WHERE lote_id IN (SELECT fl.lote_id FROM fatura_lote fl WHERE fl.fatura_id = NEW.id);
END;

-- ---- a lote's contribution follows its row ----

CREATE TRIGGER rel_previsto_lote_entrou AFTER INSERT ON rel_previsto_lote
WHEN NEW.previsao IS NOT NULL
BEGIN
  INSERT INTO rel_previsto_mes (mes, operadora_id, lotes, previsto)
  SELECT NEW.mes, NEW.operadora_id, 1, NEW.esperado WHERE NEW.previsao IS NOT NULL
  ON CONFLICT (mes, operadora_id) DO UPDATE SET
    lotes = lotes + 1, previsto = previsto + excluded.previsto;
  -- lines already there (a lote id reused) move out of ('', 0)
  UPDATE rel_previsto_recebimento SET
    linhas = linhas - 1,
    valor = valor - (SELECT lr.valor FROM lote_recebimento lr WHERE lr.lote_id = NEW.lote_id
                      AND lr.recebimento_id = rel_previsto_recebimento.recebimento_id)
  WHERE NEW.previsao IS NOT NULL AND mes = '' AND operadora_id = 0
    AND EXISTS (SELECT 1 FROM lote_recebimento lr WHERE lr.lote_id = NEW.lote_id
                 AND lr.recebimento_id = rel_previsto_recebimento.recebimento_id);
  INSERT INTO rel_previsto_recebimento (recebimento_id, mes, operadora_id, linhas, valor,
                                        dias_valor)
  SELECT lr.recebimento_id, NEW.mes, NEW.chave, 1, lr.valor, lr.valor * NEW.dia
    FROM lote_recebimento lr WHERE lr.lote_id = NEW.lote_id AND NEW.previsao IS NOT NULL
  ON CONFLICT (recebimento_id, mes, operadora_id) DO UPDATE SET
    linhas = linhas + 1, valor = valor + excluded.valor, dias_valor = dias_valor + excluded.dias_valor;
END;

CREATE TRIGGER rel_previsto_lote_saiu AFTER DELETE ON rel_previsto_lote
WHEN OLD.previsao IS NOT NULL
BEGIN
  UPDATE rel_previsto_mes SET lotes = lotes - 1, previsto = previsto - OLD.esperado
  WHERE OLD.previsao IS NOT NULL AND mes = OLD.mes AND operadora_id = OLD.operadora_id;
  -- lines still there go back to ('', 0)
  UPDATE rel_previsto_recebimento SET
    linhas = linhas - 1,
    valor = valor - (SELECT lr.valor FROM lote_recebimento lr WHERE lr.lote_id = OLD.lote_id
                      AND lr.recebimento_id = rel_previsto_recebimento.recebimento_id),
    dias_valor = dias_valor - OLD.dia * (SELECT lr.valor FROM lote_recebimento lr
      WHERE lr.lote_id = OLD.lote_id AND lr.recebimento_id = rel_previsto_recebimento.recebimento_id)
  WHERE OLD.previsao IS NOT NULL AND mes = OLD.mes AND operadora_id = OLD.chave
    AND EXISTS (SELECT 1 FROM lote_recebimento lr WHERE lr.lote_id = OLD.lote_id
                 AND lr.recebimento_id = rel_previsto_recebimento.recebimento_id);
  INSERT INTO rel_previsto_recebimento (recebimento_id, mes, operadora_id, linhas, valor,
                                        dias_valor)
  SELECT lr.recebimento_id, '', 0, 1, lr.valor, 0
    FROM lote_recebimento lr WHERE lr.lote_id = OLD.lote_id AND OLD.previsao IS NOT NULL
  ON CONFLICT (recebimento_id, mes, operadora_id) DO UPDATE SET
    linhas = linhas + 1, valor = valor + excluded.valor;
END;

CREATE TRIGGER rel_previsto_lote_moveu AFTER UPDATE ON rel_previsto_lote
WHEN NEW.previsao IS NOT OLD.previsao OR NEW.operadora_id IS NOT OLD.operadora_id
  OR NEW.esperado IS NOT OLD.esperado OR NEW.lote_id IS NOT OLD.lote_id
BEGIN
  UPDATE rel_previsto_mes SET lotes = lotes - 1, previsto = previsto - OLD.esperado
  WHERE OLD.previsao IS NOT NULL AND mes = OLD.mes AND operadora_id = OLD.operadora_id;
  INSERT INTO rel_previsto_mes (mes, operadora_id, lotes, previsto)
  SELECT NEW.mes, NEW.operadora_id, 1, NEW.esperado WHERE NEW.previsao IS NOT NULL
  ON CONFLICT (mes, operadora_id) DO UPDATE SET
    lotes = lotes + 1, previsto = previsto + excluded.previsto;
  -- the lote's receipt lines move when its key or its day changes
  UPDATE rel_previsto_recebimento SET
    linhas = linhas - 1,
    valor = valor - (SELECT lr.valor FROM lote_recebimento lr WHERE lr.lote_id = OLD.lote_id
                      AND lr.recebimento_id = rel_previsto_recebimento.recebimento_id),
    dias_valor = dias_valor - OLD.dia * (SELECT lr.valor FROM lote_recebimento lr
      WHERE lr.lote_id = OLD.lote_id AND lr.recebimento_id = rel_previsto_recebimento.recebimento_id)
  WHERE (NEW.mes IS NOT OLD.mes OR NEW.chave IS NOT OLD.chave OR NEW.dia IS NOT OLD.dia
         OR NEW.lote_id IS NOT OLD.lote_id)
    AND mes = OLD.mes AND operadora_id = OLD.chave
    AND EXISTS (SELECT 1 FROM lote_recebimento lr WHERE lr.lote_id = OLD.lote_id
                 AND lr.recebimento_id = rel_previsto_recebimento.recebimento_id);
  INSERT INTO rel_previsto_recebimento (recebimento_id, mes, operadora_id, linhas, valor,
                                        dias_valor)
  SELECT lr.recebimento_id, NEW.mes, NEW.chave, 1, lr.valor, lr.valor * NEW.dia
    FROM lote_recebimento lr WHERE lr.lote_id = NEW.lote_id
     AND (NEW.mes IS NOT OLD.mes OR NEW.chave IS NOT OLD.chave OR NEW.dia IS NOT OLD.dia
          OR NEW.lote_id IS NOT OLD.lote_id)
  ON CONFLICT (recebimento_id, mes, operadora_id) DO UPDATE SET
    linhas = linhas + 1, valor = valor + excluded.valor, dias_valor = dias_valor + excluded.dias_valor;
END;

-- ---- a (lote, receipt) line: its part of the receipt, under its lote's key ----

CREATE TRIGGER rel_previsto_recebido_novo AFTER INSERT ON lote_recebimento
BEGIN
  INSERT INTO rel_previsto_recebimento (recebimento_id, mes, operadora_id, linhas, valor,
                                        dias_valor)
  VALUES (NEW.recebimento_id,
          coalesce((SELECT p.mes FROM rel_previsto_lote p WHERE p.lote_id = NEW.lote_id), ''),
          coalesce((SELECT p.chave FROM rel_previsto_lote p WHERE p.lote_id = NEW.lote_id), 0),
          1, NEW.valor,
          NEW.valor * coalesce((SELECT p.dia FROM rel_previsto_lote p WHERE p.lote_id = NEW.lote_id), 0))
  ON CONFLICT (recebimento_id, mes, operadora_id) DO UPDATE SET
    linhas = linhas + 1, valor = valor + excluded.valor, dias_valor = dias_valor + excluded.dias_valor;
END;

CREATE TRIGGER rel_previsto_recebido_apagado AFTER DELETE ON lote_recebimento
BEGIN
  UPDATE rel_previsto_recebimento SET
    linhas = linhas - 1, valor = valor - OLD.valor,
    dias_valor = dias_valor - OLD.valor * coalesce((SELECT p.dia FROM rel_previsto_lote p
                                                     WHERE p.lote_id = OLD.lote_id), 0)
  WHERE recebimento_id = OLD.recebimento_id
    AND mes = coalesce((SELECT p.mes FROM rel_previsto_lote p WHERE p.lote_id = OLD.lote_id), '')
    AND operadora_id = coalesce((SELECT p.chave FROM rel_previsto_lote p
                                  WHERE p.lote_id = OLD.lote_id), 0);
END;

-- the common case (a receipt line added to a guia of the lote): the value only
CREATE TRIGGER rel_previsto_recebido_valor AFTER UPDATE OF valor ON lote_recebimento
WHEN NEW.valor IS NOT OLD.valor AND NEW.lote_id = OLD.lote_id
  AND NEW.recebimento_id = OLD.recebimento_id
BEGIN
  UPDATE rel_previsto_recebimento SET
    valor = valor + (NEW.valor - OLD.valor),
    dias_valor = dias_valor + (NEW.valor - OLD.valor) * coalesce((SELECT p.dia
      FROM rel_previsto_lote p WHERE p.lote_id = NEW.lote_id), 0)
  WHERE recebimento_id = NEW.recebimento_id
    AND mes = coalesce((SELECT p.mes FROM rel_previsto_lote p WHERE p.lote_id = NEW.lote_id), '')
    AND operadora_id = coalesce((SELECT p.chave FROM rel_previsto_lote p
                                  WHERE p.lote_id = NEW.lote_id), 0);
END;

CREATE TRIGGER rel_previsto_recebido_moveu AFTER UPDATE OF lote_id, recebimento_id ON lote_recebimento
WHEN NEW.lote_id IS NOT OLD.lote_id OR NEW.recebimento_id IS NOT OLD.recebimento_id
BEGIN
  UPDATE rel_previsto_recebimento SET
    linhas = linhas - 1, valor = valor - OLD.valor,
    dias_valor = dias_valor - OLD.valor * coalesce((SELECT p.dia FROM rel_previsto_lote p
                                                     WHERE p.lote_id = OLD.lote_id), 0)
  WHERE recebimento_id = OLD.recebimento_id
    AND mes = coalesce((SELECT p.mes FROM rel_previsto_lote p WHERE p.lote_id = OLD.lote_id), '')
    AND operadora_id = coalesce((SELECT p.chave FROM rel_previsto_lote p
                                  WHERE p.lote_id = OLD.lote_id), 0);
  INSERT INTO rel_previsto_recebimento (recebimento_id, mes, operadora_id, linhas, valor,
                                        dias_valor)
  VALUES (NEW.recebimento_id,
          coalesce((SELECT p.mes FROM rel_previsto_lote p WHERE p.lote_id = NEW.lote_id), ''),
          coalesce((SELECT p.chave FROM rel_previsto_lote p WHERE p.lote_id = NEW.lote_id), 0),
          1, NEW.valor,
          NEW.valor * coalesce((SELECT p.dia FROM rel_previsto_lote p WHERE p.lote_id = NEW.lote_id), 0))
  ON CONFLICT (recebimento_id, mes, operadora_id) DO UPDATE SET
    linhas = linhas + 1, valor = valor + excluded.valor, dias_valor = dias_valor + excluded.dias_valor;
END;
