# Shared by bench/http, bench/load and bench/first-load (sourced, from the repository root, with `bin` set to
# the trailscope binary).
#
# bench_store EVENTS DIR: the store of a 90-day demo archive of EVENTS events ending at the current hour,
#   ingested into DIR once (marked ready-EVENTS; kept between runs: delete the folder to rebuild). Relative
#   ranges (24h, 7d, 30d) end at the server's "now": rebuild the store when it is more than a few hours old.
# bench_serve DATA LOG: evaluates the detection rules first (incremental: a no-op once done, so that a run
#   measures a server at rest, not one busy with its first evaluation), adds the viewer `bench` with
#   $bench_password, serves the release build on a free port of 127.0.0.1 (so two runs never answer each
#   other's requests), logging to LOG, and waits until it is healthy. The site (WASM, JS, CSS) is target/site,
#   or BENCH_SITE when set. Sets `port` and `server` (its PID) and
#   stops the server when the calling script exits.
bench_password=bench-viewer-password

bench_store() {
  local events=$1 data=$2
  [ -f "$data/ready-$events" ] && return 0
  local archive
  archive="$(dirname "$data")/archive"
  rm -rf "$data" "$archive"
  mkdir -p "$(dirname "$data")"
  "$bin" demo --out "$archive" --events "$events" --days 90 \
    --end "$(date -u +%Y-%m-%dT%H:00:00Z)" --seed 42
  "$bin" --data-dir "$data" ingest "$archive" | tail -1
  rm -rf "$archive"
  touch "$data/ready-$events"
}

bench_serve() {
  local data=$1 log=$2
  "$bin" --data-dir "$data" findings >/dev/null
  "$bin" --data-dir "$data" user del bench >/dev/null 2>&1 || true
  echo "$bench_password" | "$bin" --data-dir "$data" user add bench --role viewer --password-stdin >/dev/null
  port=${BENCH_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  TRAILSCOPE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=${BENCH_SITE:-target/site} LEPTOS_SITE_PKG_DIR=pkg \
    "$bin" --data-dir "$data" serve >"$log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do
    kill -0 "$server" 2>/dev/null || { tail -5 "$log"; exit 1; }
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.5
  done
  echo "the server did not become healthy: $log" >&2
  exit 1
}
