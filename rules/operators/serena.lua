-- Serena Autogestão em Saúde (registro ANS 391116).
-- Autogestão com calendário de fechamento próprio (dia 10 de cada mês), hash
-- TISS em UTF-8 e assinatura do beneficiário exigida em todas as guias.
local base = require "faturo.base"
local checks = require "faturo.checks"
local datas = require "faturo.datas"

local SADT = {
  tipo = "sp-sadt", numero_prestador = "SER-0001",
  operadora = { registro_ans = "391116", nome = "Serena Autogestão em Saúde", script = "serena" },
  carteira_numero = "000912-44-01", carteira_validade = "2031-03-31",
  beneficiario = { nome = "Rita Gonçalves", cpf = "71428793860", sexo = "F" },
  senha = "SER2025-0042", data_autorizacao = "2025-02-03", validade_senha = "2025-03-05",
  cid = "N390", data_inicio = "2025-02-12", hora_inicio = "10:30:00", carater_atendimento = "1",
  assinatura_beneficiario = true, pedido_medico = true, laudo = true,
  executante = { nome = "Dra. Lia Prado", conselho = "CRM", numero_conselho = "30210", uf = "PR", cbo = "225250" },
  valor_total = "45.00",
  itens = { { sequencial = 1, tipo = "procedimento", codigo_tabela = "22", codigo = "40311210",
              quantidade = "1.0000", valor_unitario = "45.00", valor_total = "45.00", data = "2025-02-12" } },
}

local CONSULTA = base.mesclar(SADT, {
  tipo = "consulta", numero_prestador = "SER-0100", tipo_consulta = "1",
  senha = base.nada, validade_senha = base.nada, data_autorizacao = base.nada,
  valor_total = "110.00",
  itens = { { sequencial = 1, codigo_tabela = "22", codigo = "10101012", quantidade = "1.0000",
              valor_unitario = "110.00", valor_total = "110.00", data = "2025-02-12" } },
})

return base.operadora {
  registro_ans = "391116",
  nome = "Serena Autogestão em Saúde",
  codigo_prestador = "000912",
  hash = "utf-8", -- a Serena calcula o hash TISS sobre o texto em UTF-8

  -- calendário do contrato: fechamento no dia 10 de cada mês, 2024 a 2028
  lote = { periodicidade = "calendario", datas = datas.mensais(10, 2024, 2028),
           prazo_envio_dias = 7, max_guias = 80 },
  pagamento = { prazo_dias = 20 },
  recurso = {
    prazo_dias = 45,
    justificativas = {
      ["1319"] = "A guia {numero_guia} está assinada pelo beneficiário {beneficiario}; cópia anexa.",
      ["1703"] = "Atendimento de urgência em {data} às {hora}, conforme registro de entrada anexo.",
      ["1705"] = "Consulta de {data} (guia {numero_guia}) por nova queixa, prontuário anexo.",
    },
  },
  prazo_apresentacao_dias = 90,

  precos = {
    procedimentos = { tabela = "cbhpm", edicao = "demo", ajuste_bp = "-10%",
                      uco_centavos = "15,00", filme_centavos = 2100 },
    materiais = { tabela = "simpro", base = "pf", ajuste_bp = "+20%" },
    medicamentos = { tabela = "brasindice", base = "pf", ajuste_bp = "+10%" },
    taxas = { tabela = "negociada" },
    urgencia = { ajuste_bp = 3000, aplica = "honorarios" },
    horario_especial = { ajuste_bp = 5000, aplica = "honorarios" },
    reajustes = { { a_partir_de = "2026-10-01", ajuste_bp = 500 } },
  },

  obrigatorios = {
    todos = { "assinatura_beneficiario" },
    ["sp-sadt"] = { "senha", "pedido_medico" },
  },

  checks = {
    retorno_30_dias = checks.retorno { dias = 30, glosa = "1705" },

    -- o adicional de urgência depende do horário: sem hora de início a Serena glosa
    urgencia_sem_hora = function(guia, ctx)
      if tostring(guia.carater_atendimento) == "2" and checks.vazio(guia.hora_inicio) then
        return {
          codigo = "URGENCIA_SEM_HORA", severidade = "alerta", campo = "hora_inicio",
          glosa = "1703", valor_risco = checks.valor_guia(guia),
          mensagem = "atendimento de urgência sem hora de início: informe a hora para não "
            .. "perder o adicional de urgência",
        }
      end
    end,
  },

  testes = {
    { nome = "SADT completa não gera achados", guia = SADT, sem_achados = true },
    { nome = "consulta sem assinatura é bloqueada",
      guia = base.mesclar(CONSULTA, { assinatura_beneficiario = false }), espera = { "ASSINATURA_AUSENTE" } },
    { nome = "SADT sem senha e sem pedido médico",
      guia = base.mesclar(SADT, { senha = base.nada, pedido_medico = false }),
      espera = { "SENHA_AUSENTE", "PEDIDO_MEDICO_AUSENTE" }, nao_espera = { "ASSINATURA_AUSENTE" } },
    { nome = "SADT não exige CID na Serena", guia = base.mesclar(SADT, { cid = base.nada }),
      nao_espera = { "CID_AUSENTE" } },
    { nome = "urgência sem hora gera alerta",
      guia = base.mesclar(SADT, { carater_atendimento = "2", hora_inicio = base.nada }),
      espera = { "URGENCIA_SEM_HORA" } },
    { nome = "consulta 30 dias depois é retorno",
      guia = base.mesclar(CONSULTA, { numero_prestador = "SER-0101", data_inicio = "2025-03-14" }),
      ctx = { hoje = "2025-03-15", historico = { CONSULTA } }, espera = { "CONSULTA_RETORNO" } },
    { nome = "consulta 31 dias depois não é retorno",
      guia = base.mesclar(CONSULTA, { numero_prestador = "SER-0102", data_inicio = "2025-03-15" }),
      ctx = { hoje = "2025-03-16", historico = { CONSULTA } }, nao_espera = { "CONSULTA_RETORNO" } },
  },
}
