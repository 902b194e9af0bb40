#!/usr/bin/env bash
# Backup of the full snapshot instance while it serves a fixed rate of votes (issue 17): imports the full snapshot into
# a bench data dir on first use (and builds its keyword index), starts the server, sends RATE vote toggles a second
# through /api/v1, runs `dailypapers backup` after a warm-up, and prints the backup's time and size and the votes'
# latency before and during it; then restores the archive into a fresh folder and times that.
#   bench/backup-under-load.sh [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-50}
DATA=${DAILYPAPERS_BENCH_DATA:-/tmp/dp-bench-backup}
SNAPSHOT=${DAILYPAPERS_SHARED_DATA:-$(cd .. && pwd)/shared/data}/arxiv/arxiv-snapshot-1989-2019.jsonl.gz
dotnet build -c Release src/DailyPapers >/dev/null
dotnet build -c Release bench/DailyPapers.Bench >/dev/null
BIN=src/DailyPapers/bin/Release/net10.0/dailypapers
if [ ! -f "$DATA/dailypapers.db" ]; then /usr/bin/time -f "import_wall_s=%e" $BIN --data-dir "$DATA" import "$SNAPSHOT" | tail -n 3; fi
# The index is built up front, so the server does not build it while the load is measured.
if [ ! -d "$DATA/search" ]; then /usr/bin/time -f "reindex_wall_s=%e" $BIN --data-dir "$DATA" reindex | tail -n 1; fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MB, load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
dotnet bench/DailyPapers.Bench/bin/Release/net10.0/DailyPapers.Bench.dll backup-load --data-dir "$DATA" --rate "$RATE" --restore
