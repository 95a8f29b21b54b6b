-- faturo schema, migration 061 (Part H): the open particular attendances, so
-- the aging of the management dashboard walks only what is still to receive
-- (the open lotes are found through lote_status and glosa_situacao).
CREATE INDEX particular_aberto ON particular(data) WHERE status = 'aberto';
