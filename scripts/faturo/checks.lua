-- faturo.checks: checks comuns que os scripts das operadoras montam com parâmetros.
-- Um check é function(guia, ctx) que devolve nil, um achado ou uma lista de achados
-- (ou chama error(achado)). Veja docs/regras.md.
local datas = require "faturo.datas"
local dinheiro = require "faturo.dinheiro"

local M = {}

-- as funções usadas a cada guia ficam em locais (acesso direto, sem procurar
-- na tabela do módulo nem nas globais)
local type, tostring, ipairs, pcall, format = type, tostring, ipairs, pcall, string.format
local centavos, diferenca, data_valida = dinheiro.centavos, datas.diferenca, datas.valida

-- campo vazio: ausente, false, "", 0 ou "0"
local function vazio(v)
  return v == nil or v == false or v == "" or v == 0 or v == "0"
end
M.vazio = vazio

-- valor por caminho com pontos: M.valor(guia, "executante.cbo")
local function valor(guia, caminho)
  if caminho ~= "" and not caminho:find(".", 1, true) then return guia[caminho] end
  local v = guia
  for parte in caminho:gmatch("[^%.]+") do
    if type(v) ~= "table" then return nil end
    v = v[parte]
  end
  return v
end
M.valor = valor

-- valor total cobrado na guia em centavos (0 se ausente ou ilegível)
local function valor_guia(guia)
  local ok, c = pcall(centavos, guia.valor_total)
  if ok and c then return c end
  local soma = 0
  for _, it in ipairs(guia.itens or {}) do
    local ok2, v = pcall(centavos, it.valor_total)
    if ok2 and v then soma = soma + v end
  end
  return soma
end
M.valor_guia = valor_guia

-- campos conhecidos: código do achado, glosa TUSS 38 prevista e como falar dele
local CAMPOS = {
  senha = { "SENHA_AUSENTE", "1403", "a senha de autorização" },
  validade_senha = { "VALIDADE_SENHA_AUSENTE", "1414", "a validade da senha" },
  data_autorizacao = { "DATA_AUTORIZACAO_AUSENTE", "1403", "a data da autorização" },
  cid = { "CID_AUSENTE", "1508", "o CID principal" },
  pedido_medico = { "PEDIDO_MEDICO_AUSENTE", "1709", "o pedido médico" },
  assinatura_beneficiario = { "ASSINATURA_AUSENTE", "1319", "a assinatura do beneficiário" },
  laudo = { "LAUDO_AUSENTE", "1712", "o laudo do exame" },
  carteira_numero = { "CARTEIRA_AUSENTE", "1001", "o número da carteira" },
  carteira_validade = { "CARTEIRA_VALIDADE_AUSENTE", "1017", "a validade da carteira" },
  indicacao_clinica = { "INDICACAO_CLINICA_AUSENTE", nil, "a indicação clínica" },
  data_solicitacao = { "DATA_SOLICITACAO_AUSENTE", nil, "a data da solicitação" },
  numero_operadora = { "NUMERO_OPERADORA_AUSENTE", nil, "o número da guia na operadora" },
  solicitante = { "SOLICITANTE_AUSENTE", "1411", "o profissional solicitante" },
  executante = { "EXECUTANTE_AUSENTE", nil, "o profissional executante" },
  cns = { "CNS_AUSENTE", "1002", "o cartão nacional de saúde" },
}
M.CAMPOS = CAMPOS

local function campo_info(campo)
  local info = CAMPOS[campo]
  if info then return info[1], info[2], info[3] end
  return (campo:gsub("%.", "_"):upper() .. "_AUSENTE"), nil, "o campo " .. campo
end
M.campo_info = campo_info

-- monta um achado conferindo os campos essenciais
function M.achado(t)
  assert(type(t.codigo) == "string" and t.codigo:match("^[A-Z0-9_]+$"), "achado sem codigo válido")
  assert(type(t.mensagem) == "string", "achado sem mensagem")
  t.severidade = t.severidade or "bloqueio"
  return t
end

-- o tipo da guia como o faturista o lê (SP/SADT, não sp-sadt)
local TIPO_ROTULO = { consulta = "de consulta", ["sp-sadt"] = "SP/SADT", honorarios = "de honorários",
                      ["resumo-internacao"] = "de resumo de internação" }

-- check de campos obrigatórios; `por_tipo` é { ["sp-sadt"] = {"senha", ...}, todos = {...} }
function M.obrigatorios(por_tipo)
  return function(guia, ctx)
    local achados = {}
    local listas = { por_tipo.todos or {}, por_tipo[guia.tipo] or {} }
    local vistos = {}
    for _, lista in ipairs(listas) do
      for _, campo in ipairs(lista) do
        if not vistos[campo] and vazio(valor(guia, campo)) then
          vistos[campo] = true
          local codigo, glosa, nome = campo_info(campo)
          achados[#achados + 1] = {
            codigo = codigo, severidade = "bloqueio", campo = campo, glosa = glosa,
            valor_risco = valor_guia(guia),
            mensagem = format("falta %s, exigido pela operadora em guias %s",
                              nome, TIPO_ROTULO[guia.tipo] or guia.tipo or "?"),
          }
        end
      end
    end
    return achados
  end
end

local function mesmo_beneficiario(a, b)
  if a.carteira_numero and b.carteira_numero then
    return a.carteira_numero == b.carteira_numero
  end
  local ba, bb = a.beneficiario or {}, b.beneficiario or {}
  if ba.cpf and bb.cpf then return ba.cpf == bb.cpf end
  if a.cns and b.cns then return a.cns == b.cns end
  return false
end
M.mesmo_beneficiario = mesmo_beneficiario

local function mesmo_executante(a, b)
  local ea, eb = a.executante, b.executante
  if type(ea) ~= "table" or type(eb) ~= "table" then return false end
  return ea.conselho == eb.conselho and ea.numero_conselho == eb.numero_conselho
    and ea.uf == eb.uf and ea.numero_conselho ~= nil
end
M.mesmo_executante = mesmo_executante

local function mesma_guia(a, b)
  if a.id and b.id then return a.id == b.id end
  return a.numero_prestador ~= nil and a.numero_prestador == b.numero_prestador
end
M.mesma_guia = mesma_guia

-- Consulta de retorno: uma consulta nova (tipo_consulta "1") do mesmo beneficiário
-- com o mesmo executante até `dias` dias depois de outra consulta (ctx.historico).
-- opts: { dias = 30, glosa = "1705", severidade = "alerta", codigo = "CONSULTA_RETORNO" }
function M.retorno(opts)
  local dias = assert(math.tointeger(opts.dias), "retorno: dias deve ser inteiro")
  return function(guia, ctx)
    if guia.tipo ~= "consulta" or tostring(guia.tipo_consulta) ~= "1" then return nil end
    local d = guia.data_inicio
    if not data_valida(d) then return nil end
    for _, h in ipairs(ctx.historico or {}) do
      if type(h) == "table" and h.tipo == "consulta" and not mesma_guia(guia, h)
          and mesmo_beneficiario(guia, h) and mesmo_executante(guia, h) then
        local dif = diferenca(h.data_inicio, d)
        local antes = dif and (dif > 0 or (dif == 0 and tostring(h.numero_prestador or "")
                                                          < tostring(guia.numero_prestador or "")))
        if antes and dif <= dias then
          return {
            codigo = opts.codigo or "CONSULTA_RETORNO",
            severidade = opts.severidade or "alerta",
            campo = "tipo_consulta",
            glosa = opts.glosa or "1705",
            valor_risco = valor_guia(guia),
            mensagem = format(
              "consulta %s %d dia(s) depois da consulta de %s com o mesmo profissional: a operadora "
              .. "considera retorno até %d dias (não paga nova consulta)",
              datas.br(d), dif, datas.br(h.data_inicio), dias),
          }
        end
      end
    end
    return nil
  end
end

-- itens cujo código começa com um dos prefixos
function M.itens_com_prefixo(guia, prefixos)
  local r = {}
  for _, it in ipairs(guia.itens or {}) do
    for _, p in ipairs(prefixos) do
      if type(it.codigo) == "string" and it.codigo:sub(1, #p) == p then
        r[#r + 1] = it
        break
      end
    end
  end
  return r
end

-- Prazo de apresentação: guia atendida há mais de `dias` dias de ctx.hoje.
function M.prazo_apresentacao(dias, glosa)
  return function(guia, ctx)
    local dif = diferenca(guia.data_inicio, ctx.hoje)
    if dif and dif > dias then
      return {
        codigo = "PRAZO_EXCEDIDO", severidade = "bloqueio", campo = "data_inicio",
        glosa = glosa or "1701", valor_risco = valor_guia(guia),
        mensagem = format("atendimento de %s tem %d dias: o prazo de apresentação da "
                                 .. "operadora é de %d dias", datas.br(guia.data_inicio), dif, dias),
      }
    end
  end
end

return M
