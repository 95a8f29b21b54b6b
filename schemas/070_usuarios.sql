-- faturo schema, migration 070 (Part N): the life of a panel user.
--
-- A user is deactivated instead of deleted (its name stays in the audit
-- trail); an admin may set a one-time password the user must change at the
-- next login; admins and supervisors may enrol an authenticator app (TOTP,
-- RFC 6238). The authenticator's secret is stored encrypted with a key
-- derived from the user's password (argon2id), so a copy of the database
-- alone does not give it away, and it is never shown again after enrolment.

ALTER TABLE usuario ADD COLUMN troca_senha INTEGER NOT NULL DEFAULT 0; -- 1: one-time password, change at next login
ALTER TABLE usuario ADD COLUMN senha_em TEXT;          -- when the password was last set
ALTER TABLE usuario ADD COLUMN desativado_em TEXT;     -- set while ativo = 0
ALTER TABLE usuario ADD COLUMN desativado_por TEXT;
-- 'v1$ops$mem$salt$nonce$cifra' (hex): crypto_secretbox of the TOTP secret
-- under crypto_pwhash(password, salt, ops, mem)
ALTER TABLE usuario ADD COLUMN totp_segredo TEXT;      -- enrolled (second factor on)
ALTER TABLE usuario ADD COLUMN totp_pendente TEXT;     -- shown at enrolment, awaiting its first code
ALTER TABLE usuario ADD COLUMN totp_passo INTEGER;     -- last time step accepted: a code works once

UPDATE usuario SET senha_em = criado_em WHERE senha_hash IS NOT NULL;
UPDATE usuario SET desativado_em = criado_em WHERE ativo = 0;
