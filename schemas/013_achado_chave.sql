-- migration 013 (conferir): a finding's identity across re-checks of its
-- guia (fat_finding_chave: code, item sequencial, field), so an
-- acknowledgement survives a re-check that finds the same thing even when
-- the guia's items were reordered. Rows stored before this migration have
-- NULL and are matched by code and field, as before.
ALTER TABLE achado ADD COLUMN chave TEXT;
CREATE INDEX achado_guia_chave ON achado(guia_id, chave);
