-- faturo schema, migration 020 (Part M): retorno importar finds a lote by
-- (operadora, número) through the UNIQUE index and, failing that, by
-- (operadora, protocolo): an index, so that the lookup does not walk every
-- lote of the operadora as the database grows.
CREATE INDEX lote_operadora_protocolo ON lote(operadora_id, protocolo);
