-- Glosas for tests/e2e/m_glosa_listar.sh: 1,234 glosas (more than two pages
-- of 500 of the old listing) on two operadoras and two competências, of a
-- guia or of an item, every situação, classificação and motive group,
-- prevista true, false and not analysed, with and without a professional,
-- and text that JSON must escape (quotes, backslash, line break, tab,
-- accents, an emoji). Loaded with sqlite3 into a database made by
-- `faturo init`.
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica Exemplo', '11444777000161');
INSERT INTO operadora (id, registro_ans, nome, script) VALUES
  (1, '312347', 'Aurora Saúde', 'aurora'),
  (2, '419999', 'Operadora "Dois" \ Ltda', 'dois');
INSERT INTO profissional (id, nome, conselho, numero_conselho, uf) VALUES
  (1, 'Dra. Ana <Lima> & "Cia"', 'CRM', '1111', 'SP'),
  (2, 'José Ñandú 🩺', 'CRO', '22', 'RJ');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, numero_operadora,
                  valor_total, competencia, status, executante_id)
  SELECT i, 1, 1 + (i % 2), CASE i % 3 WHEN 0 THEN 'consulta' ELSE 'sp-sadt' END,
         printf('G-%05d', i), CASE WHEN i % 4 = 0 THEN NULL ELSE printf('OP%06d', i) END,
         10000 + i, CASE WHEN i % 5 = 0 THEN '2025-02' ELSE '2025-03' END, 'processada',
         CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN 1 ELSE 2 END
  FROM n;
INSERT INTO item (id, guia_id, sequencial, codigo_tabela, codigo, quantidade_e4,
                  valor_unitario, valor_total, profissional_id)
  SELECT id, id, 1 + (id % 3), '22', printf('%08d', 10101012 + id), 10000, 5000 + id,
         5000 + id, CASE WHEN id % 7 = 0 THEN 2 ELSE NULL END
  FROM guia;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234)
INSERT INTO glosa (id, guia_id, item_id, codigo, valor, origem, observacao, grupo,
                   classificacao, evidencia, situacao, descricao, prazo_recurso, prevista,
                   prevista_por, valor_recuperado, competencia)
  SELECT i, 1 + (i % 300), CASE WHEN i % 4 = 0 THEN NULL ELSE 1 + (i % 300) END,
         printf('%04d', 1001 + (i % 37)), (i * 7919) % 1000000 + 1,
         CASE WHEN i % 9 = 0 THEN 'manual' ELSE 'retorno' END,
         CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 'obs "entre aspas" \ barra'
                    WHEN 2 THEN 'linha 1' || char(10) || 'linha 2' || char(9) || 'tab'
                    ELSE 'observação ' || i END,
         CASE i % 8 WHEN 0 THEN 'cadastro' WHEN 1 THEN 'autorizacao' WHEN 2 THEN 'documentacao'
                    WHEN 3 THEN 'cobranca' WHEN 4 THEN 'tecnica' WHEN 5 THEN 'prazo'
                    WHEN 6 THEN 'outros' ELSE NULL END,
         CASE i % 3 WHEN 0 THEN 'devida' WHEN 1 THEN 'indevida' ELSE 'a_classificar' END,
         CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN 'carteira válida até 31/12/2026 🙂'
                    WHEN 2 THEN 'senha "12345" \n não é quebra' || char(10) || 'mas esta é'
                    ELSE 'evidência ' || i END,
         CASE i % 6 WHEN 0 THEN 'aberta' WHEN 1 THEN 'em_recurso' WHEN 2 THEN 'recuperada'
                    WHEN 3 THEN 'recuperada_parcial' WHEN 4 THEN 'perdida' ELSE 'aceita' END,
         CASE WHEN i % 10 = 0 THEN NULL ELSE 'descrição ' || (i % 37) END,
         CASE WHEN i % 11 = 0 THEN NULL ELSE printf('2025-%02d-%02d', 4 + (i % 6), 1 + (i % 28)) END,
         CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN 1 ELSE 0 END,
         CASE WHEN i % 3 = 1 THEN 'regra_' || (i % 5) ELSE NULL END,
         CASE WHEN i % 6 IN (2, 3) THEN (i * 7919) % 1000 ELSE 0 END,
         CASE WHEN (1 + (i % 300)) % 5 = 0 THEN '2025-02' ELSE '2025-03' END
  FROM n;
COMMIT;
