-- faturo schema, migration 088 (Part M): the repasse's release of held lines.
--
-- Each repasse calculation looks for held ('retido') lines of closed
-- periods that no later line has released yet (repasse_item.origem_item_id
-- pointing at them). Without an index every held line scanned every repasse
-- line: held x all lines, quadratic in the clinic's history (0.58 s of CPU
-- per calculation at 20,000 demo guias, 0.005 s with these indexes).

CREATE INDEX IF NOT EXISTS repasse_item_origem_item
  ON repasse_item(origem_item_id) WHERE origem_item_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS repasse_item_retido
  ON repasse_item(repasse_id) WHERE situacao = 'retido';
