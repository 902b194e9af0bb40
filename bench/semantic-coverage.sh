#!/usr/bin/env bash
# Issue 18: time from the end of an import until semantic search covers the newest TARGET papers (default 10,000),
# computed by the running server's own background worker (every core, each thread at nice 19, newest listing day
# first). Copies a data dir that has the full snapshot imported and the keyword index built (default
# /tmp/dp-bench-data; any embeddings in the copy are deleted), serves it with harvest and digests off, and polls
# /api/v1/search/status every 5 s: elapsed seconds, papers embedded, covered days, the server's CPU seconds, load.
# At the target it prints the figures and an estimate for the whole snapshot (from the CPU seconds per paper).
#   bench/semantic-coverage.sh [TARGET] [PORT]       FULL=1 waits for the whole snapshot instead
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:-10000}
PORT=${2:-5281}
SRC=${DAILYPAPERS_BENCH_DATA:-/tmp/dp-bench-data}
DATA=${DAILYPAPERS_COVERAGE_DATA:-/tmp/dp-coverage-data}
dotnet build -c Release src/DailyPapers >/dev/null
BIN=src/DailyPapers/bin/Release/net10.0/dailypapers
rm -rf "$DATA"
cp -a "$SRC" "$DATA"
rm -f "$DATA/search/lucene.lock" "$DATA/embeddings.lock" "$DATA/embeddings.wanted.lock"
python3 - "$DATA/dailypapers.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("SELECT COUNT(*) FROM paper_embeddings").fetchone()[0]
if n: c.execute("DELETE FROM paper_embeddings"); c.commit()
print(f"papers: {c.execute('SELECT COUNT(*) FROM papers').fetchone()[0]}, embeddings deleted from the copy: {n}")
PY
export DAILYPAPERS_Search__Embeddings=true DAILYPAPERS_Harvest__Enabled=false DAILYPAPERS_Digest__SchedulerEnabled=false
echo "cpu: $(nproc) x $(lscpu | sed -nE 's/^Model name: *//p'), start $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
$BIN --data-dir "$DATA" serve --urls "http://127.0.0.1:$PORT" >"$DATA/serve.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
TICK=$(getconf CLK_TCK)
cpu() { awk -v t="$TICK" '{print ($14 + $15) / t}' "/proc/$APP/stat"; }
goal=$TARGET
while sleep 5; do
  kill -0 $APP 2>/dev/null || { echo "server exited:"; tail -20 "$DATA/serve.log"; exit 1; }
  status=$(curl -sf "http://127.0.0.1:$PORT/api/v1/search/status") || continue
  read -r embedded papers desc < <(python3 -c 'import json,sys; s=json.loads(sys.argv[1]); c=s.get("semanticCoverage") or {}; print(s["embeddedPapers"], s["indexedPapers"], c.get("description", "-"))' "$status")
  now=$(date +%s.%N)
  elapsed=$(python3 -c "print(round($now - $start, 1))")
  c=$(cpu)
  echo "t=${elapsed}s embedded=$embedded/$papers covers: $desc  cpu_s=$c load=$(cut -d' ' -f1 /proc/loadavg)"
  [ "${FULL:-0}" = 1 ] && goal=$papers
  if [ "$embedded" -ge "$goal" ]; then
    python3 - "$elapsed" "$c" "$embedded" "$papers" "$(nproc)" <<'PY'
import sys
elapsed, cpu, done, papers, cores = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"seconds_to_target={elapsed:.0f} embedded={done} server_cpu_seconds={cpu:.0f} papers_per_s={done / elapsed:.1f} "
      f"cpu_seconds_per_paper={cpu / done:.4f}")
print(f"whole snapshot ({papers} papers), estimated from the CPU per paper on {cores} idle cores: "
      f"{papers * cpu / done / cores / 60:.0f} min; at this run's rate: {papers / (done / elapsed) / 60:.0f} min")
PY
    echo "end $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
    break
  fi
done
