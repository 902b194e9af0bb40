#!/usr/bin/env bash
# Operations (issue 20) on the full snapshot:
#  1. the /admin dashboard's latency, warm, one request at a time (p50/p95/p99), and one /metrics scrape's;
#  2. what /metrics costs the day page: wrk on /papers/date/DATE against a server with metrics on (Loopback, scraped
#     every second during the run, 15x Prometheus' usual rate) and one with Metrics:Access=Off, in interleaved rounds
#     (the order flips every round, so drift in the machine's load falls on both alike).
#   bench/ops-load.sh [ROUNDS] [DURATION] [DATE]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-4}
DURATION=${2:-15s}
DATE=${3:-2019-12-02}
DATA=${DAILYPAPERS_BENCH_DATA:-/tmp/dp-bench-data}
SNAPSHOT=${DAILYPAPERS_SHARED_DATA:-$(cd .. && pwd)/shared/data}/arxiv/arxiv-snapshot-1989-2019.jsonl.gz
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
dotnet build -c Release src/DailyPapers >/dev/null
dotnet build -c Release bench/DailyPapers.Bench >/dev/null
BIN=src/DailyPapers/bin/Release/net10.0/dailypapers
BENCH="dotnet bench/DailyPapers.Bench/bin/Release/net10.0/DailyPapers.Bench.dll"
if [ ! -f "$DATA/dailypapers.db" ]; then $BIN --data-dir "$DATA" import "$SNAPSHOT"; fi
if [ ! -d "$DATA/search" ]; then $BIN --data-dir "$DATA" reindex; fi
# Two servers cannot share one search index: the one without metrics runs on a copy.
OFF="$DATA-metrics-off"
rm -rf "$OFF"; cp -a "$DATA" "$OFF"
export DAILYPAPERS_Search__Embeddings=false DAILYPAPERS_Harvest__Enabled=false DAILYPAPERS_Digest__SchedulerEnabled=false
DAILYPAPERS_Admin__Token=bench-token $BIN --data-dir "$DATA" serve --urls http://127.0.0.1:5191 >/tmp/dp-bench-ops-on.log 2>&1 &
ON_PID=$!
DAILYPAPERS_Metrics__Access=Off $BIN --data-dir "$OFF" serve --urls http://127.0.0.1:5192 >/tmp/dp-bench-ops-off.log 2>&1 &
OFF_PID=$!
SCRAPER=
trap 'kill $ON_PID $OFF_PID $SCRAPER 2>/dev/null || true; rm -rf "$OFF"' EXIT
for port in 5191 5192; do for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 1; done; done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

echo "== dashboard, warm, sequential"
$BENCH http-latency http://127.0.0.1:5191/admin --header "X-Admin-Token: bench-token" --requests 200 --warmup 20
$BENCH http-latency http://127.0.0.1:5191/metrics --requests 100 --warmup 10

echo "== day page with and without metrics, $ROUNDS interleaved rounds of $DURATION"
rps() { wrk -t2 -c64 -d3s "$1" >/dev/null 2>&1; wrk -t2 -c64 -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'; }
on_all=(); off_all=()
for r in $(seq 1 "$ROUNDS"); do
  order="on off"; [ $((r % 2)) -eq 0 ] && order="off on"
  for which in $order; do
    if [ "$which" = on ]; then
      ( while :; do curl -sf -o /dev/null http://127.0.0.1:5191/metrics; sleep 1; done ) & SCRAPER=$!
      v=$(rps "http://127.0.0.1:5191/papers/date/$DATE"); kill $SCRAPER; SCRAPER=; on_all+=("$v")
    else
      v=$(rps "http://127.0.0.1:5192/papers/date/$DATE"); off_all+=("$v")
    fi
    echo "round $r metrics=$which requests_per_s=$v load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
python3 - "${on_all[*]}" "${off_all[*]}" <<'PY'
import statistics, sys
on = [float(x) for x in sys.argv[1].split()]; off = [float(x) for x in sys.argv[2].split()]
mon, moff = statistics.median(on), statistics.median(off)
pairs = [a / b for a, b in zip(on, off)]
print(f"median requests/s: metrics on {mon:.0f}, off {moff:.0f}; cost {100 * (1 - mon / moff):.1f} % (per round: {', '.join(f'{100 * (1 - p):.1f}' for p in pairs)} %)")
PY
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
