#!/usr/bin/env bash
# Annual-report benchmark (not a test): compiling the report of an agency with 100,000
# applications and 200,000 items (target < 1 s) and the 汇总 of 1,000 agencies (target < 2 s),
# on SQLite and on PostgreSQL. Each run seeds a fresh database with `gongkai bench-report`
# (it bypasses review; never point it at real data) and prints the best and median of 5 runs.
#
#   scripts/bench-report.sh                       # release build, both backends
#   BENCH_APPLICATIONS=20000 BENCH_ITEMS=40000 BENCH_AGENCIES=200 scripts/bench-report.sh
#
# PostgreSQL: GONGKAI_BENCH_PG (a server URL, default postgres://postgres@127.0.0.1:5432/test);
# the database gongkai_bench is dropped and re-created there. Set GONGKAI_BENCH_PG=skip to skip.
set -euo pipefail
cd "$(dirname "$0")/.."

APPS="${BENCH_APPLICATIONS:-100000}"
ITEMS="${BENCH_ITEMS:-200000}"
AGENCIES="${BENCH_AGENCIES:-1000}"
RUNS="${BENCH_RUNS:-5}"
PG="${GONGKAI_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}"

cargo build --release -p gongkai >&2
BIN="${CARGO_TARGET_DIR:-target}/release/gongkai"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
args=(--applications "$APPS" --items "$ITEMS" --agencies "$AGENCIES" --runs "$RUNS")

echo "SQLite …" >&2
"$BIN" bench-report --data "$WORK/sqlite" "${args[@]}"

if [ "$PG" != skip ]; then
  echo "PostgreSQL …" >&2
  base="${PG%/*}"
  psql "$PG" -qc "DROP DATABASE IF EXISTS gongkai_bench WITH (FORCE)" -c "CREATE DATABASE gongkai_bench" >&2
  "$BIN" bench-report --data "$WORK/pg" --database-url "$base/gongkai_bench" "${args[@]}"
  psql "$PG" -qc "DROP DATABASE IF EXISTS gongkai_bench WITH (FORCE)" >&2
fi
