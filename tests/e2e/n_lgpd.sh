#!/bin/sh
# e2e (Part N): patient data under the LGPD, through the CLI, on the demo.
#  1. a faturista's guia listing shows masked CPFs; the access log records
#     each listing page as masked and the one full view (guia mostrar) as
#     completo, with ids only (no CPF, no name in the table);
#  2. titular exportar writes JSON + HTML (0600) holding the patient's guias;
#     titular anonimizar is refused within retention (recent demo) and
#     accepted past it (a 2019 demo), totals unchanged, verificar clean, the
#     CPF and the name gone from the whole database and the carteira from the
#     lotes' XML (kept compressed, read back with `lote xml`);
#  3. backup (encrypted) -> change -> restaurar: equal by verificar and by row
#     counts of every table; a changed copy, a wrong key and a plain copy
#     given a key are refused and leave the database as it was.
# usage: n_lgpd.sh FATURO_BIN SOURCE_DIR
set -u
FAT="$1"
SRC="$2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faturo_e2e_n.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FATURO_REGRAS="$SRC/rules"
unset FATURO_DB
cd "$TMP" || exit 1

fail() { echo "FALHOU: $*" >&2; exit 1; }
q() { sqlite3 "$1" "$2"; }
modo() { stat -c %a "$1"; }
# row count of every table, one "name n" line each
contagens() {
  for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"); do
    echo "$t $(sqlite3 "$1" "SELECT count(*) FROM \"$t\"")"
  done
}

# ---------------------------------------------------------------- 1. masking
R="$TMP/recente.db"
"$FAT" --db "$R" demo --guias 100 --competencia 2026-09 > demo1.log 2>&1 || fail "demo recente"
[ "$(modo "$R")" = 600 ] || fail "banco criado com modo $(modo "$R"), esperado 600"
printf 'Faturista!2026x\n' > senha.txt
"$FAT" --db "$R" usuario criar maria --papel faturista --senha-arquivo senha.txt > /dev/null ||
  fail "usuario criar"
"$FAT" --db "$R" --usuario maria --json relatorio guias --limite 20 > lista.json ||
  fail "relatorio guias (faturista)"
n_mask=$(grep -o '"beneficiario_cpf":"\*\*\*\.[0-9]\{3\}\.[0-9]\{3\}-\*\*"' lista.json | wc -l)
n_full=$(grep -o '"beneficiario_cpf":"[0-9]\{3\}\.[0-9]\{3\}\.[0-9]\{3\}-[0-9]\{2\}"' lista.json | wc -l)
[ "$n_mask" -gt 0 ] || fail "a faturista não viu CPFs mascarados: $(head -c 400 lista.json)"
[ "$n_full" -eq 0 ] || fail "a faturista viu $n_full CPF(s) completo(s) na listagem"
"$FAT" --db "$R" --json relatorio guias --limite 20 > lista_op.json || fail "relatorio guias (operador)"
grep -q '"beneficiario_cpf":"[0-9]\{3\}\.[0-9]\{3\}\.[0-9]\{3\}-[0-9]\{2\}"' lista_op.json ||
  fail "o operador da linha de comando deveria ver o CPF completo"
gid=$(q "$R" "SELECT g.id FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id WHERE length(b.cpf) = 11 ORDER BY g.id LIMIT 1")
"$FAT" --db "$R" --usuario maria guia mostrar "$gid" > guia.txt || fail "guia mostrar"
"$FAT" --db "$R" --json auditoria acessos --usuario maria > acessos.json || fail "auditoria acessos"
n_completo=$(grep -o '"completo":true' acessos.json | wc -l)
n_masc=$(grep -o '"completo":false' acessos.json | wc -l)
[ "$n_completo" -eq 1 ] || fail "esperado 1 acesso completo da maria, há $n_completo: $(cat acessos.json)"
[ "$n_masc" -ge 1 ] || fail "a listagem mascarada da maria não ficou registrada"
grep -q "\"acao\":\"guia mostrar\",\"objeto\":\"guia\",\"registros\":\"$gid\"" acessos.json ||
  fail "o acesso completo não diz guia mostrar da guia $gid: $(cat acessos.json)"
grep -q '"papel":"faturista"' acessos.json || fail "papel da maria não registrado"
cpf=$(q "$R" "SELECT b.cpf FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id WHERE g.id = $gid")
nome=$(q "$R" "SELECT nome FROM beneficiario WHERE cpf = '$cpf' LIMIT 1")
q "$R" "SELECT * FROM acesso" > acesso_dump.txt
grep -q "$cpf" acesso_dump.txt && fail "o registro de acessos guarda um CPF"
grep -qF "$nome" acesso_dump.txt && fail "o registro de acessos guarda um nome"
"$FAT" --db "$R" auditoria acessos --beneficiario "$cpf" > porcpf.txt || fail "acessos --beneficiario"
grep -q "guia mostrar" porcpf.txt || fail "acessos --beneficiario não acha a leitura da guia $gid"
"$FAT" --db "$R" auditoria acessos --desde 2026-13-01 > /dev/null 2>&1
[ $? -eq 2 ] || fail "--desde inválido deveria sair com 2"

# reads that carry patient data beyond guia mostrar: an attachment downloaded
# and a lote's messages are recorded too (ids only)
printf '%%PDF-1.4\n%% laudo de teste\n' > laudo.pdf
"$FAT" --db "$R" guia anexar "$gid" laudo.pdf --tipo laudo > /dev/null || fail "guia anexar"
aid=$(q "$R" "SELECT max(id) FROM guia_anexo")
"$FAT" --db "$R" --usuario maria guia anexo "$aid" --saida baixado.txt > /dev/null ||
  fail "guia anexo (baixar)"
lid=$(q "$R" "SELECT min(id) FROM lote")
[ -n "$lid" ] || fail "o demo não criou lote"
"$FAT" --db "$R" --usuario maria lote mensagens "$lid" > /dev/null || fail "lote mensagens"
rid=$(q "$R" "SELECT min(r.id) FROM recurso r JOIN recurso_item ri ON ri.recurso_id = r.id")
[ -n "$rid" ] || fail "o demo não criou recurso"
"$FAT" --db "$R" --usuario maria recurso relatorio "$rid" > /dev/null || fail "recurso relatorio"
"$FAT" --db "$R" --usuario maria guia historico "$gid" > /dev/null || fail "guia historico"
"$FAT" --db "$R" --json auditoria acessos --usuario maria > acessos2.json ||
  fail "auditoria acessos (2)"
grep -q "\"acao\":\"guia anexo\",\"objeto\":\"guia\",\"registros\":\"$gid\"" acessos2.json ||
  fail "o download do anexo $aid (guia $gid) não ficou registrado: $(cat acessos2.json)"
grep -q '"acao":"lote mensagens","objeto":"guia"' acessos2.json ||
  fail "a leitura das mensagens do lote $lid não ficou registrada: $(cat acessos2.json)"
grep -q '"acao":"recurso relatorio","objeto":"guia","registros":"[0-9]' acessos2.json ||
  fail "o relatório do recurso $rid não ficou registrado: $(cat acessos2.json)"
grep -q "\"acao\":\"guia historico\",\"objeto\":\"guia\",\"registros\":\"$gid\"" acessos2.json ||
  fail "a leitura do histórico da guia $gid não ficou registrada: $(cat acessos2.json)"

# ------------------------------------------------ 2. export and anonymization
"$FAT" --db "$R" titular exportar "$cpf" --saida "$TMP" > exp.txt || fail "titular exportar"
[ "$(modo "titular-$cpf.json")" = 600 ] || fail "exportação JSON com modo $(modo "titular-$cpf.json")"
[ "$(modo "titular-$cpf.html")" = 600 ] || fail "exportação HTML com modo $(modo "titular-$cpf.html")"
n_g=$(q "$R" "SELECT count(*) FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id WHERE b.cpf = '$cpf'")
n_gj=$(jq '.guias | length' "titular-$cpf.json")
[ "$n_g" = "$n_gj" ] || fail "exportação tem $n_gj guias, o banco $n_g"
grep -qF "$nome" "titular-$cpf.html" || fail "HTML sem o nome do titular"
fmt=$(echo "$cpf" | sed 's/^\(...\)\(...\)\(...\)\(..\)$/\1.\2.\3-\4/')
grep -q "$fmt" "titular-$cpf.html" || fail "HTML sem o CPF pontuado $fmt"
"$FAT" --db "$R" titular anonimizar "$cpf" > /dev/null 2>&1
[ $? -eq 2 ] || fail "anonimizar sem --confirmar deveria sair com 2"
"$FAT" --db "$R" titular anonimizar "$cpf" --confirmar > anon1.txt 2>&1 &&
  fail "anonimização aceita dentro do prazo de guarda"
grep -q "guardar até" anon1.txt || fail "recusa sem dizer até quando: $(cat anon1.txt)"
[ "$(q "$R" "SELECT count(*) FROM beneficiario WHERE cpf = '$cpf'")" -ge 1 ] ||
  fail "a recusa mexeu no paciente"

V="$TMP/antigo.db"
"$FAT" --db "$V" demo --guias 100 --competencia 2019-03 > demo2.log 2>&1 || fail "demo 2019"
cpf2=$(q "$V" "SELECT b.cpf FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id JOIN lote l ON l.id = g.lote_id WHERE length(b.cpf) = 11 GROUP BY b.cpf ORDER BY count(*) DESC, b.cpf LIMIT 1")
nome2=$(q "$V" "SELECT nome FROM beneficiario WHERE cpf = '$cpf2' LIMIT 1")
totais="SELECT (SELECT sum(valor_total) FROM guia), (SELECT sum(valor_informado) FROM lote), (SELECT count(*) FROM guia), (SELECT coalesce(sum(valor), 0) FROM glosa), (SELECT coalesce(sum(valor), 0) FROM recebimento)"
antes=$(q "$V" "$totais") || fail "totais antes"
# the lotes' XML is kept compressed (a dump shows no text of it): it is read
# back through `lote xml` (ISO-8859-1) to look for the patient
xml_dos_lotes() {
  rm -rf "$2" && mkdir "$2" || fail "pasta $2"
  for id in $(q "$V" "SELECT lote_id FROM lote_xml ORDER BY lote_id"); do
    "$FAT" --db "$V" lote xml "$id" --saida "$2" > /dev/null || fail "lote xml $id"
  done
  cat "$2"/*.xml | iconv -f ISO-8859-1 -t UTF-8 > "$2.txt" || fail "XML dos lotes em $2"
}
cart2=$(q "$V" "SELECT g.carteira_numero FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id WHERE b.cpf = '$cpf2' AND g.lote_id IS NOT NULL ORDER BY g.id LIMIT 1")
xml_dos_lotes "$V" xml_antes
grep -q "numeroCarteira>$cart2<" xml_antes.txt || fail "a carteira $cart2 não está no XML dos lotes antes"
"$FAT" --db "$V" titular anonimizar "$cpf2" --confirmar > anon2.txt 2>&1 ||
  fail "anonimização recusada fora do prazo: $(cat anon2.txt)"
depois=$(q "$V" "$totais")
[ "$antes" = "$depois" ] || fail "totais mudaram: antes $antes, depois $depois"
"$FAT" --db "$V" verificar > verif.txt 2>&1 || fail "verificar após anonimizar: $(grep -v '  ok' verif.txt)"
sqlite3 "$V" .dump > dump.sql
grep -q "$cpf2" dump.sql && fail "o CPF continua no banco após anonimizar"
grep -qF "$nome2" dump.sql && fail "o nome continua no banco após anonimizar"
xml_dos_lotes "$V" xml_depois
grep -q "$cart2" xml_depois.txt && fail "a carteira continua no XML dos lotes após anonimizar"
grep -qF "$nome2" xml_depois.txt && fail "o nome continua no XML dos lotes após anonimizar"
grep -q "$cpf2" xml_depois.txt && fail "o CPF continua no XML dos lotes após anonimizar"
"$FAT" --db "$V" titular exportar "$cpf2" > /dev/null 2>&1 && fail "exportar achou o CPF anonimizado"

# ------------------------------------------------------ 3. backup / restaurar
"$FAT" backup --gerar-chave chave.key > /dev/null || fail "gerar chave"
[ "$(modo chave.key)" = 600 ] || fail "chave com modo $(modo chave.key)"
"$FAT" backup --gerar-chave chave.key > /dev/null 2>&1 && fail "chave sobrescrita"
"$FAT" --db "$V" backup copia.enc --chave chave.key > bk.txt || fail "backup cifrado"
[ "$(modo copia.enc)" = 600 ] || fail "cópia com modo $(modo copia.enc)"
head -c 8 copia.enc | grep -q FATUROBK || fail "cópia sem o cabeçalho do faturo"
grep -q "CREATE TABLE" copia.enc && fail "cópia cifrada com texto legível"
"$FAT" --db "$V" backup copia.enc --chave chave.key > /dev/null 2>&1 && fail "backup sobrescreveu"
"$FAT" --db "$V" backup copia.db > /dev/null || fail "backup simples"
contagens "$V" > antes.txt
# change the database after the backup
cpf3=$(q "$V" "SELECT b.cpf FROM guia g JOIN beneficiario b ON b.id = g.beneficiario_id WHERE length(b.cpf) = 11 AND b.cpf <> '$cpf2' ORDER BY g.id LIMIT 1")
"$FAT" --db "$V" titular anonimizar "$cpf3" --confirmar > /dev/null 2>&1 || fail "segunda anonimização"
q "$V" "DELETE FROM acesso"
contagens "$V" > mudou.txt
cmp -s antes.txt mudou.txt && fail "a mudança depois do backup não mudou nada"
# refusals leave the database as it was
cp copia.enc alterada.enc
printf 'X' | dd of=alterada.enc bs=1 seek=5000 conv=notrunc 2>/dev/null
"$FAT" --db "$V" restaurar alterada.enc --chave chave.key > r1.txt 2>&1 && fail "cópia alterada aceita"
grep -q "chave errada ou arquivo alterado" r1.txt || fail "recusa da cópia alterada: $(cat r1.txt)"
head -c 20000 copia.enc > truncada.enc
"$FAT" --db "$V" restaurar truncada.enc --chave chave.key > r2.txt 2>&1 && fail "cópia truncada aceita"
"$FAT" backup --gerar-chave outra.key > /dev/null || fail "gerar outra chave"
"$FAT" --db "$V" restaurar copia.enc --chave outra.key > /dev/null 2>&1 && fail "chave errada aceita"
"$FAT" --db "$V" restaurar copia.enc > /dev/null 2>&1 && fail "cópia cifrada sem chave aceita"
chmod 644 outra.key
"$FAT" --db "$V" restaurar copia.enc --chave outra.key > r3.txt 2>&1 && fail "chave exposta aceita"
grep -q "chmod 600" r3.txt || fail "chave exposta sem explicação: $(cat r3.txt)"
contagens "$V" > recusas.txt
cmp -s mudou.txt recusas.txt || fail "uma restauração recusada mexeu no banco"
ls "$TMP" | grep -q 'restaurar-' && fail "temporário da restauração ficou para trás"
# a copy that breaks an invariant is refused
cp copia.db quebrada.db
q quebrada.db "UPDATE lote SET valor_informado = valor_informado + 1 WHERE id = (SELECT min(id) FROM lote WHERE status NOT IN ('aberto', 'fechado'))" 2>/dev/null ||
  q quebrada.db "DROP TRIGGER IF EXISTS lote_enviado_imutavel; UPDATE lote SET valor_informado = valor_informado + 1 WHERE id = (SELECT min(id) FROM lote)"
"$FAT" --db "$V" restaurar quebrada.db > r4.txt 2>&1 && fail "cópia que viola invariante aceita"
grep -q "violação" r4.txt || fail "recusa por invariante sem explicação: $(cat r4.txt)"
# the round trip
"$FAT" --db "$V" restaurar copia.enc --chave chave.key > r5.txt 2>&1 || fail "restaurar: $(cat r5.txt)"
contagens "$V" > depois.txt
diff antes.txt depois.txt > /dev/null || fail "contagens diferem após restaurar: $(diff antes.txt depois.txt)"
"$FAT" --db "$V" verificar > verif2.txt 2>&1 || fail "verificar após restaurar: $(grep -v '  ok' verif2.txt)"
[ "$(q "$V" "SELECT count(*) FROM beneficiario WHERE cpf = '$cpf3'")" -ge 1 ] ||
  fail "o paciente anonimizado depois do backup não voltou"
"$FAT" --db "$TMP/novo.db" restaurar copia.db > /dev/null 2>&1 || fail "restaurar cópia simples num banco novo"
contagens "$TMP/novo.db" > novo.txt
diff antes.txt novo.txt > /dev/null || fail "cópia simples difere: $(diff antes.txt novo.txt)"
echo "ok: mascaramento, registro de acessos, titular, backup e restauração"
