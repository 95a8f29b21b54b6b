-- faturo schema, migration 095 (Part M, web at scale): the searches of the
-- guia form walk an index already in the order they answer, and stop at the
-- limit, instead of sorting every row that matched.
--
-- procedimentos (TUSS terms and Brasíndice/Simpro items) group by code and
-- table and answer in code order (fat_busca_procedimentos: GROUP BY codigo,
-- tabela ORDER BY codigo, tabela); profissionais answer in name order.
CREATE INDEX tuss_termo_codigo ON tuss_termo(codigo, tabela, vigencia_inicio);
CREATE INDEX preco_insumo_codigo_tabela ON preco_insumo(codigo, tabela, vigencia_inicio);
CREATE INDEX profissional_nome ON profissional(nome, id);
