#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need (PostgreSQL, Chromium),
# starts a private PostgreSQL cluster on a loopback port, runs every test, and cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# A private PostgreSQL cluster: its own folder and port, trust auth on loopback only, no fsync (test data).
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGPORT=${DAILYPAPERS_TEST_PGPORT:-54329}
PGDIR=$(mktemp -d /tmp/dp-pg.XXXXXX)
chown postgres:postgres "$PGDIR"
cleanup() { su postgres -c "$PGBIN/pg_ctl -D '$PGDIR/data' -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT
su postgres -c "$PGBIN/initdb -D '$PGDIR/data' -A trust -U postgres -E UTF8 --no-locale" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D '$PGDIR/data' -l '$PGDIR/log' -w -o \"-p $PGPORT -k '$PGDIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start" >/dev/null
export DAILYPAPERS_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres;Pooling=true"

# A real SMTP server for mail tests: smtp4dev, a dotnet tool, on loopback ports; tests read what it received.
SMTP_PORT=${DAILYPAPERS_TEST_SMTP_PORT:-2525}
SMTP_WEB=${DAILYPAPERS_TEST_SMTP_WEBPORT:-5099}
if [ ! -x .tools/smtp4dev/smtp4dev ]; then
  dotnet tool install --tool-path .tools/smtp4dev Rnwood.Smtp4dev --version 3.15.0 >/dev/null
fi
.tools/smtp4dev/smtp4dev --smtpport=$SMTP_PORT --urls=http://127.0.0.1:$SMTP_WEB --db= --imapport= --pop3port= --hostname=127.0.0.1 > "$PGDIR/smtp4dev.log" 2>&1 &
SMTP_PID=$!
trap 'kill $SMTP_PID 2>/dev/null || true; cleanup' EXIT
# IMAP and POP3 are off: the tests only need SMTP and the web API, and fixed ports could collide.
smtp_up=
for _ in $(seq 1 90); do
  if curl -sf "http://127.0.0.1:$SMTP_WEB/api/messages" >/dev/null 2>&1; then smtp_up=1; break; fi
  sleep 1
done
if [ -z "$smtp_up" ]; then
  echo "smtp4dev did not start on ports $SMTP_PORT/$SMTP_WEB; its log:" >&2
  tail -n 30 "$PGDIR/smtp4dev.log" >&2
  exit 1
fi
export DAILYPAPERS_TEST_SMTP_PORT=$SMTP_PORT DAILYPAPERS_TEST_SMTP_API="http://127.0.0.1:$SMTP_WEB"

export DAILYPAPERS_SHARED_DATA=${DAILYPAPERS_SHARED_DATA:-$(cd "$ROOT/.." && pwd)/shared/data}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build DailyPapers.sln -c Release -warnaserror
set +e
dotnet test DailyPapers.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee /tmp/dp-test-output.log
status=${PIPESTATUS[0]}
set -e
# One plain summary line for CI readers.
passed=$(awk '$1 == "Passed:" && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}' /tmp/dp-test-output.log)
failed=$(awk '$1 == "Failed:" && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}' /tmp/dp-test-output.log)
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
