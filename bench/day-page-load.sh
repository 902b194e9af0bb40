#!/usr/bin/env bash
# Day page under load: wrk (64 connections, 30 s) against the dynamic day page and, in the same run,
# against Kestrel serving that page's bytes as a static file. Prints requests/s, p99 and the ratio,
# then /api/daily_papers for the same day, and the server's resident memory. Imports the full snapshot into a bench data dir on first use.
#   bench/day-page-load.sh [DATE] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
DATE=${1:-2019-12-02}
DURATION=${2:-30s}
DATA=${DAILYPAPERS_BENCH_DATA:-/tmp/dp-bench-data}
SNAPSHOT=${DAILYPAPERS_SHARED_DATA:-$(cd .. && pwd)/shared/data}/arxiv/arxiv-snapshot-1989-2019.jsonl.gz
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
dotnet build -c Release src/DailyPapers >/dev/null
dotnet build -c Release bench/DailyPapers.Bench >/dev/null
BIN=src/DailyPapers/bin/Release/net10.0/dailypapers
if [ ! -f "$DATA/dailypapers.db" ]; then $BIN --data-dir "$DATA" import "$SNAPSHOT"; fi
# Build the keyword index up front and keep the embedding worker off, so background work does not share the
# two cores with the load being measured.
if [ ! -d "$DATA/search" ]; then $BIN --data-dir "$DATA" reindex; fi
export DAILYPAPERS_Search__Embeddings=false DAILYPAPERS_Harvest__Enabled=false DAILYPAPERS_Digest__SchedulerEnabled=false

$BIN --data-dir "$DATA" serve --urls http://127.0.0.1:5181 >/tmp/dp-bench-serve.log 2>&1 &
APP=$!
STATIC_DIR=$(mktemp -d)
trap 'kill $APP $STATIC 2>/dev/null || true; rm -rf "$STATIC_DIR"' EXIT
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5181/healthz >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:5181/papers/date/$DATE" -o "$STATIC_DIR/day.html"
dotnet bench/DailyPapers.Bench/bin/Release/net10.0/DailyPapers.Bench.dll static "$STATIC_DIR" http://127.0.0.1:5182 &
STATIC=$!
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5182/day.html >/dev/null && break; sleep 1; done
echo "page bytes: $(wc -c < "$STATIC_DIR/day.html"), papers on the page: $(grep -c 'class="card"' "$STATIC_DIR/day.html")"

run() { # name url
  wrk -t2 -c64 -d5s "$2" >/dev/null 2>&1 # warm-up
  local out; out=$(wrk -t2 -c64 -d"$DURATION" --latency "$2")
  local rps p99; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$1 requests_per_s=$rps p99=$p99" >&2
  echo "$rps"
}
dyn=$(run dynamic "http://127.0.0.1:5181/papers/date/$DATE" 2>&1 >/dev/null | tee /dev/stderr | sed -nE 's/.*requests_per_s=([0-9.]+).*/\1/p') || true
sta=$(run static "http://127.0.0.1:5182/day.html" 2>&1 >/dev/null | tee /dev/stderr | sed -nE 's/.*requests_per_s=([0-9.]+).*/\1/p') || true
echo "ratio dynamic/static = $(python3 -c "print(round($dyn/$sta, 3))")"
# Issue 7: the Hugging Face-compatible list of the same day, beside the HTML page, in the same run.
run api "http://127.0.0.1:5181/api/daily_papers?date=$DATE&limit=50" >/dev/null
echo "server rss_now_mb=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$APP/status) rss_peak_mb=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$APP/status)"
