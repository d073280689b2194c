#!/usr/bin/env bash
# Seeds benchmark data.
#
#   bench/seed.sh [--fresh] [N]        N tasks (default 1,000,000 over 100 agents and 10,000 users) straight
#                                      into a task-mirror database on the local PostgreSQL (role taskmirror,
#                                      database $BENCH_DB, default taskmirror_bench). --fresh drops and
#                                      recreates the database first; without it, tasks are appended.
#   bench/seed.sh --migrate-only       only migrates $BENCH_DB to this checkout's schema (as below)
#   bench/seed.sh --simulator [M] [simulator options]
#                                      runs the xpander simulator (bin/simulator) holding M tasks (default
#                                      100,000 over 10 agents, a frozen clock, no arrivals or edits) in the
#                                      foreground; extra options are passed on (--port=9090, --tick=1s, ...).
#
# The schema is migrated by the packaged service's own Flyway (QUARKUS_INIT_AND_EXIT), so the seed always
# matches the migrations of this checkout. The service is built with ./mvnw package -Pprod when
# $APP_DIR/quarkus-run.jar (default target/quarkus-app) is missing. Environment: AGENTS, USERS, DAYS, SEED,
# BENCH_DB, PGHOST, PGPORT, APP_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--simulator" ]; then
  shift
  M=100000
  if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then M=$1; shift; fi
  exec bin/simulator --tasks="$M" --agents="${AGENTS:-10}" --tick=off --arrival=0 --edits=0 "$@"
fi

FRESH=false
MIGRATE_ONLY=false
if [ "${1:-}" = "--fresh" ]; then FRESH=true; shift; fi
if [ "${1:-}" = "--migrate-only" ]; then MIGRATE_ONLY=true; shift; fi
N=${1:-1000000}
AGENTS=${AGENTS:-100}
USERS=${USERS:-10000}
DAYS=${DAYS:-90}
SEED=${SEED:-0.42}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432}
BENCH_DB=${BENCH_DB:-taskmirror_bench}
APP_DIR=${APP_DIR:-target/quarkus-app}

db/scripts/start-local-postgres.sh
db/scripts/create-local-db.sh >/dev/null
if $FRESH; then
  psql -U postgres -d postgres -qc "drop database if exists $BENCH_DB with (force)"
fi
if [ "$(psql -U postgres -d postgres -qtAc "select 1 from pg_database where datname = '$BENCH_DB'")" != "1" ]; then
  psql -U postgres -d postgres -qc "create database $BENCH_DB owner taskmirror"
fi
if [ ! -f "$APP_DIR/quarkus-run.jar" ]; then
  ./mvnw -B -q -ntp package -Pprod -DskipTests >&2
fi
# Migrate with the service's Flyway, then exit. The keys are placeholders: nothing is called.
if ! QUARKUS_INIT_AND_EXIT=true \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$PGHOST:$PGPORT/$BENCH_DB" \
  QUARKUS_DATASOURCE_USERNAME=taskmirror QUARKUS_DATASOURCE_PASSWORD=taskmirror \
  XPANDER_API_KEY=${XPANDER_API_KEY:-seed-only} MIRROR_SYNC_ENABLED=false MIRROR_OUTBOX_ENABLED=false \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false QUARKUS_HTTP_PORT=0 \
  java -jar "$APP_DIR/quarkus-run.jar" >/tmp/taskmirror-seed-migrate.$$.log 2>&1; then
  cat /tmp/taskmirror-seed-migrate.$$.log >&2
  echo "migration failed" >&2
  exit 1
fi
rm -f /tmp/taskmirror-seed-migrate.$$.log
if $MIGRATE_ONLY; then
  exit 0
fi
start=$(date +%s)
PGPASSWORD=taskmirror psql -U taskmirror -d "$BENCH_DB" -q -v n="$N" -v agents="$AGENTS" -v users="$USERS" \
  -v days="$DAYS" -v seed="$SEED" -f bench/seed-tasks.sql
echo "seeded $N tasks into $BENCH_DB in $(( $(date +%s) - start )) s"
