-- faturo schema, migration 090 (Part M, web at scale): an operadora's usual
-- time to protocolar a lote, kept as counters.
--
-- The inadimplência report lists the lotes sent and not protocolados for
-- longer than the operadora's usual time: the mean days from sending to
-- protocolo of its earlier lotes, rounded up, at least 1. Computed per
-- request it read every lote of the history. lote_prazo_protocolo keeps,
-- per operadora, over its lotes with both dates:
--   lotes = how many, dias = sum of max(0, whole days from enviado_em to
--   protocolo_data) (a date julianday cannot read adds 0, as sum() skipped it)
-- so the usual time is max(1, (dias + lotes - 1) / lotes). The triggers keep
-- it in the same transaction as every write of a lote (new, deleted, sent,
-- protocolado, moved to another operadora); fat_relatorio_recontar rebuilds
-- it and `faturo verificar` (lote_prazo_protocolo_recontado) compares it
-- with a recount.

CREATE TABLE lote_prazo_protocolo (
  operadora_id INTEGER PRIMARY KEY,
  lotes        INTEGER NOT NULL DEFAULT 0,
  dias         INTEGER NOT NULL DEFAULT 0
);

INSERT INTO lote_prazo_protocolo (operadora_id, lotes, dias)
SELECT operadora_id, count(*),
       coalesce(sum(max(0, CAST(julianday(protocolo_data) - julianday(enviado_em) AS INTEGER))), 0)
  FROM lote WHERE protocolo_data IS NOT NULL AND enviado_em IS NOT NULL
 GROUP BY operadora_id;

CREATE TRIGGER lote_prazo_protocolo_novo AFTER INSERT ON lote
WHEN NEW.protocolo_data IS NOT NULL AND NEW.enviado_em IS NOT NULL
BEGIN
  INSERT INTO lote_prazo_protocolo (operadora_id, lotes, dias)
  VALUES (NEW.operadora_id, 1,
          coalesce(max(0, CAST(julianday(NEW.protocolo_data) - julianday(NEW.enviado_em) AS INTEGER)), 0))
  ON CONFLICT (operadora_id) DO UPDATE SET
    lotes = lotes + excluded.lotes, dias = dias + excluded.dias;
END;

CREATE TRIGGER lote_prazo_protocolo_apagado AFTER DELETE ON lote
WHEN OLD.protocolo_data IS NOT NULL AND OLD.enviado_em IS NOT NULL
BEGIN
  UPDATE lote_prazo_protocolo SET lotes = lotes - 1,
    dias = dias - coalesce(max(0, CAST(julianday(OLD.protocolo_data) - julianday(OLD.enviado_em) AS INTEGER)), 0)
  WHERE operadora_id = OLD.operadora_id;
END;

CREATE TRIGGER lote_prazo_protocolo_mudou
AFTER UPDATE OF protocolo_data, enviado_em, operadora_id ON lote
WHEN NEW.protocolo_data IS NOT OLD.protocolo_data OR NEW.enviado_em IS NOT OLD.enviado_em
  OR NEW.operadora_id IS NOT OLD.operadora_id
BEGIN
  UPDATE lote_prazo_protocolo SET lotes = lotes - 1,
    dias = dias - coalesce(max(0, CAST(julianday(OLD.protocolo_data) - julianday(OLD.enviado_em) AS INTEGER)), 0)
  WHERE operadora_id = OLD.operadora_id
    AND OLD.protocolo_data IS NOT NULL AND OLD.enviado_em IS NOT NULL;
  INSERT INTO lote_prazo_protocolo (operadora_id, lotes, dias)
  SELECT NEW.operadora_id, 1,
         coalesce(max(0, CAST(julianday(NEW.protocolo_data) - julianday(NEW.enviado_em) AS INTEGER)), 0)
   WHERE NEW.protocolo_data IS NOT NULL AND NEW.enviado_em IS NOT NULL
  ON CONFLICT (operadora_id) DO UPDATE SET
    lotes = lotes + excluded.lotes, dias = dias + excluded.dias;
END;
