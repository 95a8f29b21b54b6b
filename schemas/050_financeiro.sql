-- faturo schema, migration 050 (Part G): the money side.
-- Money is INTEGER centavos; percentages are INTEGER basis points (100 = 1%).
-- Dates are 'AAAA-MM-DD'. Every split stored here sums to its whole (see
-- docs/financeiro.md for the rounding of each).

-- municipal (or any extra) holidays; national ones are computed (fat_calendario)
CREATE TABLE feriado (
  id             INTEGER PRIMARY KEY,
  data           TEXT NOT NULL,
  descricao      TEXT NOT NULL,
  municipio_ibge TEXT,                       -- NULL = every municipality
  UNIQUE (data, municipio_ibge)
);

-- a fatura: one or more lotes of one operator and competência, with its NF
CREATE TABLE fatura (
  id                 INTEGER PRIMARY KEY,
  operadora_id       INTEGER NOT NULL REFERENCES operadora(id),
  competencia        TEXT NOT NULL,
  numero             INTEGER NOT NULL,       -- sequential per operator
  status             TEXT NOT NULL DEFAULT 'aberta'
                     CHECK (status IN ('aberta', 'paga_parcial', 'paga', 'cancelada')),
  valor              INTEGER NOT NULL DEFAULT 0,  -- lotes' liberado (informado while unknown)
  nf_numero          TEXT,
  nf_serie           TEXT,
  nf_data            TEXT,
  nf_valor           INTEGER,
  ret_iss            INTEGER NOT NULL DEFAULT 0,  -- retained by the operator on the NF
  ret_ir             INTEGER NOT NULL DEFAULT 0,
  ret_pis            INTEGER NOT NULL DEFAULT 0,
  ret_cofins         INTEGER NOT NULL DEFAULT 0,
  ret_csll           INTEGER NOT NULL DEFAULT 0,
  previsao_pagamento TEXT,
  criado_em          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario            TEXT,
  UNIQUE (operadora_id, numero)
);

CREATE TABLE fatura_lote (
  fatura_id  INTEGER NOT NULL REFERENCES fatura(id),
  lote_id    INTEGER NOT NULL UNIQUE REFERENCES lote(id),
  PRIMARY KEY (fatura_id, lote_id)
);

-- the office's bank accounts: a statement of any other account is refused
CREATE TABLE conta_bancaria (
  id         INTEGER PRIMARY KEY,
  banco      TEXT NOT NULL,                   -- 3 digits, e.g. '001'
  agencia    TEXT NOT NULL,                   -- digits only, no check digit
  conta      TEXT NOT NULL,                   -- digits only, check digit included
  descricao  TEXT,
  UNIQUE (banco, agencia, conta)
);

-- one imported statement file (OFX or CNAB retorno)
CREATE TABLE extrato (
  id           INTEGER PRIMARY KEY,
  conta_id     INTEGER NOT NULL REFERENCES conta_bancaria(id),
  formato      TEXT NOT NULL CHECK (formato IN ('ofx', 'cnab240', 'cnab400')),
  arquivo      TEXT,
  sha256       TEXT NOT NULL UNIQUE,
  inicio       TEXT NOT NULL,
  fim          TEXT NOT NULL,
  linhas       INTEGER NOT NULL,
  importado_em TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario      TEXT
);

-- one credit or debit of a statement; chave makes a line unique across files
CREATE TABLE extrato_linha (
  id          INTEGER PRIMARY KEY,
  extrato_id  INTEGER NOT NULL REFERENCES extrato(id),
  linha       INTEGER NOT NULL,               -- line of the file
  chave       TEXT NOT NULL UNIQUE,           -- account + FITID, or account + nosso número + date
  data        TEXT NOT NULL,                  -- date the money is in the account
  valor       INTEGER NOT NULL,               -- centavos; credits > 0
  tipo        TEXT,
  descricao   TEXT,
  documento   TEXT,                           -- seu número / check number
  situacao    TEXT NOT NULL DEFAULT 'pendente'
              CHECK (situacao IN ('pendente', 'conciliada', 'ignorada'))
);
CREATE INDEX extrato_linha_sit ON extrato_linha(situacao, data);

-- a proposed or decided match of a credit with a fatura or a demonstrativo
CREATE TABLE conciliacao (
  id               INTEGER PRIMARY KEY,
  extrato_linha_id INTEGER NOT NULL REFERENCES extrato_linha(id),
  fatura_id        INTEGER REFERENCES fatura(id),
  pagamento_id     INTEGER REFERENCES pagamento(id),
  motivo           TEXT NOT NULL,             -- pt-BR: why it was proposed
  status           TEXT NOT NULL DEFAULT 'proposta'
                   CHECK (status IN ('proposta', 'confirmada', 'rejeitada')),
  proposto_em      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  decidido_em      TEXT,
  decidido_por     TEXT,
  CHECK (fatura_id IS NOT NULL OR pagamento_id IS NOT NULL)
);
CREATE UNIQUE INDEX conciliacao_uma_vez ON conciliacao(extrato_linha_id)
  WHERE status = 'confirmada';

-- money that arrived from an operator (baixa)
CREATE TABLE recebimento (
  id               INTEGER PRIMARY KEY,
  operadora_id     INTEGER NOT NULL REFERENCES operadora(id),
  fatura_id        INTEGER REFERENCES fatura(id),
  lote_id          INTEGER REFERENCES lote(id),
  recurso_id       INTEGER REFERENCES recurso(id),
  pagamento_id     INTEGER REFERENCES pagamento(id),     -- demonstrativo it pays
  extrato_linha_id INTEGER UNIQUE REFERENCES extrato_linha(id),
  origem           TEXT NOT NULL CHECK (origem IN ('demonstrativo', 'manual', 'extrato')),
  data             TEXT NOT NULL,
  valor            INTEGER NOT NULL CHECK (valor > 0),   -- what reached the account
  valor_bruto      INTEGER NOT NULL,                     -- valor + retenções it settles
  recuperado       INTEGER NOT NULL DEFAULT 0,           -- 1 = money recovered by a recurso
  excedente        INTEGER NOT NULL DEFAULT 0,           -- 1 = above liberado + recuperado, accepted
  descricao        TEXT,
  usuario          TEXT,
  criado_em        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX recebimento_demonstrativo ON recebimento(pagamento_id)
  WHERE origem = 'demonstrativo';
CREATE INDEX recebimento_data ON recebimento(data);

-- how a receipt's valor_bruto splits over guias (largest remainder; sums to it)
CREATE TABLE recebimento_guia (
  recebimento_id INTEGER NOT NULL REFERENCES recebimento(id),
  guia_id        INTEGER NOT NULL REFERENCES guia(id),
  valor          INTEGER NOT NULL,
  PRIMARY KEY (recebimento_id, guia_id)
);
CREATE INDEX recebimento_guia_guia ON recebimento_guia(guia_id);

-- particulares: attendances billed to the patient
CREATE TABLE particular (
  id              INTEGER PRIMARY KEY,
  paciente_nome   TEXT NOT NULL,
  paciente_cpf    TEXT,
  data            TEXT NOT NULL,
  profissional_id INTEGER REFERENCES profissional(id),
  codigo          TEXT NOT NULL,
  descricao       TEXT,
  valor           INTEGER NOT NULL CHECK (valor > 0),
  status          TEXT NOT NULL DEFAULT 'aberto' CHECK (status IN ('aberto', 'pago', 'cancelado')),
  criado_em       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario         TEXT
);

-- card acquirers' terms
CREATE TABLE adquirente (
  id               INTEGER PRIMARY KEY,
  nome             TEXT NOT NULL UNIQUE,
  taxa_debito_bp   INTEGER NOT NULL DEFAULT 0,
  taxa_credito_bp  INTEGER NOT NULL DEFAULT 0,   -- à vista
  taxa_parcelado_bp INTEGER NOT NULL DEFAULT 0,  -- 2 or more installments
  prazo_debito_dias INTEGER NOT NULL DEFAULT 1,
  prazo_credito_dias INTEGER NOT NULL DEFAULT 30 -- per installment: n * prazo
);

-- a daily cash register per user
CREATE TABLE caixa (
  id                  INTEGER PRIMARY KEY,
  usuario             TEXT NOT NULL,
  data                TEXT NOT NULL,
  abertura            INTEGER NOT NULL CHECK (abertura >= 0),
  status              TEXT NOT NULL DEFAULT 'aberto' CHECK (status IN ('aberto', 'fechado')),
  fechamento_contado  INTEGER,
  fechamento_esperado INTEGER,
  diferenca           INTEGER,
  aberto_em           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  fechado_em          TEXT,
  UNIQUE (usuario, data)
);

CREATE TABLE caixa_movimento (
  id        INTEGER PRIMARY KEY,
  caixa_id  INTEGER NOT NULL REFERENCES caixa(id),
  tipo      TEXT NOT NULL CHECK (tipo IN ('suprimento', 'sangria')),
  valor     INTEGER NOT NULL CHECK (valor > 0),
  motivo    TEXT NOT NULL,
  em        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- a payment of a particular; each one gets a recibo with a sequential number
CREATE TABLE particular_pagamento (
  id             INTEGER PRIMARY KEY,
  particular_id  INTEGER NOT NULL REFERENCES particular(id),
  recibo         INTEGER NOT NULL UNIQUE,
  data           TEXT NOT NULL,
  forma          TEXT NOT NULL CHECK (forma IN ('dinheiro', 'pix', 'debito', 'credito', 'boleto')),
  valor          INTEGER NOT NULL CHECK (valor > 0),
  parcelas       INTEGER NOT NULL DEFAULT 1 CHECK (parcelas BETWEEN 1 AND 24),
  adquirente_id  INTEGER REFERENCES adquirente(id),
  taxa           INTEGER NOT NULL DEFAULT 0,     -- card fee, centavos
  caixa_id       INTEGER REFERENCES caixa(id),   -- dinheiro only
  usuario        TEXT,
  criado_em      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- card installments: gross, fee and net per installment, and the landing date
CREATE TABLE particular_parcela (
  pagamento_id  INTEGER NOT NULL REFERENCES particular_pagamento(id),
  numero        INTEGER NOT NULL,
  valor         INTEGER NOT NULL,
  taxa          INTEGER NOT NULL,
  liquido       INTEGER NOT NULL,
  data_credito  TEXT NOT NULL,
  PRIMARY KEY (pagamento_id, numero)
);

-- repasse médico: rules per professional (most specific wins)
CREATE TABLE repasse_regra (
  id              INTEGER PRIMARY KEY,
  profissional_id INTEGER NOT NULL REFERENCES profissional(id),
  operadora_id    INTEGER REFERENCES operadora(id),   -- NULL = any
  plano_id        INTEGER REFERENCES plano(id),       -- NULL = any
  grupo           TEXT,                               -- procedure code prefix; NULL = any
  origem          TEXT CHECK (origem IS NULL OR origem IN ('convenio', 'particular')),
  percentual_bp   INTEGER CHECK (percentual_bp IS NULL OR percentual_bp BETWEEN 0 AND 10000),
  valor_fixo      INTEGER CHECK (valor_fixo IS NULL OR valor_fixo >= 0),
  CHECK ((percentual_bp IS NULL) <> (valor_fixo IS NULL))
);

CREATE TABLE repasse (
  id          INTEGER PRIMARY KEY,
  periodo     TEXT NOT NULL UNIQUE,            -- 'AAAA-MM'
  status      TEXT NOT NULL DEFAULT 'aberto' CHECK (status IN ('aberto', 'fechado')),
  calculado_em TEXT,
  fechado_em  TEXT,
  fechado_por TEXT
);

-- one line of a repasse: a part of money received (or released, or adjusted)
CREATE TABLE repasse_item (
  id              INTEGER PRIMARY KEY,
  repasse_id      INTEGER NOT NULL REFERENCES repasse(id),
  profissional_id INTEGER NOT NULL REFERENCES profissional(id),
  origem          TEXT NOT NULL CHECK (origem IN ('convenio', 'particular', 'liberacao', 'ajuste')),
  recebimento_id  INTEGER REFERENCES recebimento(id),
  pagamento_particular_id INTEGER REFERENCES particular_pagamento(id),
  guia_id         INTEGER REFERENCES guia(id),
  item_id         INTEGER REFERENCES item(id),
  origem_item_id  INTEGER REFERENCES repasse_item(id),  -- liberacao: the held line it releases
  base            INTEGER NOT NULL,           -- money received this line stands on
  valor           INTEGER NOT NULL,           -- the professional's part
  regra_id        INTEGER REFERENCES repasse_regra(id),
  regra           TEXT,                       -- pt-BR: which rule, e.g. '60% convênio'
  glosa           INTEGER NOT NULL DEFAULT 0, -- open glosa on the item (alert)
  situacao        TEXT NOT NULL DEFAULT 'pagar'
                  CHECK (situacao IN ('pagar', 'retido')),
  descricao       TEXT
);
CREATE INDEX repasse_item_rep ON repasse_item(repasse_id, profissional_id);

-- a closed repasse is frozen: changes only by an adjustment in a later one
CREATE TRIGGER repasse_fechado_itens_upd
BEFORE UPDATE ON repasse_item
WHEN (SELECT status FROM repasse WHERE id = OLD.repasse_id) = 'fechado'
BEGIN
  SELECT RAISE(ABORT, 'repasse fechado não pode ser alterado (faça um ajuste no próximo)');
END;

CREATE TRIGGER repasse_fechado_itens_del
BEFORE DELETE ON repasse_item
WHEN (SELECT status FROM repasse WHERE id = OLD.repasse_id) = 'fechado'
BEGIN
  SELECT RAISE(ABORT, 'repasse fechado não pode ser alterado (faça um ajuste no próximo)');
END;

CREATE TRIGGER repasse_fechado_itens_ins
BEFORE INSERT ON repasse_item
WHEN (SELECT status FROM repasse WHERE id = NEW.repasse_id) = 'fechado'
BEGIN
  SELECT RAISE(ABORT, 'repasse fechado não pode ser alterado (faça um ajuste no próximo)');
END;

CREATE TRIGGER repasse_fechado_upd
BEFORE UPDATE ON repasse
WHEN OLD.status = 'fechado'
BEGIN
  SELECT RAISE(ABORT, 'repasse fechado não pode ser alterado (faça um ajuste no próximo)');
END;
