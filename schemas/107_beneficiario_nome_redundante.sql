-- faturo schema, migration 107 (Part M): drop beneficiario_nome.
--
-- beneficiario_nome(nome, id) (migration 082) is a prefix of
-- beneficiario_nome_busca(nome, id, nome_social) (migration 091): every
-- look-up and every order by name that the first serves, the second serves
-- the same way (the name search names it: INDEXED BY beneficiario_nome_busca).
-- Keeping both made every new beneficiário (one per guia in a large import)
-- write two entries of the same order, in pages far apart in the file.

DROP INDEX IF EXISTS beneficiario_nome;
