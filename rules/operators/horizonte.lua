-- Horizonte Cooperativa Médica (registro ANS 368253).
-- Lotes semanais fechados no domingo; exames de imagem (TUSS 4.08.xx.xx) só
-- com laudo anexado; consulta precisa de CID.
local base = require "faturo.base"
local checks = require "faturo.checks"
local dinheiro = require "faturo.dinheiro"

local PREFIXOS_IMAGEM = { "408" } -- 4.08: radiologia, ultrassonografia, TC, RM

local SADT = {
  tipo = "sp-sadt", numero_prestador = "HZ-0001",
  operadora = { registro_ans = "368253", nome = "Horizonte Cooperativa Médica", script = "horizonte" },
  carteira_numero = "0368253000457", carteira_validade = "2029-06-30",
  beneficiario = { nome = "Beatriz Nunes", cpf = "39053344705", sexo = "F" },
  senha = "HZ-99812", data_autorizacao = "2025-08-01", validade_senha = "2025-08-31",
  cid = "R103", data_inicio = "2025-08-04",
  assinatura_beneficiario = true, pedido_medico = true, laudo = true,
  executante = { nome = "Dr. Paulo Meireles", conselho = "CRM", numero_conselho = "77881", uf = "MG", cbo = "225320" },
  valor_total = "180.00",
  itens = { { sequencial = 1, tipo = "procedimento", codigo_tabela = "22", codigo = "40808041",
              quantidade = "1.0000", valor_unitario = "180.00", valor_total = "180.00", data = "2025-08-04" } },
}

local CONSULTA = base.mesclar(SADT, {
  tipo = "consulta", numero_prestador = "HZ-0100", tipo_consulta = "1",
  senha = base.nada, validade_senha = base.nada, data_autorizacao = base.nada, laudo = false,
  valor_total = "140.00",
  itens = { { sequencial = 1, codigo_tabela = "22", codigo = "10101012", quantidade = "1.0000",
              valor_unitario = "140.00", valor_total = "140.00", data = "2025-08-04" } },
})

return base.operadora {
  registro_ans = "368253",
  nome = "Horizonte Cooperativa Médica",
  codigo_prestador = "HZ-5520",

  lote = { periodicidade = "semanal", fechamento_dia_semana = "domingo", prazo_envio_dias = 3,
           max_guias = 100 },
  pagamento = { prazo_dias = 30 },
  recurso = {
    prazo_dias = 90,
    justificativas = {
      ["1712"] = "O laudo do exame {codigo} da guia {numero_guia}, assinado pelo médico responsável, "
        .. "segue anexo.",
      ["1508"] = "CID {cid} informado no atendimento de {data} (guia {numero_guia}).",
      ["1705"] = "Consulta de {data} (guia {numero_guia}) não é retorno: nova queixa, prontuário anexo.",
    },
  },
  prazo_apresentacao_dias = 120,

  precos = {
    procedimentos = { tabela = "cbhpm", edicao = "demo", uco_centavos = 1800, filme_centavos = 2100,
                      planos = { apartamento = { ajuste_bp = 1000, aplica = "total" },
                                 enfermaria = { ajuste_bp = 0 } } },
    materiais = { tabela = "simpro", base = "pmc" },
    medicamentos = { tabela = "brasindice", base = "pmc" },
    taxas = { tabela = "negociada" },
  },

  obrigatorios = {
    ["sp-sadt"] = { "senha", "cid" },
    consulta = { "cid" },
  },

  checks = {
    retorno_20_dias = checks.retorno { dias = 20, glosa = "1705" },

    -- cada exame de imagem sem laudo é um achado no item
    laudo_imagem = function(guia, ctx)
      if guia.tipo ~= "sp-sadt" or not checks.vazio(guia.laudo) then return nil end
      local achados = {}
      for _, it in ipairs(checks.itens_com_prefixo(guia, PREFIXOS_IMAGEM)) do
        local ok, v = pcall(dinheiro.centavos, it.valor_total)
        achados[#achados + 1] = {
          codigo = "LAUDO_AUSENTE", severidade = "bloqueio",
          campo = "laudo", item = it.sequencial, glosa = "1712",
          valor_risco = ok and v or 0,
          mensagem = string.format("exame de imagem %s sem laudo: a Horizonte só paga exames "
                                   .. "4.08 com o laudo anexado", it.codigo),
        }
      end
      return achados
    end,
  },

  testes = {
    { nome = "SADT de imagem completa não gera achados", guia = SADT, sem_achados = true },
    { nome = "imagem sem laudo é bloqueada no item",
      guia = base.mesclar(SADT, { laudo = false }), espera = { "LAUDO_AUSENTE" } },
    { nome = "exame que não é de imagem não exige laudo",
      guia = base.mesclar(SADT, { laudo = false, itens = { { sequencial = 1, codigo = "40301630",
                                                             quantidade = "1.0000", valor_total = "30.00" } } }),
      nao_espera = { "LAUDO_AUSENTE" } },
    { nome = "consulta sem CID é bloqueada", guia = base.mesclar(CONSULTA, { cid = base.nada }),
      espera = { "CID_AUSENTE" } },
    { nome = "SADT não exige validade da senha", guia = base.mesclar(SADT, { validade_senha = base.nada }),
      nao_espera = { "VALIDADE_SENHA_AUSENTE" } },
    { nome = "consulta 20 dias depois é retorno",
      guia = base.mesclar(CONSULTA, { numero_prestador = "HZ-0101", data_inicio = "2025-08-24" }),
      ctx = { hoje = "2025-08-25", historico = { CONSULTA } }, espera = { "CONSULTA_RETORNO" } },
    { nome = "consulta 21 dias depois não é retorno",
      guia = base.mesclar(CONSULTA, { numero_prestador = "HZ-0102", data_inicio = "2025-08-25" }),
      ctx = { hoje = "2025-08-26", historico = { CONSULTA } }, nao_espera = { "CONSULTA_RETORNO" } },
  },
}
