-- faturo schema, migration 051 (Part G): the rest of the contract's payment
-- terms frozen in the lote when it closes, next to pagamento_prazo_dias (005),
-- so that previsao_pagamento follows them when the lote is sent and protocolled
-- (fat_contrato_previsao). NULL in lotes closed before this migration: the
-- previsão then stays calendar days from the event being recorded.
ALTER TABLE lote ADD COLUMN pagamento_dias_uteis INTEGER;   -- 1 = business days
ALTER TABLE lote ADD COLUMN pagamento_de_protocolo INTEGER; -- 1 = counted from the protocolo
ALTER TABLE lote ADD COLUMN pagamento_dias_mes TEXT;        -- fixed payment days, '5,20'
