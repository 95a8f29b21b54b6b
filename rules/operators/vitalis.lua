-- Vitalis Assistência Médica (registro ANS 345671).
-- Contrato 2024/017: lotes quinzenais, tabela própria para consultas, pedido
-- médico obrigatório em SP/SADT e com no máximo 30 dias de emissão.
local base = require "faturo.base"
local checks = require "faturo.checks"
local datas = require "faturo.datas"

local VALIDADE_PEDIDO_DIAS = 30

local SADT = {
  tipo = "sp-sadt", numero_prestador = "VIT-0001",
  operadora = { registro_ans = "345671", nome = "Vitalis Assistência Médica", script = "vitalis" },
  carteira_numero = "77001-000123", carteira_validade = "2030-01-31",
  beneficiario = { nome = "Carlos Souza", cpf = "11144477735", sexo = "M" },
  senha = "V-55120", data_autorizacao = "2025-06-01", validade_senha = "2025-06-30",
  cid = "K297", data_solicitacao = "2025-05-28", data_inicio = "2025-06-05",
  assinatura_beneficiario = true, pedido_medico = true, laudo = true,
  executante = { nome = "Dra. Ana Reis", conselho = "CRM", numero_conselho = "54321", uf = "RJ", cbo = "225120" },
  valor_total = "98.40",
  itens = { { sequencial = 1, tipo = "procedimento", codigo_tabela = "22", codigo = "40301630",
              quantidade = "1.0000", valor_unitario = "98.40", valor_total = "98.40", data = "2025-06-05" } },
}

local CONSULTA = base.mesclar(SADT, {
  tipo = "consulta", numero_prestador = "VIT-0100", tipo_consulta = "1",
  senha = base.nada, validade_senha = base.nada, data_autorizacao = base.nada,
  data_solicitacao = base.nada, valor_total = "120.00",
  itens = { { sequencial = 1, codigo_tabela = "22", codigo = "10101012", quantidade = "1.0000",
              valor_unitario = "120.00", valor_total = "120.00", data = "2025-06-05" } },
})

return base.operadora {
  registro_ans = "345671",
  nome = "Vitalis Assistência Médica",
  codigo_prestador = "77001",
  hash = "iso-8859-1",

  -- fecha nos dias 15 e no último dia do mês; envio em até 5 dias; 50 guias por lote
  lote = { periodicidade = "quinzenal", fechamento_dias = { 15, "ultimo" }, prazo_envio_dias = 5,
           max_guias = 50, agrupamento = { "tipo_guia", "competencia" } },
  -- a Vitalis paga só nos dias 10 e 25, no primeiro deles depois de 45 dias do envio
  pagamento = { prazo_dias = 45, dias_do_mes = { 10, 25 } },
  conciliacao = { historico = { "VITALIS" } },
  recurso = {
    prazo_dias = 30,
    justificativas = {
      ["1709"] = "O pedido médico de {data_solicitacao} da guia {numero_guia} segue anexo.",
      ["1705"] = "Consulta de {data} (guia {numero_guia}) por nova queixa; prontuário anexo.",
      ["1403"] = "Senha {senha} liberada pela central Vitalis em {data_autorizacao}.",
    },
  },
  prazo_apresentacao_dias = 60,

  precos = {
    procedimentos = { tabela = "cbhpm", edicao = "demo", ajuste_bp = 0,
                      uco_centavos = "16,00", filme_centavos = 2100,
                      planos = { apartamento = { ajuste_bp = "+30%", aplica = "honorarios" } } },
    materiais = { tabela = "simpro", base = "pmc" },
    medicamentos = { tabela = "brasindice", base = "pmc" },
    taxas = { tabela = "negociada" },
  },

  obrigatorios = {
    ["sp-sadt"] = { "senha", "validade_senha", "cid", "pedido_medico" },
  },

  checks = {
    retorno_15_dias = checks.retorno { dias = 15, glosa = "1705" },

    -- pedido médico emitido há mais de 30 dias da realização não é aceito
    pedido_medico_validade = function(guia, ctx)
      if guia.tipo ~= "sp-sadt" or not guia.data_solicitacao then return nil end
      local dif = datas.diferenca(guia.data_solicitacao, guia.data_inicio)
      if dif and dif > VALIDADE_PEDIDO_DIAS then
        return {
          codigo = "PEDIDO_MEDICO_VENCIDO", severidade = "bloqueio", campo = "data_solicitacao",
          glosa = "1709", valor_risco = checks.valor_guia(guia),
          mensagem = string.format("pedido médico de %s usado em %s (%d dias): a Vitalis aceita "
                                   .. "pedidos de até %d dias", datas.br(guia.data_solicitacao),
                                   datas.br(guia.data_inicio), dif, VALIDADE_PEDIDO_DIAS),
        }
      end
    end,
  },

  testes = {
    { nome = "SADT completa não gera achados", guia = SADT, sem_achados = true },
    { nome = "SADT sem pedido médico é bloqueada", guia = base.mesclar(SADT, { pedido_medico = false }),
      espera = { "PEDIDO_MEDICO_AUSENTE" }, nao_espera = { "SENHA_AUSENTE" } },
    { nome = "SADT sem senha é bloqueada", guia = base.mesclar(SADT, { senha = base.nada }),
      espera = { "SENHA_AUSENTE" } },
    { nome = "pedido médico de 40 dias é recusado",
      guia = base.mesclar(SADT, { data_solicitacao = "2025-04-26" }),
      espera = { "PEDIDO_MEDICO_VENCIDO" } },
    { nome = "pedido médico de 30 dias ainda vale",
      guia = base.mesclar(SADT, { data_solicitacao = "2025-05-06" }),
      nao_espera = { "PEDIDO_MEDICO_VENCIDO" } },
    { nome = "consulta 10 dias depois é retorno",
      guia = base.mesclar(CONSULTA, { numero_prestador = "VIT-0101", data_inicio = "2025-06-15" }),
      ctx = { hoje = "2025-06-16", historico = { CONSULTA } }, espera = { "CONSULTA_RETORNO" } },
    { nome = "consulta 20 dias depois não é retorno na Vitalis (janela de 15)",
      guia = base.mesclar(CONSULTA, { numero_prestador = "VIT-0102", data_inicio = "2025-06-25" }),
      ctx = { hoje = "2025-06-26", historico = { CONSULTA } }, nao_espera = { "CONSULTA_RETORNO" } },
  },
}
