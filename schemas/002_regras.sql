-- faturo schema, migration 002 (Part B, rules engine).
-- hash: SHA-256 over every "chave sha256" line of the generation (sorted), so
-- an identical reload reuses the active generation instead of adding a row.
ALTER TABLE regra_geracao ADD COLUMN hash TEXT;
-- number of operator scripts and of self-tests that passed when it was published
ALTER TABLE regra_geracao ADD COLUMN n_scripts INTEGER;
ALTER TABLE regra_geracao ADD COLUMN n_testes INTEGER;
-- at most one active generation
CREATE UNIQUE INDEX regra_geracao_ativa ON regra_geracao(ativa) WHERE ativa = 1;
