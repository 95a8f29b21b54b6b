-- faturo schema, migration 082 (Part M): the guia form's searches by index.
-- A search of digits reads the ranges of the documents and card numbers that
-- start with them (fat_busca.c), and a search by name walks the names in
-- order up to the page's limit, instead of reading every beneficiário.
CREATE INDEX IF NOT EXISTS beneficiario_cns ON beneficiario(cns);
CREATE INDEX IF NOT EXISTS beneficiario_nome ON beneficiario(nome, id);
CREATE INDEX IF NOT EXISTS carteira_numero ON carteira(numero);
