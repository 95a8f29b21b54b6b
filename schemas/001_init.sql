-- faturo schema, migration 001: the core entities.
-- Money is INTEGER centavos. Quantities (TISS decimal9-4) are INTEGER
-- ten-thousandths (quantidade_e4). Factors (TISS decimal3-2) are INTEGER
-- hundredths (fator_e2: 100 = 1,00). Dates are 'AAAA-MM-DD' text, times
-- 'HH:MM:SS', timestamps 'AAAA-MM-DDTHH:MM:SSZ' (UTC).

CREATE TABLE prestador (
  id            INTEGER PRIMARY KEY,
  nome          TEXT NOT NULL,
  cnpj          TEXT,                    -- 14 digits, or NULL when CPF
  cpf           TEXT,
  cnes          TEXT,                    -- 7 digits
  uf            TEXT,                    -- sigla, e.g. 'SP'
  municipio_ibge TEXT,
  CHECK (cnpj IS NOT NULL OR cpf IS NOT NULL)
);

CREATE TABLE operadora (
  id            INTEGER PRIMARY KEY,
  registro_ans  TEXT NOT NULL UNIQUE,    -- 6 digits
  nome          TEXT NOT NULL,
  script        TEXT NOT NULL,           -- rule script key: rules/operators/<script>.lua
  ativa         INTEGER NOT NULL DEFAULT 1,
  proximo_lote  INTEGER NOT NULL DEFAULT 1
);

-- the clinic's code at each operadora (codigoPrestadorNaOperadora)
CREATE TABLE prestador_operadora (
  prestador_id  INTEGER NOT NULL REFERENCES prestador(id),
  operadora_id  INTEGER NOT NULL REFERENCES operadora(id),
  codigo        TEXT NOT NULL,
  PRIMARY KEY (prestador_id, operadora_id)
);

CREATE TABLE plano (
  id            INTEGER PRIMARY KEY,
  operadora_id  INTEGER NOT NULL REFERENCES operadora(id),
  codigo        TEXT NOT NULL,
  nome          TEXT NOT NULL,
  acomodacao    TEXT NOT NULL DEFAULT 'enfermaria'
                CHECK (acomodacao IN ('enfermaria', 'apartamento', 'ambulatorial')),
  UNIQUE (operadora_id, codigo)
);

CREATE TABLE beneficiario (
  id            INTEGER PRIMARY KEY,
  nome          TEXT NOT NULL,
  nome_social   TEXT,
  cpf           TEXT,
  cns           TEXT,                    -- cartão nacional de saúde, 15 digits
  nascimento    TEXT,
  sexo          TEXT CHECK (sexo IS NULL OR sexo IN ('M', 'F', 'I'))
);
CREATE INDEX beneficiario_cpf ON beneficiario(cpf);

CREATE TABLE carteira (
  id              INTEGER PRIMARY KEY,
  beneficiario_id INTEGER NOT NULL REFERENCES beneficiario(id),
  operadora_id    INTEGER NOT NULL REFERENCES operadora(id),
  plano_id        INTEGER REFERENCES plano(id),
  numero          TEXT NOT NULL,
  validade        TEXT,
  UNIQUE (operadora_id, numero)
);
CREATE INDEX carteira_benef ON carteira(beneficiario_id);

CREATE TABLE profissional (
  id              INTEGER PRIMARY KEY,
  nome            TEXT NOT NULL,
  cpf             TEXT,
  conselho        TEXT NOT NULL,         -- sigla: CRM, CRO, COREN, CRF, CRFA, CREFITO, CRN, CRP, CRAS, OUT
  numero_conselho TEXT,                  -- NULL when the guia did not inform it
  uf              TEXT NOT NULL,         -- sigla of the council's UF, e.g. 'SP'
  cbo             TEXT,                  -- CBO-S, 6 digits, e.g. 225125
  especialidade   TEXT,
  UNIQUE (conselho, numero_conselho, uf)
);

CREATE TABLE guia (
  id                  INTEGER PRIMARY KEY,
  prestador_id        INTEGER NOT NULL REFERENCES prestador(id),
  operadora_id        INTEGER NOT NULL REFERENCES operadora(id),
  tipo                TEXT NOT NULL
                      CHECK (tipo IN ('consulta', 'sp-sadt', 'honorarios', 'resumo-internacao')),
  numero_prestador    TEXT NOT NULL,     -- numeroGuiaPrestador
  numero_operadora    TEXT,              -- numeroGuiaOperadora
  numero_principal    TEXT,              -- guia principal / solicitação de internação
  beneficiario_id     INTEGER REFERENCES beneficiario(id),
  beneficiario_nome   TEXT,              -- as billed on the guia
  carteira_numero     TEXT,              -- as billed on the guia
  carteira_validade   TEXT,
  cns                 TEXT,
  atendimento_rn      INTEGER NOT NULL DEFAULT 0,
  plano_id            INTEGER REFERENCES plano(id),
  senha               TEXT,
  data_autorizacao    TEXT,
  validade_senha      TEXT,
  carater_atendimento TEXT CHECK (carater_atendimento IS NULL OR carater_atendimento IN ('1', '2')),
  tipo_atendimento    TEXT,              -- dm_tipoAtendimento '01'..'23'
  tipo_consulta       TEXT,              -- dm_tipoConsulta '1'..'4'
  regime_atendimento  TEXT,              -- dm_regimeAtendimento '01'..'05'
  indicacao_acidente  TEXT,              -- dm_indicadorAcidente '0','1','2','9'
  cid                 TEXT,              -- CID-10 principal, e.g. 'J069'
  cid_secundarios     TEXT,              -- comma separated
  data_solicitacao    TEXT,
  indicacao_clinica   TEXT,
  data_inicio         TEXT,              -- data do atendimento / início do faturamento
  hora_inicio         TEXT,
  data_fim            TEXT,
  hora_fim            TEXT,
  tipo_internacao     TEXT,              -- dm_tipoInternacao '1'..'5'
  regime_internacao   TEXT,              -- dm_regimeInternacao '1'..'3'
  motivo_encerramento TEXT,              -- dm_motivoSaida
  solicitante_id      INTEGER REFERENCES profissional(id),
  executante_id       INTEGER REFERENCES profissional(id),
  assinatura_beneficiario INTEGER NOT NULL DEFAULT 0,
  pedido_medico       INTEGER NOT NULL DEFAULT 0,
  laudo               INTEGER NOT NULL DEFAULT 0,
  observacao          TEXT,
  valor_total         INTEGER NOT NULL DEFAULT 0,   -- as billed, centavos
  competencia         TEXT,                         -- 'AAAA-MM'
  status              TEXT NOT NULL DEFAULT 'digitada'
                      CHECK (status IN ('digitada', 'conferida', 'pendente', 'em_lote',
                                        'enviada', 'processada', 'paga', 'glosada', 'cancelada')),
  revisao             INTEGER NOT NULL DEFAULT 1,   -- bumped on every change (conferir re-checks)
  lote_id             INTEGER REFERENCES lote(id),
  origem              TEXT,                         -- file or 'demo'
  criado_em           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (prestador_id, operadora_id, numero_prestador)
);
CREATE INDEX guia_operadora_comp ON guia(operadora_id, competencia);
CREATE INDEX guia_benef ON guia(beneficiario_id, data_inicio);
CREATE INDEX guia_lote ON guia(lote_id);

CREATE TABLE item (
  id                 INTEGER PRIMARY KEY,
  guia_id            INTEGER NOT NULL REFERENCES guia(id) ON DELETE CASCADE,
  sequencial         INTEGER NOT NULL,
  tipo               TEXT NOT NULL DEFAULT 'procedimento'
                     CHECK (tipo IN ('procedimento', 'material', 'medicamento', 'opme',
                                     'taxa', 'diaria', 'gas')),
  codigo_tabela      TEXT NOT NULL,      -- '22','18','19','20','98','00'
  codigo             TEXT NOT NULL,
  descricao          TEXT,
  quantidade_e4      INTEGER NOT NULL,   -- 1 unit = 10000
  valor_unitario     INTEGER,            -- centavos; NULL = to be priced
  valor_total        INTEGER,            -- centavos; NULL = to be priced
  data               TEXT,
  hora_inicio        TEXT,
  hora_fim           TEXT,
  via_acesso         TEXT,               -- dm_viaDeAcesso '1','2','3'
  tecnica            TEXT,               -- dm_tecnicaUtilizada '1','2','3'
  grau_participacao  TEXT,               -- dm_grauPart '00'..'13'
  fator_e2           INTEGER NOT NULL DEFAULT 100, -- reducaoAcrescimo, 100 = 1,00
  profissional_id    INTEGER REFERENCES profissional(id),
  unidade_medida     TEXT,               -- dm_unidadeMedida, e.g. '036'
  registro_anvisa    TEXT,
  codigo_fabricante  TEXT,
  UNIQUE (guia_id, sequencial)
);
CREATE INDEX item_codigo ON item(codigo, data);

CREATE TABLE lote (
  id                 INTEGER PRIMARY KEY,
  operadora_id       INTEGER NOT NULL REFERENCES operadora(id),
  prestador_id       INTEGER NOT NULL REFERENCES prestador(id),
  numero             INTEGER NOT NULL,
  tipo_guia          TEXT NOT NULL,
  competencia        TEXT,
  periodo_inicio     TEXT,
  periodo_fim        TEXT,
  status             TEXT NOT NULL DEFAULT 'aberto'
                     CHECK (status IN ('aberto', 'fechado', 'enviado', 'protocolado',
                                       'processado', 'pago', 'pago_parcial')),
  qtd_guias          INTEGER NOT NULL DEFAULT 0,
  valor_informado    INTEGER NOT NULL DEFAULT 0,
  valor_processado   INTEGER,
  valor_liberado     INTEGER,
  valor_glosado      INTEGER,
  valor_recebido     INTEGER,
  hash               TEXT,
  arquivo            TEXT,
  xml                BLOB,
  geracao_id         INTEGER REFERENCES regra_geracao(id),
  fechado_em         TEXT,
  prazo_envio        TEXT,
  enviado_em         TEXT,
  protocolo          TEXT,
  protocolo_data     TEXT,
  previsao_pagamento TEXT,
  UNIQUE (operadora_id, numero)
);

-- rule generations (Part B): one row per published generation
CREATE TABLE regra_geracao (
  id          INTEGER PRIMARY KEY,
  criado_em   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario     TEXT NOT NULL,
  ativa       INTEGER NOT NULL DEFAULT 0,
  origem      TEXT,                       -- rules folder it was built from
  motivo      TEXT                        -- 'carga', 'recarga', 'reversao de N'
);

CREATE TABLE regra_script (
  id          INTEGER PRIMARY KEY,
  geracao_id  INTEGER NOT NULL REFERENCES regra_geracao(id),
  chave       TEXT NOT NULL,              -- 'operators/unimed_exemplo' or 'scripts/faturo/base'
  sha256      TEXT NOT NULL,
  conteudo    TEXT NOT NULL,
  UNIQUE (geracao_id, chave)
);

-- conferir findings (Part C)
CREATE TABLE achado (
  id              INTEGER PRIMARY KEY,
  guia_id         INTEGER NOT NULL REFERENCES guia(id) ON DELETE CASCADE,
  item_id         INTEGER REFERENCES item(id) ON DELETE CASCADE,
  codigo          TEXT NOT NULL,          -- stable, e.g. 'SENHA_AUSENTE'
  severidade      TEXT NOT NULL CHECK (severidade IN ('bloqueio', 'alerta')),
  campo           TEXT,                   -- field path, e.g. 'itens[2].valor_unitario'
  mensagem        TEXT NOT NULL,
  glosa_prevista  TEXT,                   -- TUSS table 38 code
  valor_risco     INTEGER NOT NULL DEFAULT 0,
  regra           TEXT NOT NULL,          -- 'builtin:...' or '<script>:<check>'
  script_sha256   TEXT,                   -- version of the script that produced it
  geracao_id      INTEGER REFERENCES regra_geracao(id),
  guia_revisao    INTEGER NOT NULL,
  criado_em       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  reconhecido_em  TEXT,
  reconhecido_por TEXT,
  reconhecido_motivo TEXT
);
CREATE INDEX achado_guia ON achado(guia_id);

CREATE TABLE retorno (
  id             INTEGER PRIMARY KEY,
  operadora_id   INTEGER REFERENCES operadora(id),
  tipo           TEXT NOT NULL,           -- PROTOCOLO_RECEBIMENTO, DEMONSTRATIVO_ANALISE_CONTA, ...
  versao_tiss    TEXT,
  arquivo        TEXT,
  sha256         TEXT NOT NULL UNIQUE,
  hash_ok        INTEGER,
  importado_em   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario        TEXT,
  resumo         TEXT                     -- JSON summary of what matched
);

CREATE TABLE glosa (
  id             INTEGER PRIMARY KEY,
  guia_id        INTEGER NOT NULL REFERENCES guia(id),
  item_id        INTEGER REFERENCES item(id),
  retorno_id     INTEGER REFERENCES retorno(id),
  codigo         TEXT NOT NULL,           -- TUSS table 38
  valor          INTEGER NOT NULL,        -- centavos glosados
  origem         TEXT NOT NULL DEFAULT 'retorno' CHECK (origem IN ('retorno', 'manual')),
  observacao     TEXT,
  grupo          TEXT,                    -- motive group
  classificacao  TEXT NOT NULL DEFAULT 'a_classificar'
                 CHECK (classificacao IN ('devida', 'indevida', 'a_classificar')),
  evidencia      TEXT,
  situacao       TEXT NOT NULL DEFAULT 'aberta'
                 CHECK (situacao IN ('aberta', 'em_recurso', 'recuperada', 'recuperada_parcial',
                                     'perdida', 'aceita')),
  criado_em      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario        TEXT
);
CREATE INDEX glosa_guia ON glosa(guia_id);

CREATE TABLE recurso (
  id               INTEGER PRIMARY KEY,
  operadora_id     INTEGER NOT NULL REFERENCES operadora(id),
  lote_id          INTEGER REFERENCES lote(id),
  numero           INTEGER NOT NULL,
  status           TEXT NOT NULL DEFAULT 'rascunho'
                   CHECK (status IN ('rascunho', 'enviado', 'protocolado', 'respondido')),
  resultado        TEXT CHECK (resultado IS NULL OR resultado IN ('deferido', 'deferido_parcial', 'indeferido')),
  criado_em        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  prazo            TEXT,
  enviado_em       TEXT,
  protocolo        TEXT,
  protocolo_data   TEXT,
  respondido_em    TEXT,
  valor_recursado  INTEGER NOT NULL DEFAULT 0,
  valor_recuperado INTEGER NOT NULL DEFAULT 0,
  hash             TEXT,
  xml              BLOB,
  UNIQUE (operadora_id, numero)
);

CREATE TABLE recurso_item (
  id              INTEGER PRIMARY KEY,
  recurso_id      INTEGER NOT NULL REFERENCES recurso(id) ON DELETE CASCADE,
  glosa_id        INTEGER NOT NULL REFERENCES glosa(id),
  valor_recursado INTEGER NOT NULL,
  justificativa   TEXT NOT NULL,
  valor_deferido  INTEGER
);

CREATE TABLE pagamento (
  id             INTEGER PRIMARY KEY,
  operadora_id   INTEGER REFERENCES operadora(id),
  lote_id        INTEGER REFERENCES lote(id),
  retorno_id     INTEGER REFERENCES retorno(id),
  data           TEXT NOT NULL,
  valor          INTEGER NOT NULL,
  descricao      TEXT
);

CREATE TABLE usuario (
  id          INTEGER PRIMARY KEY,
  nome        TEXT NOT NULL UNIQUE,
  papel       TEXT NOT NULL CHECK (papel IN ('faturista', 'supervisor', 'admin')),
  senha_hash  TEXT,                       -- libsodium crypto_pwhash_str (argon2id)
  ativo       INTEGER NOT NULL DEFAULT 1,
  criado_em   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE auditoria (
  id        INTEGER PRIMARY KEY,
  em        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario   TEXT NOT NULL,
  acao      TEXT NOT NULL,                -- 'guia.importar', 'achado.reconhecer', ...
  objeto    TEXT,                         -- 'guia:123'
  detalhe   TEXT
);

-- demo: which guia got which injected defect (Part A), for recall/precision
CREATE TABLE demo_defeito (
  guia_id   INTEGER NOT NULL REFERENCES guia(id) ON DELETE CASCADE,
  classe    TEXT NOT NULL,
  detalhe   TEXT,
  PRIMARY KEY (guia_id, classe)
);
