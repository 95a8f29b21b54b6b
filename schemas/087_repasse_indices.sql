-- faturo schema, migration 087 (Part M): indexes for the repasse lines of a
-- receipt.
--
-- The financial invariants (`faturo verificar`, the demo's financeiro step)
-- sum, for each guia of each recebimento, the repasse lines that stand on
-- it. With only repasse_item(repasse_id, profissional_id) every guia scanned
-- every line of its period: recebimento_guia x repasse_item row visits,
-- quadratic in the month's volume (16 s of a 2,000-guia demo on a shared
-- box, 1.6 s of CPU; 0.02 s with these indexes). The repasse's own
-- reads by receipt and by private payment use them too.

CREATE INDEX IF NOT EXISTS repasse_item_recebimento
  ON repasse_item(repasse_id, recebimento_id, guia_id);
CREATE INDEX IF NOT EXISTS repasse_item_particular
  ON repasse_item(repasse_id, pagamento_particular_id);
