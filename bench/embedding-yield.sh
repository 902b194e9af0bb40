#!/usr/bin/env bash
# Issue 18: does the background embedding worker stay out of the way of requests? One server on a copy of the full
# snapshot (default /tmp/dp-bench-data) with no embeddings, so the worker has a 229 k backlog, and wrk (64
# connections, like bench/day-page-load.sh) on the day page in alternating rounds: worker OFF (this script holds the
# data dir's embeddings.lock, so the worker only follows) and worker ON (lock released: it embeds on every core at
# nice 19, pausing before each model call while requests are in flight). Prints each round's requests/s and p99, the
# papers the worker embedded during it, and the medians per side; load average with each round.
#   bench/embedding-yield.sh [DATE] [DURATION] [ROUNDS] [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATE=${1:-2019-12-02}
DURATION=${2:-20s}
ROUNDS=${3:-3}
PORT=${4:-5282}
SRC=${DAILYPAPERS_BENCH_DATA:-/tmp/dp-bench-data}
DATA=${DAILYPAPERS_YIELD_DATA:-/tmp/dp-yield-data}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
dotnet build -c Release src/DailyPapers >/dev/null
BIN=src/DailyPapers/bin/Release/net10.0/dailypapers
rm -rf "$DATA"
cp -a "$SRC" "$DATA"
rm -f "$DATA/search/lucene.lock" "$DATA/embeddings.lock" "$DATA/embeddings.wanted.lock"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM paper_embeddings"); c.commit()' "$DATA/dailypapers.db"
export DAILYPAPERS_Search__Embeddings=true DAILYPAPERS_Harvest__Enabled=false DAILYPAPERS_Digest__SchedulerEnabled=false

# The lock holder: a flock on embeddings.lock (the same lock .NET's FileShare.None takes) while "off".
LOCKCTL=$(mktemp -u)
mkfifo "$LOCKCTL"
python3 - "$DATA/embeddings.lock" "$LOCKCTL" <<'PY' &
import fcntl, sys
f = open(sys.argv[1], "a+")
for line in open(sys.argv[2]):
    cmd = line.strip()
    if cmd == "hold": fcntl.flock(f, fcntl.LOCK_EX)
    elif cmd == "release": fcntl.flock(f, fcntl.LOCK_UN)
    print(cmd, "done", flush=True)
PY
HOLDER=$!
exec 3>"$LOCKCTL"
echo hold >&3 # off until the first "on" round

$BIN --data-dir "$DATA" serve --urls "http://127.0.0.1:$PORT" >"$DATA/serve.log" 2>&1 &
APP=$!
trap 'kill $APP $HOLDER 2>/dev/null || true; rm -f "$LOCKCTL"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$PORT/papers/date/$DATE" >/dev/null
echo "cpu: $(nproc) x $(lscpu | sed -nE 's/^Model name: *//p'), $(date -u +%FT%TZ), day page $DATE, wrk -t2 -c64 -d$DURATION"
embedded() { curl -sf "http://127.0.0.1:$PORT/api/v1/search/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["embeddedPapers"])'; }
ms() { python3 -c 'import sys; v=sys.argv[1]; print(float(v[:-2]) if v.endswith("ms") else float(v[:-2])/1000 if v.endswith("us") else float(v[:-1])*1000)' "$1"; }
results=$(mktemp)
round() { # side
  [ "$1" = on ] && echo release >&3 || echo hold >&3
  sleep 3 # the worker's next try (every 2 s while it follows)
  wrk -t2 -c64 -d5s "http://127.0.0.1:$PORT/papers/date/$DATE" >/dev/null 2>&1 # warm-up
  local before out rps p99 after
  before=$(embedded)
  out=$(wrk -t2 -c64 -d"$DURATION" --latency "http://127.0.0.1:$PORT/papers/date/$DATE")
  after=$(embedded)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}'); p99=$(ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
  echo "worker=$1 requests_per_s=$rps p99_ms=$p99 embedded_during=$((after - before)) load=$(cut -d' ' -f1 /proc/loadavg)"
  echo "$1 $rps $p99" >>"$results"
}
for r in $(seq 1 "$ROUNDS"); do round off; round on; done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for side in ("off", "on"):
    r = [float(x[1]) for x in rows if x[0] == side]; p = [float(x[2]) for x in rows if x[0] == side]
    print(f"median worker={side}: requests_per_s={statistics.median(r):.0f} p99_ms={statistics.median(p):.1f}")
PY
echo "server rss_mb=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$APP/status), load $(cut -d' ' -f1-3 /proc/loadavg)"
