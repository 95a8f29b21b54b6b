#!/bin/sh
# e2e (Part C): `faturo auditoria agenda` against demo guias. The agenda has one
# attended appointment that has its guia, one attended appointment with no guia
# (money never billed), one no-show that was billed anyway, and one bad row.
# usage: c_agenda.sh FATURO_BIN
set -eu
F="$1"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/faturo-agenda-XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
DB="$DIR/demo.db"
fail() { echo "FALHA: $*" >&2; exit 1; }

"$F" --db "$DB" demo --guias 150 --competencia 2026-10 --ate-etapa precos > /dev/null
q() { sqlite3 "$DB" "$1"; }
# two clean consultas with their carteira, date and procedure
ok_row=$(q "SELECT g.id||';'||g.data_inicio||';'||g.carteira_numero||';'||i.codigo FROM guia g
            JOIN item i ON i.guia_id = g.id WHERE g.tipo = 'consulta' AND g.carteira_numero IS NOT NULL
            AND g.id NOT IN (SELECT guia_id FROM demo_defeito) ORDER BY g.id LIMIT 1")
falta_row=$(q "SELECT g.id||';'||g.data_inicio||';'||g.carteira_numero||';'||i.codigo FROM guia g
            JOIN item i ON i.guia_id = g.id WHERE g.tipo = 'consulta' AND g.carteira_numero IS NOT NULL
            AND g.id NOT IN (SELECT guia_id FROM demo_defeito) ORDER BY g.id LIMIT 1 OFFSET 1")
[ -n "$ok_row" ] && [ -n "$falta_row" ] || fail "a demo não gerou consultas limpas"
ok_id=${ok_row%%;*}; r=${ok_row#*;}; ok_data=${r%%;*}; r=${r#*;}; ok_cart=${r%%;*}; ok_proc=${r#*;}
fa_id=${falta_row%%;*}; r=${falta_row#*;}; fa_data=${r%%;*}; r=${r#*;}; fa_cart=${r%%;*}; fa_proc=${r#*;}
# a carteira that exists but has no guia on that day
sem_cart=$(q "SELECT numero FROM carteira WHERE numero NOT IN (SELECT carteira_numero FROM guia
              WHERE data_inicio = '2026-10-15' AND carteira_numero IS NOT NULL) ORDER BY id LIMIT 1")

cat > "$DIR/agenda.csv" <<CSV
data;hora;beneficiario;profissional;procedimento;situacao
$ok_data;08:30;$ok_cart;;$ok_proc;atendido
$fa_data;09:00;$fa_cart;;$fa_proc;faltou
15/10/2026;10:00;$sem_cart;;10101012;atendido
CSV

rc=0
"$F" --db "$DB" auditoria agenda "$DIR/agenda.csv" --json > "$DIR/out.json" || rc=$?
[ "$rc" -eq 1 ] || fail "divergências na agenda devem sair com 1 (saiu $rc)"
node - "$DIR/out.json" "$ok_id" "$fa_id" <<'JS'
const fs = require('fs');
const [file, okId, faId] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const fail = (m) => { console.error('FALHA: ' + m + '\n' + JSON.stringify(r).slice(0, 800)); process.exit(1); };
if (r.erros.length !== 0) fail('linhas válidas deram erro');
if (r.atendidos_sem_guia.length !== 1 || r.atendidos_sem_guia[0].linha !== 4)
  fail('o atendimento sem guia (linha 4) não foi apontado');
if (!(r.atendidos_sem_guia[0].valor_estimado > 0)) fail('sem valor estimado do que deixou de ser faturado');
if (r.guias_de_faltas.length !== 1 || String(r.guias_de_faltas[0].guia_id) !== faId)
  fail('a guia cobrada de um paciente que faltou não foi apontada');
const sem = new Set(r.guias_sem_agendamento.map(g => String(g.guia_id)));
if (sem.has(okId)) fail('a guia com agendamento foi listada como sem agendamento');
if (sem.size === 0) fail('as demais guias do período não foram listadas como sem agendamento');
console.log('ok: 1 atendido sem guia, 1 guia de falta, ' + sem.size + ' guias sem agendamento');
JS

# a broken row rejects nothing silently: it is reported with its line
printf 'data;hora;beneficiario;profissional;procedimento;situacao\n2026-13-45;08:00;x;;10101012;atendido\n' > "$DIR/ruim.csv"
rc=0
"$F" --db "$DB" auditoria agenda "$DIR/ruim.csv" > "$DIR/ruim.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "linha inválida na agenda não foi apontada"
grep -q "linha 2" "$DIR/ruim.out" || { cat "$DIR/ruim.out"; fail "o erro não diz a linha"; }
echo "ok"
