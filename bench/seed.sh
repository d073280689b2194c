#!/usr/bin/env bash
# Seeds N tasks (default 1,000,000 over 100 agents and 10,000 users) into a task-mirror database on the
# local PostgreSQL (role taskmirror, database $BENCH_DB, default taskmirror_bench).
#   bench/seed.sh [N]
# The schema is migrated first by the packaged service's own Flyway (built with -Pprod if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
AGENTS=${AGENTS:-100}
USERS=${USERS:-10000}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432}
BENCH_DB=${BENCH_DB:-taskmirror_bench}

db/scripts/start-local-postgres.sh
db/scripts/create-local-db.sh >/dev/null
if [ "$(psql -U postgres -d postgres -qtAc "select 1 from pg_database where datname = '$BENCH_DB'")" != "1" ]; then
  psql -U postgres -d postgres -qc "create database $BENCH_DB owner taskmirror"
fi
if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -B -q -ntp package -Pprod >&2
fi
QUARKUS_INIT_AND_EXIT=true \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$PGHOST:$PGPORT/$BENCH_DB" \
  QUARKUS_DATASOURCE_USERNAME=taskmirror QUARKUS_DATASOURCE_PASSWORD=taskmirror \
  XPANDER_API_KEY=${XPANDER_API_KEY:-seed-only} QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
  java -jar target/quarkus-app/quarkus-run.jar >/dev/null
start=$(date +%s)
PGPASSWORD=taskmirror psql -U taskmirror -d "$BENCH_DB" -q -v n="$N" -v agents="$AGENTS" -v users="$USERS" \
  -f bench/seed-tasks.sql
echo "seeded $N tasks in $(( $(date +%s) - start )) s"
