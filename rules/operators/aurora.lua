-- Aurora Saúde (registro ANS 312347): contrato de credenciamento.
-- Supervisora: mantenha este arquivo junto com o contrato assinado. Depois de
-- editar: faturo regras testar aurora && faturo regras recarregar
local base = require "faturo.base"
local checks = require "faturo.checks"
local dinheiro = require "faturo.dinheiro"

-- cláusula 7.2: SP/SADT com no máximo 5 unidades por item sem nova senha
local MAX_QTD_SADT = 5

-- guia de exemplo para os testes: completa para as exigências da Aurora
local SADT = {
  tipo = "sp-sadt", numero_prestador = "AUR-0001",
  operadora = { registro_ans = "312347", nome = "Aurora Saúde", script = "aurora" },
  carteira_numero = "312347000100", carteira_validade = "2030-12-31",
  beneficiario = { nome = "Maria da Silva", cpf = "52998224725", sexo = "F" },
  senha = "AUR778812", data_autorizacao = "2025-03-02", validade_senha = "2025-04-01",
  cid = "M545", data_inicio = "2025-03-10",
  assinatura_beneficiario = true, pedido_medico = true, laudo = true,
  executante = { nome = "Dr. João Lima", conselho = "CRM", numero_conselho = "123456", uf = "SP", cbo = "225125" },
  valor_total = "210.00",
  itens = {
    { sequencial = 1, tipo = "procedimento", codigo_tabela = "22", codigo = "40304361",
      quantidade = "2.0000", valor_unitario = "105.00", valor_total = "210.00", data = "2025-03-10" },
  },
}

-- ressonância magnética (grupo 4.11): a Aurora exige o laudo anexado à guia
local RM = base.mesclar(SADT, {
  numero_prestador = "AUR-0200",
  itens = { { sequencial = 1, tipo = "procedimento", codigo_tabela = "22", codigo = "41101014",
              quantidade = "1.0000", valor_unitario = "210.00", valor_total = "210.00",
              data = "2025-03-10" } },
})

-- SP/SADT de sessões (fisioterapia, psicoterapia): n itens do mesmo código, um por dia
local function sessoes(codigo, n)
  local itens = {}
  for i = 1, n do
    itens[i] = { sequencial = i, tipo = "procedimento", codigo_tabela = "22", codigo = codigo,
                 quantidade = "1.0000", valor_unitario = "21.00", valor_total = "21.00",
                 data = string.format("2025-03-%02d", i) }
  end
  return base.mesclar(SADT, { numero_prestador = "AUR-0300", valor_total = string.format("%d.00", 21 * n),
                              itens = base.nada }), itens
end
local function guia_sessoes(codigo, n)
  local g, itens = sessoes(codigo, n)
  g.itens = itens
  return g
end

local CONSULTA = base.mesclar(SADT, {
  tipo = "consulta", numero_prestador = "AUR-0100", tipo_consulta = "1",
  senha = base.nada, validade_senha = base.nada, data_autorizacao = base.nada,
  valor_total = "150.00",
  itens = { { sequencial = 1, tipo = "procedimento", codigo_tabela = "22", codigo = "10101012",
              quantidade = "1.0000", valor_unitario = "150.00", valor_total = "150.00",
              data = "2025-03-10" } },
})

return base.operadora {
  registro_ans = "312347",
  nome = "Aurora Saúde",
  codigo_prestador = "A-10234",
  versao_tiss = "4.01.00",
  hash = "iso-8859-1",

  lote = { periodicidade = "mensal", fechamento_dia = 25, prazo_envio_dias = 10, max_guias = 100,
           agrupamento = { "tipo_guia" } },
  -- cláusula 9: pagamento em 30 dias do protocolo; a Aurora retém na fonte os
  -- tributos da nota (ISS do município, IR e PIS/COFINS/CSLL)
  pagamento = { prazo_dias = 30, contar_de = "protocolo" },
  retencoes = { iss = "2%", ir = "1,5%", pis = "0,65%", cofins = "3%", csll = "1%" },
  -- como o crédito aparece no extrato do banco
  conciliacao = { cnpj = "11.222.333/0001-81", historico = { "AURORA SAUDE" } },
  -- cláusula 12.4: honorários de exames de imagem (grupo 4.08) com repasse fixo de 40%
  repasse = { { grupo = "408", percentual = "40%", motivo = "cláusula 12.4" } },
  recurso = {
    prazo_dias = 60,
    justificativas = {
      ["1403"] = "A guia {numero_guia} foi autorizada sob a senha {senha}, emitida em {data_autorizacao}; "
        .. "segue o comprovante da autorização.",
      ["1508"] = "O CID {cid} consta do pedido médico anexo à guia {numero_guia}.",
      ["1705"] = "O atendimento de {data} na guia {numero_guia} foi consulta nova por queixa diferente "
        .. "(CID {cid}), conforme prontuário anexo.",
      ["1423"] = "A quantidade do item {item} da guia {numero_guia} foi prescrita pelo médico "
        .. "solicitante; segue a prescrição.",
    },
  },
  -- cláusula 8.3: exames de ressonância magnética (grupo 4.11) só com o laudo anexado
  anexos_exigidos = { { prefixo = "4.11", tipo = "laudo" } },
  -- cláusula 8.5: até 10 sessões do mesmo procedimento por guia de SP/SADT; psicoterapia
  -- (50000470) até 20
  sessoes_max_por_guia = 10,
  sessoes_por_procedimento = { { codigos = { "50000470" }, max = 20 } },
  -- a Aurora ainda exige a via em papel assinada pelo beneficiário, entregue por lote
  papel_fisico = true,
  prazo_apresentacao_dias = 90,

  precos = {
    procedimentos = { tabela = "cbhpm", edicao = "demo", ajuste_bp = dinheiro.bp("-20%"),
                      uco_centavos = dinheiro.centavos("17,50"), filme_centavos = 2100 },
    materiais = { tabela = "simpro", base = "pf", ajuste_bp = dinheiro.bp("+10%") },
    medicamentos = { tabela = "brasindice", base = "pf", ajuste_bp = dinheiro.bp("+15%") },
    taxas = { tabela = "negociada" },
  },

  obrigatorios = {
    ["sp-sadt"] = { "senha", "validade_senha", "cid" },
    ["resumo-internacao"] = { "senha", "cid" },
  },

  checks = {
    -- consulta nova até 30 dias depois de outra com o mesmo médico é retorno
    retorno_30_dias = checks.retorno { dias = 30, glosa = "1705" },

    quantidade_sadt = function(guia, ctx)
      if guia.tipo ~= "sp-sadt" then return nil end
      local achados = {}
      for _, it in ipairs(guia.itens or {}) do
        local q = dinheiro.quantidade_e4(it.quantidade)
        if q and q > MAX_QTD_SADT * 10000 then
          achados[#achados + 1] = {
            codigo = "QUANTIDADE_ACIMA_CONTRATO", severidade = "bloqueio",
            campo = string.format("itens[%d].quantidade", it.sequencial or 0),
            glosa = "1423", item = it.sequencial,
            valor_risco = dinheiro.centavos(it.valor_total or "0"),
            mensagem = string.format("item %s com quantidade %s: a Aurora aceita no máximo %d por "
                                     .. "item de SP/SADT sem nova senha", it.codigo or "?",
                                     it.quantidade, MAX_QTD_SADT),
          }
        end
      end
      return achados
    end,
  },

  testes = {
    { nome = "SADT completa não gera achados", guia = SADT, sem_achados = true },
    { nome = "SADT sem senha é bloqueada", guia = base.mesclar(SADT, { senha = base.nada }),
      espera = { "SENHA_AUSENTE" }, nao_espera = { "CID_AUSENTE" } },
    { nome = "SADT sem validade da senha e sem CID", guia = base.mesclar(SADT, { validade_senha = base.nada, cid = base.nada }),
      espera = { "VALIDADE_SENHA_AUSENTE", "CID_AUSENTE" } },
    { nome = "consulta não exige senha", guia = CONSULTA, sem_achados = true },
    { nome = "ressonância sem laudo anexado é bloqueada", guia = RM, espera = { "ANEXO_AUSENTE" } },
    { nome = "ressonância com laudo anexado passa", guia = RM, anexos = { "laudo" },
      sem_achados = true },
    { nome = "11 sessões do mesmo procedimento passam do limite de 10",
      guia = guia_sessoes("20103220", 11), espera = { "SESSOES_EXCEDIDAS" } },
    { nome = "10 sessões cabem numa guia", guia = guia_sessoes("20103220", 10),
      nao_espera = { "SESSOES_EXCEDIDAS" } },
    { nome = "psicoterapia aceita 20 sessões", guia = guia_sessoes("50000470", 20),
      nao_espera = { "SESSOES_EXCEDIDAS" } },
    { nome = "quantidade 6 num item de SADT é bloqueada",
      guia = base.mesclar(SADT, { itens = { { sequencial = 1, codigo = "40304361", quantidade = "6.0000",
                                              valor_total = "630.00" } } }),
      espera = { "QUANTIDADE_ACIMA_CONTRATO" } },
    { nome = "consulta 20 dias depois de outra com o mesmo médico é retorno",
      guia = base.mesclar(CONSULTA, { numero_prestador = "AUR-0103", data_inicio = "2025-03-30" }),
      ctx = { hoje = "2025-04-02", historico = { CONSULTA } },
      espera = { "CONSULTA_RETORNO" } },
    { nome = "consulta 31 dias depois não é retorno",
      guia = base.mesclar(CONSULTA, { numero_prestador = "AUR-0101", data_inicio = "2025-04-10" }),
      ctx = { hoje = "2025-04-12", historico = { CONSULTA } },
      nao_espera = { "CONSULTA_RETORNO" } },
    { nome = "consulta com outro médico não é retorno",
      guia = base.mesclar(CONSULTA, { numero_prestador = "AUR-0102", data_inicio = "2025-03-20",
                                      executante = { numero_conselho = "999999" } }),
      ctx = { hoje = "2025-03-21", historico = { CONSULTA } },
      nao_espera = { "CONSULTA_RETORNO" } },
  },
}
