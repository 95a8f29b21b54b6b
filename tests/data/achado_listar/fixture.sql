-- Findings for tests/e2e/m_achado_listar.sh: 1,234 findings (more than two
-- pages of 500 of the worklist) on 300 guias of two operadoras and two
-- competências, of a guia or of an item, both severities, several codes,
-- open and acknowledged, on cancelled guias too, with and without a
-- professional, and text that JSON, CSV and XLSX must escape (quotes,
-- backslash, line break, tab, <, &, accents, an emoji) or that the aligned
-- table cuts (a long message). Fixed dates: the output does not depend on
-- the day. Loaded with sqlite3 into a database made by `faturo init`.
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO prestador (id, nome, cnpj) VALUES (1, 'Clínica Exemplo', '11444777000161');
INSERT INTO operadora (id, registro_ans, nome, script) VALUES
  (1, '312347', 'Aurora Saúde', 'aurora'),
  (2, '419999', 'Operadora "Dois" \ Ltda', 'dois');
INSERT INTO profissional (id, nome, conselho, numero_conselho, uf, cpf) VALUES
  (1, 'Dra. Ana <Lima> & "Cia"', 'CRM', '1111', 'SP', '52998224725'),
  (2, 'José Ñandú 🩺', 'CRO', '22', 'RJ', NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, valor_total,
                  competencia, status, executante_id)
  SELECT i, 1, 1 + (i % 2), CASE i % 3 WHEN 0 THEN 'consulta' ELSE 'sp-sadt' END,
         printf('G-%05d', i), 10000 + i, CASE WHEN i % 5 = 0 THEN '2025-02' ELSE '2025-03' END,
         CASE WHEN i % 23 = 0 THEN 'cancelada' ELSE 'pendente' END,
         CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN 1 ELSE 2 END
  FROM n;
INSERT INTO item (id, guia_id, sequencial, codigo_tabela, codigo, quantidade_e4,
                  valor_unitario, valor_total, profissional_id)
  SELECT id, id, 1 + (id % 3), '22', printf('%08d', 10101012 + id), 10000, 5000 + id,
         5000 + id, CASE WHEN id % 7 = 0 THEN 2 ELSE NULL END
  FROM guia;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234)
INSERT INTO achado (id, guia_id, item_id, codigo, severidade, campo, mensagem, glosa_prevista,
                    valor_risco, regra, guia_revisao, criado_em, reconhecido_em,
                    reconhecido_por, reconhecido_motivo)
  SELECT i, 1 + ((i * 7) % 300), CASE WHEN i % 4 = 0 THEN 1 + ((i * 7) % 300) ELSE NULL END,
         CASE i % 6 WHEN 0 THEN 'SENHA_AUSENTE' WHEN 1 THEN 'CARTEIRA_VENCIDA'
                    WHEN 2 THEN 'DUPLICIDADE' WHEN 3 THEN 'CONSULTA_RETORNO'
                    WHEN 4 THEN 'PRECO_DIVERGENTE' ELSE 'CID_AUSENTE' END,
         CASE WHEN i % 3 = 0 THEN 'bloqueio' ELSE 'alerta' END,
         CASE WHEN i % 4 = 0 THEN 'itens[0].valor_unitario' WHEN i % 5 = 0 THEN NULL
              ELSE 'senha' END,
         CASE i % 5 WHEN 0 THEN 'mensagem "entre aspas" \ barra <tag> & cia'
                    WHEN 1 THEN 'linha 1' || char(10) || 'linha 2' || char(9) || 'tab'
                    WHEN 2 THEN 'uma mensagem longa que a tabela alinhada corta no limite da célula: ' || i
                    WHEN 3 THEN 'carteira válida até 31/12/2026 🙂'
                    ELSE 'achado ' || i END,
         CASE WHEN i % 2 = 0 THEN '1705' ELSE NULL END,
         (i * 7919) % 1000000 + 1, 'builtin:teste', 1,
         printf('2025-03-%02dT1%d:00:00Z', 1 + (i % 28), i % 10),
         CASE WHEN i % 7 = 0 THEN printf('2025-04-%02dT10:00:00Z', 1 + (i % 28)) ELSE NULL END,
         CASE WHEN i % 7 = 0 THEN 'supervisor' ELSE NULL END,
         CASE WHEN i % 7 = 0 THEN 'aceito; "pela" operadora' ELSE NULL END
  FROM n;
COMMIT;
