-- faturo schema, migration 017 (Part K): the demo's injected-defect table is
-- not part of the billing schema. `faturo demo` creates demo_defeito itself
-- (engine/demo) in the store it fills; a production store never has it.
DROP TABLE IF EXISTS demo_defeito;
