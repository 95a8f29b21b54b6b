-- faturo.base: a declaração de uma operadora. Todo script de operadora termina em
--   return base.operadora { ... }
-- base.operadora confere cada campo (erros dizem qual campo e o que se espera),
-- converte dinheiro e percentuais escritos como texto, monta o check
-- "obrigatorios" a partir de `obrigatorios` e devolve a declaração normalizada que
-- o faturo publica como contrato (faturo regras mostrar OPERADORA).
local datas = require "faturo.datas"
local dinheiro = require "faturo.dinheiro"
local checks = require "faturo.checks"

local M = {}

M.TIPOS = { consulta = true, ["sp-sadt"] = true, honorarios = true, ["resumo-internacao"] = true }
M.PERIODICIDADES = { mensal = true, quinzenal = true, semanal = true, calendario = true }
M.AGRUPAMENTOS = { tipo_guia = true, competencia = true, plano = true, executante = true,
                   carater_atendimento = true }
M.SEMANA = { domingo = 0, segunda = 1, terca = 2, ["terça"] = 2, quarta = 3, quinta = 4,
             sexta = 5, sabado = 6, ["sábado"] = 6 }

local CHAVES = {
  registro_ans = true, nome = true, codigo_prestador = true, versao_tiss = true, hash = true,
  lote = true, pagamento = true, recurso = true, prazo_apresentacao_dias = true, precos = true,
  obrigatorios = true, checks = true, testes = true, observacoes = true,
  retencoes = true, repasse = true, conciliacao = true,
  anexos_exigidos = true, sessoes_max_por_guia = true, sessoes_por_procedimento = true,
  papel_fisico = true,
}

local function falha(fmt, ...)
  error(string.format(fmt, ...), 0)
end

local function inteiro(v, campo, min, max)
  if math.type(v) ~= "integer" then
    falha("%s deve ser um número inteiro (recebido: %s)", campo, tostring(v))
  end
  if (min and v < min) or (max and v > max) then
    falha("%s deve estar entre %d e %d (recebido: %d)", campo, min or math.mininteger,
          max or math.maxinteger, v)
  end
  return v
end

local function texto(v, campo)
  if type(v) ~= "string" or v == "" then falha("%s deve ser um texto não vazio", campo) end
  return v
end

local function tabela(v, campo)
  if type(v) ~= "table" then falha("%s deve ser uma tabela { ... }", campo) end
  return v
end

-- dia de fechamento: 1..31 ou "ultimo" (-1 = último dia do mês)
local function dia_fechamento(v, campo)
  if v == "ultimo" or v == "último" then return -1 end
  return inteiro(v, campo, 1, 31)
end

local function valida_lote(l)
  tabela(l, "lote")
  local r = {}
  r.periodicidade = texto(l.periodicidade, "lote.periodicidade")
  if not M.PERIODICIDADES[r.periodicidade] then
    falha("lote.periodicidade deve ser mensal, quinzenal, semanal ou calendario (recebido: %s)",
          r.periodicidade)
  end
  if r.periodicidade == "mensal" then
    r.fechamento_dias = { dia_fechamento(l.fechamento_dia, "lote.fechamento_dia") }
  elseif r.periodicidade == "quinzenal" then
    tabela(l.fechamento_dias, "lote.fechamento_dias")
    if #l.fechamento_dias ~= 2 then falha("lote.fechamento_dias deve ter 2 dias (ex.: {15, \"ultimo\"})") end
    r.fechamento_dias = {}
    for i, d in ipairs(l.fechamento_dias) do
      r.fechamento_dias[i] = dia_fechamento(d, "lote.fechamento_dias[" .. i .. "]")
    end
  elseif r.periodicidade == "semanal" then
    local d = l.fechamento_dia_semana
    if type(d) == "string" then d = M.SEMANA[d] end
    r.fechamento_dia_semana = inteiro(d, "lote.fechamento_dia_semana (domingo..sabado ou 0..6)", 0, 6)
    r.fechamento_dia_semana_nome = datas.NOMES_SEMANA[r.fechamento_dia_semana]
  else
    tabela(l.datas, "lote.datas")
    if #l.datas == 0 then falha("lote.datas deve listar as datas de fechamento (AAAA-MM-DD)") end
    local vistas, lista = {}, {}
    for i, d in ipairs(l.datas) do
      if not datas.valida(d) then falha("lote.datas[%d] não é uma data AAAA-MM-DD: %s", i, tostring(d)) end
      if not vistas[d] then vistas[d] = true; lista[#lista + 1] = d end
    end
    table.sort(lista)
    r.datas = lista
  end
  r.prazo_envio_dias = inteiro(l.prazo_envio_dias, "lote.prazo_envio_dias", 0, 365)
  r.max_guias = inteiro(l.max_guias or 100, "lote.max_guias", 1, 100)
  r.agrupamento = {}
  for i, a in ipairs(l.agrupamento or { "tipo_guia" }) do
    if not M.AGRUPAMENTOS[a] then
      falha("lote.agrupamento[%d]: '%s' desconhecido (tipo_guia, competencia, plano, executante, "
            .. "carater_atendimento)", i, tostring(a))
    end
    r.agrupamento[i] = a
  end
  for k in pairs(l) do
    if not ({ periodicidade = 1, fechamento_dia = 1, fechamento_dias = 1, fechamento_dia_semana = 1,
              datas = 1, prazo_envio_dias = 1, max_guias = 1, agrupamento = 1 })[k] then
      falha("lote.%s: campo desconhecido", tostring(k))
    end
  end
  return r
end

-- precos: números inteiros (centavos e pontos-base); textos em campos *_centavos e
-- *_bp são convertidos por faturo.dinheiro; qualquer float é recusado
local function normaliza_precos(t, caminho)
  local r = {}
  for k, v in pairs(t) do
    local campo = caminho .. "." .. tostring(k)
    if type(v) == "table" then
      r[k] = normaliza_precos(v, campo)
    elseif type(k) == "string" and k:match("_bp$") then
      local ok, bp = pcall(dinheiro.bp, v)
      if not ok then falha("%s: percentual inválido %s (use pontos-base inteiros ou \"-20%%\")", campo, tostring(v)) end
      r[k] = bp
    elseif type(k) == "string" and k:match("_centavos$") then
      local ok, c = pcall(dinheiro.centavos, v)
      if not ok then falha("%s: valor inválido %s (use centavos inteiros ou \"17,50\")", campo, tostring(v)) end
      r[k] = c
    elseif math.type(v) == "float" then
      falha("%s: %s tem casas decimais; use centavos (inteiro) ou pontos-base (inteiro)", campo, tostring(v))
    else
      r[k] = v
    end
  end
  return r
end

local function valida_obrigatorios(o)
  local r = {}
  for tipo, lista in pairs(tabela(o, "obrigatorios")) do
    if tipo ~= "todos" and not M.TIPOS[tipo] then
      falha("obrigatorios: tipo de guia '%s' desconhecido (consulta, sp-sadt, honorarios, "
            .. "resumo-internacao ou todos)", tostring(tipo))
    end
    tabela(lista, "obrigatorios." .. tipo)
    r[tipo] = {}
    for i, campo in ipairs(lista) do
      if type(campo) ~= "string" or not campo:match("^[a-z_][a-z0-9_%.]*$") then
        falha("obrigatorios.%s[%d]: nome de campo inválido", tipo, i)
      end
      r[tipo][i] = campo
    end
  end
  return r
end

local function valida_recurso(rc)
  tabela(rc, "recurso")
  local r = { prazo_dias = inteiro(rc.prazo_dias, "recurso.prazo_dias", 1, 3650), justificativas = {} }
  for glosa, modelo in pairs(rc.justificativas or {}) do
    local g = tostring(glosa)
    if not g:match("^%d%d%d%d$") then falha("recurso.justificativas: '%s' não é um código de glosa (4 dígitos)", g) end
    texto(modelo, "recurso.justificativas." .. g)
    for nome in modelo:gmatch("{([^}]*)}") do
      if not nome:match("^[a-z_]+$") then
        falha("recurso.justificativas.%s: marcador {%s} inválido (use {numero_guia}, {data}...)", g, nome)
      end
    end
    r.justificativas[g] = modelo
  end
  return r
end

-- pagamento: prazo em dias (corridos ou úteis) contado do envio ou do protocolo,
-- e dias fixos de pagamento no mês (o primeiro deles a partir do prazo)
local function valida_pagamento(p)
  tabela(p, "pagamento")
  for k in pairs(p) do
    if k ~= "prazo_dias" and k ~= "contar_de" and k ~= "dias_uteis" and k ~= "dias_do_mes" then
      falha("pagamento.%s: campo desconhecido (prazo_dias, contar_de, dias_uteis, dias_do_mes)", tostring(k))
    end
  end
  local r = { prazo_dias = inteiro(p.prazo_dias, "pagamento.prazo_dias", 1, 3650) }
  r.contar_de = p.contar_de or "envio"
  if r.contar_de ~= "envio" and r.contar_de ~= "protocolo" then
    falha("pagamento.contar_de deve ser \"envio\" ou \"protocolo\" (recebido: %s)", tostring(p.contar_de))
  end
  if p.dias_uteis ~= nil and type(p.dias_uteis) ~= "boolean" then
    falha("pagamento.dias_uteis deve ser true ou false")
  end
  r.dias_uteis = p.dias_uteis == true
  r.dias_do_mes = {}
  for i, d in ipairs(p.dias_do_mes or {}) do
    r.dias_do_mes[i] = inteiro(d, "pagamento.dias_do_mes[" .. i .. "]", 1, 31)
  end
  return r
end

-- retenções na nota fiscal: percentuais ("1,5%") ou pontos-base inteiros
local function valida_retencoes(t)
  local r = { iss_bp = 0, ir_bp = 0, pis_bp = 0, cofins_bp = 0, csll_bp = 0 }
  if t == nil then return r end
  tabela(t, "retencoes")
  for k, v in pairs(t) do
    if r[tostring(k) .. "_bp"] == nil then
      falha("retencoes.%s: imposto desconhecido (iss, ir, pis, cofins, csll)", tostring(k))
    end
    local ok, bp = pcall(dinheiro.bp, v)
    if not ok or bp < 0 or bp > 10000 then
      falha("retencoes.%s: percentual inválido %s (use \"1,5%%\" ou pontos-base)", tostring(k), tostring(v))
    end
    r[k .. "_bp"] = bp
  end
  return r
end

-- repasse: casos especiais do contrato, por grupo de procedimento (prefixo do
-- código): percentual ou valor fixo que o contrato impõe ao profissional
local function valida_repasse(t)
  local r = {}
  if t == nil then return r end
  tabela(t, "repasse")
  for i, c in ipairs(t) do
    local campo = "repasse[" .. i .. "]"
    tabela(c, campo)
    local e = { grupo = texto(c.grupo, campo .. ".grupo") }
    if not e.grupo:match("^%d+$") then falha("%s.grupo deve ser o início do código (dígitos)", campo) end
    if (c.percentual == nil) == (c.valor == nil) then
      falha("%s: informe percentual ou valor (um dos dois)", campo)
    end
    if c.percentual ~= nil then
      local ok, bp = pcall(dinheiro.bp, c.percentual)
      if not ok or bp < 0 or bp > 10000 then falha("%s.percentual inválido", campo) end
      e.percentual_bp = bp
    else
      local ok, v = pcall(dinheiro.centavos, c.valor)
      if not ok or v < 0 then falha("%s.valor inválido", campo) end
      e.valor_centavos = v
    end
    e.motivo = c.motivo
    r[i] = e
  end
  return r
end

-- conciliação bancária: CNPJ da operadora e textos do histórico do crédito
local function valida_conciliacao(t)
  local r = { historico = {} }
  if t == nil then return r end
  tabela(t, "conciliacao")
  if t.cnpj ~= nil then
    r.cnpj = texto(t.cnpj, "conciliacao.cnpj"):gsub("%D", "")
    if #r.cnpj ~= 14 then falha("conciliacao.cnpj deve ter 14 dígitos") end
  end
  for i, h in ipairs(t.historico or {}) do
    r.historico[i] = texto(h, "conciliacao.historico[" .. i .. "]")
  end
  return r
end

-- A declaração da operadora. Devolve a tabela normalizada (ver docs/regras.md).
function M.operadora(d)
  local ok, r = pcall(function()
    tabela(d, "a declaração")
    for k in pairs(d) do
      if not CHAVES[k] then falha("campo desconhecido '%s' na declaração", tostring(k)) end
    end
    local r = {}
    r.registro_ans = texto(d.registro_ans, "registro_ans")
    if not r.registro_ans:match("^%d%d%d%d%d%d$") then falha("registro_ans deve ter 6 dígitos") end
    r.nome = texto(d.nome, "nome")
    r.codigo_prestador = texto(d.codigo_prestador, "codigo_prestador")
    r.versao_tiss = d.versao_tiss or "4.01.00"
    if not tostring(r.versao_tiss):match("^%d+%.%d+%.%d+$") then falha("versao_tiss deve ser como \"4.01.00\"") end
    r.hash = d.hash or "iso-8859-1"
    if r.hash ~= "iso-8859-1" and r.hash ~= "utf-8" then
      falha("hash deve ser \"iso-8859-1\" ou \"utf-8\" (recebido: %s)", tostring(r.hash))
    end
    r.lote = valida_lote(d.lote)
    r.pagamento = valida_pagamento(d.pagamento)
    r.retencoes = valida_retencoes(d.retencoes)
    r.repasse = valida_repasse(d.repasse)
    r.conciliacao = valida_conciliacao(d.conciliacao)
    r.recurso = valida_recurso(d.recurso)
    r.prazo_apresentacao_dias = inteiro(d.prazo_apresentacao_dias, "prazo_apresentacao_dias", 1, 3650)
    r.precos = normaliza_precos(tabela(d.precos, "precos"), "precos")
    r.obrigatorios = valida_obrigatorios(d.obrigatorios or {})
    r.observacoes = d.observacoes
    -- regras de guias (Part L): conferidas pelo faturo ao carregar o contrato
    -- (anexos_exigidos[N], sessoes_*, papel_fisico; ver docs/regras.md)
    if d.anexos_exigidos ~= nil then r.anexos_exigidos = tabela(d.anexos_exigidos, "anexos_exigidos") end
    if d.sessoes_por_procedimento ~= nil then
      r.sessoes_por_procedimento = tabela(d.sessoes_por_procedimento, "sessoes_por_procedimento")
    end
    if d.sessoes_max_por_guia ~= nil then
      r.sessoes_max_por_guia = inteiro(d.sessoes_max_por_guia, "sessoes_max_por_guia", 1, 366)
    end
    if d.papel_fisico ~= nil then
      if type(d.papel_fisico) ~= "boolean" then falha("papel_fisico deve ser true ou false") end
      r.papel_fisico = d.papel_fisico
    end
    r.checks = {}
    for nome, fn in pairs(d.checks or {}) do
      if type(fn) ~= "function" then falha("checks.%s deve ser function(guia, ctx)", tostring(nome)) end
      if nome == "obrigatorios" then falha("checks.obrigatorios é reservado (use o campo obrigatorios)") end
      r.checks[nome] = fn
    end
    if next(r.obrigatorios) ~= nil then
      r.checks.obrigatorios = checks.obrigatorios(r.obrigatorios)
    end
    r.testes = d.testes or {}
    for i, t in ipairs(tabela(r.testes, "testes")) do
      tabela(t, "testes[" .. i .. "]")
      texto(t.nome, "testes[" .. i .. "].nome")
      tabela(t.guia, "testes[" .. i .. "].guia")
    end
    return r
  end)
  if not ok then
    error("base.operadora: " .. tostring(r), 2) -- aponta a linha do script da operadora
  end
  return r
end

-- sentinela para remover um campo em base.mesclar
M.nada = setmetatable({}, { __tostring = function() return "base.nada" end })

-- cópia de `a` com os campos de `b` por cima (recursivo); base.nada remove o campo
function M.mesclar(a, b)
  local r = {}
  for k, v in pairs(a) do
    r[k] = type(v) == "table" and M.mesclar(v, {}) or v
  end
  for k, v in pairs(b or {}) do
    if v == M.nada then
      r[k] = nil
    elseif type(v) == "table" and type(r[k]) == "table" and v[1] == nil and next(v) ~= nil then
      r[k] = M.mesclar(r[k], v)
    elseif type(v) == "table" then
      r[k] = M.mesclar(v, {})
    else
      r[k] = v
    end
  end
  return r
end

-- preenche um modelo de justificativa: "guia {numero_guia}" com vars.numero_guia
function M.justificativa(modelo, vars)
  return (modelo:gsub("{([a-z_]+)}", function(k)
    local v = vars[k]
    return v ~= nil and tostring(v) or "{" .. k .. "}"
  end))
end

return M
