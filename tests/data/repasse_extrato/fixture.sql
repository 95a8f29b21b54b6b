-- A repasse statement for tests/e2e/m_repasse_extrato.sh: three professionals
-- (two with the same name, ordered by id), 1,203 lines (the first one's cross
-- two pages of 512), lines held and paid, with and without a receipt, guia,
-- item, rule or description, text that HTML and JSON must escape, and totals
-- past 2^31 centavos.
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica Exemplo', '11444777000161');
INSERT INTO operadora (id, registro_ans, nome, script) VALUES (1, '312347', 'Aurora Saúde', 'aurora');
INSERT INTO profissional (id, nome, conselho, numero_conselho, uf) VALUES
  (1, 'Dra. Ana <Lima> & "Cia"', 'CRM', '1111', 'SP'),
  (2, 'Bruno Reis', 'CRM', NULL, 'RJ'),
  (3, 'Bruno Reis', 'CRO', '33', 'MG'),
  (4, 'Sem Linhas', 'CRM', '4444', 'SP');
INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, valor_total,
                  competencia, status)
  VALUES (1, 1, 1, 'consulta', 'G-0001', 25000, '2025-03', 'processada');
INSERT INTO item (id, guia_id, sequencial, codigo_tabela, codigo, quantidade_e4,
                  valor_unitario, valor_total)
  VALUES (1, 1, 1, '22', '10101012', 10000, 25000, 25000);
INSERT INTO recebimento (id, operadora_id, origem, data, valor, valor_bruto)
  VALUES (1, 1, 'manual', '2025-05-12', 25000, 25000);
INSERT INTO repasse (id, periodo, status) VALUES (1, '2025-05', 'aberto');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1203)
INSERT INTO repasse_item (id, repasse_id, profissional_id, origem, recebimento_id, guia_id,
                          item_id, base, valor, regra, glosa, situacao, descricao)
SELECT i, 1, CASE WHEN i % 3 = 0 THEN 1 WHEN i % 101 = 1 THEN 2 WHEN i % 2 = 0 THEN 1 ELSE 3 END,
       CASE WHEN i % 5 = 0 THEN 'ajuste' ELSE 'convenio' END,
       CASE WHEN i % 4 = 0 THEN NULL ELSE 1 END,
       CASE WHEN i % 6 = 0 THEN NULL ELSE 1 END,
       CASE WHEN i % 6 = 0 THEN NULL ELSE 1 END,
       i * 1234567, i * 740741 - (i % 7) * 3,
       CASE WHEN i % 9 = 0 THEN NULL ELSE '60% convênio' END,
       CASE WHEN i % 7 = 0 THEN i * 100 ELSE 0 END,
       CASE WHEN i % 7 = 0 THEN 'retido' ELSE 'pagar' END,
       CASE WHEN i % 11 = 0 THEN NULL
            WHEN i % 13 = 0 THEN 'item <b>"Consulta"</b> & cia' || char(10) || 'linha ' || i
            ELSE 'G-0001 item 1: consulta em consultório (' || i || ')' END
FROM n;
COMMIT;
