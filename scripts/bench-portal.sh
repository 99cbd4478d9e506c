#!/usr/bin/env bash
# Portal benchmark (not a test): the item page served by gongkai vs the same page as a static file
# served by nginx (requests/s at 64 connections on loopback, p99 latency), search p99 over the
# whole data set, and gongkai's memory at that size.
#
#   scripts/bench-portal.sh                 # 1,000,000 items (release build; takes a while)
#   BENCH_ITEMS=20000 scripts/bench-portal.sh
#   BENCH_DATA=/var/tmp/gk-bench scripts/bench-portal.sh   # keep the generated data for the next run
#
# Installs nginx and wrk from Debian's packages when missing (as root). The last line is exactly
# `portal/nginx requests-per-second ratio: R`.
set -euo pipefail
cd "$(dirname "$0")/.."

ITEMS="${BENCH_ITEMS:-1000000}"
DURATION="${BENCH_DURATION:-15s}"
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cargo build --release -p gongkai >&2
BIN=target/release/gongkai
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT

# BENCH_DATA keeps the generated data directory between runs (generated on the first run; a
# directory made for another item count is refused).
DATA="${BENCH_DATA:-$WORK/data}"
if [ -f "$DATA/bench-items" ]; then
  if [ "$(cat "$DATA/bench-items")" != "$ITEMS" ]; then
    echo "$DATA holds $(cat "$DATA/bench-items") items, not $ITEMS: use another BENCH_DATA" >&2
    exit 2
  fi
  echo "reusing $ITEMS items in $DATA" >&2
else
  echo "generating $ITEMS items …" >&2
  start=$(date +%s)
  "$BIN" bench-seed --data "$DATA" --items "$ITEMS" >&2
  echo "$ITEMS" >"$DATA/bench-items"
  echo "generated in $(( $(date +%s) - start )) s" >&2
fi

PORT=18391
"$BIN" serve --data "$DATA" --listen 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
GK_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

ID=$(( ITEMS / 2 ))
mkdir -p "$WORK/www/items"
curl -fs "http://127.0.0.1:$PORT/items/$ID" >"$WORK/www/items/$ID"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  server { listen 127.0.0.1:18392; root $WORK/www; location / { try_files \$uri =404; } }
}
NGINX
nginx -c "$WORK/nginx.conf"
sleep 0.5

# Search requests vary the query and add a nonce, so none is answered from the page cache.
cat >"$WORK/search.lua" <<'LUA'
local words = {"%E5%AE%89%E5%85%A8%E7%94%9F%E4%BA%A7", "%E9%98%B2%E6%B1%9B", "%E6%BC%94%E7%BB%83", "%E6%A3%AE%E6%9E%97%E9%98%B2%E7%81%AB", "%E9%9A%90%E6%82%A3%E6%8E%92%E6%9F%A5"}
request = function()
  local q = words[math.random(#words)]
  return wrk.format("GET", "/search?q=" .. q .. "&n=" .. math.random(1000000000))
end
LUA
cat >"$WORK/random.lua" <<LUA
request = function()
  return wrk.format("GET", "/items/" .. math.random($ITEMS))
end
LUA

run() { # url [lua script] [connections] → "rps p99ms"
  local out conns="${3:-64}"
  if [ -n "${2:-}" ]; then
    out=$(wrk -t2 -c"$conns" -d"$DURATION" --latency -s "$2" "$1")
  else
    out=$(wrk -t2 -c"$conns" -d"$DURATION" --latency "$1")
  fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$rps $p99"
}

read -r GK_RPS GK_P99 <<<"$(run "http://127.0.0.1:$PORT/items/$ID")"
read -r NC_RPS NC_P99 <<<"$(run "http://127.0.0.1:$PORT/items/1" "$WORK/random.lua")"
read -r NG_RPS NG_P99 <<<"$(run "http://127.0.0.1:18392/items/$ID")"
read -r SE_RPS SE_P99 <<<"$(run "http://127.0.0.1:$PORT/search" "$WORK/search.lua")"
read -r S4_RPS S4_P99 <<<"$(run "http://127.0.0.1:$PORT/search" "$WORK/search.lua" 4)"
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$GK_PID/status")

echo "items: $ITEMS"
echo "item page, gongkai: $GK_RPS req/s, p99 $GK_P99"
echo "item pages, gongkai, a random item per request (mostly cache misses): $NC_RPS req/s, p99 $NC_P99"
echo "item page, nginx static: $NG_RPS req/s, p99 $NG_P99"
echo "search (5 queries, no cache), 64 connections: $SE_RPS req/s, p99 $SE_P99 (target ≤ 50 ms)"
echo "search (5 queries, no cache), 4 connections: $S4_RPS req/s, p99 $S4_P99"
echo "gongkai peak memory: $(( RSS_KB / 1024 )) MB (target < 300 MB)"
RATIO=$(awk -v a="$GK_RPS" -v b="$NG_RPS" 'BEGIN { printf "%.3f", a / b }')
echo "portal/nginx requests-per-second ratio: $RATIO"
