# servidor_bench.sh: sourced by the web benchmarks (web_wrk.sh,
# web_rotas_cpu.sh). With FATURO, FATURO_DB and FATURO_REGRAS set and a
# scratch folder $tmp, servidor_bench_subir NOME creates (or unlocks) the
# admin user "bench", starts `faturo servidor` on a free port, removes both
# the server and $tmp on exit, and logs in. Sets srv (the server's pid), base
# (http://127.0.0.1:PORTA), cookie and csrf; exits 1 naming NOME when the
# server does not start or the login fails.
servidor_bench_subir() {
  printf 'senha-bench-1\n' | "$FATURO" usuario criar bench --papel admin > /dev/null 2>&1 || true
  "$FATURO" usuario desbloquear bench > /dev/null 2>&1 || true
  "$FATURO" servidor --porta 0 --silencioso > "$tmp/srv.out" 2> "$tmp/srv.err" &
  srv=$!
  trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null; rm -rf "$tmp"' EXIT
  i=0
  until porta=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$tmp/srv.out") && [ -n "$porta" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { cat "$tmp/srv.err"; exit 1; }; sleep 0.1
  done
  base="http://127.0.0.1:$porta"
  curl -s -i -H 'Content-Type: application/json' -d '{"usuario":"bench","senha":"senha-bench-1"}' \
    "$base/api/sessao" > "$tmp/login"
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' "$tmp/login")
  csrf=$(sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p' "$tmp/login")
  [ -n "$cookie" ] && [ -n "$csrf" ] || { echo "$1: login falhou" >&2; exit 1; }
}
