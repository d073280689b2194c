#!/usr/bin/env bash
# Creates the role and databases task-mirror uses on a local PostgreSQL (idempotent).
# Usage: db/scripts/create-local-db.sh [host] [port]   (defaults 127.0.0.1 5432; superuser via PGUSER, default postgres)
set -euo pipefail
HOST=${1:-${PGHOST:-127.0.0.1}}
PORT=${2:-${PGPORT:-5432}}
SUPER=${PGUSER:-postgres}
psql_super() { psql -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$SUPER" -d postgres -qtA "$@"; }

psql_super -c "do \$\$ begin
  if not exists (select from pg_roles where rolname = 'taskmirror') then
    create role taskmirror login password 'taskmirror';
  end if;
end \$\$;"
for db in taskmirror taskmirror_test; do
  if [ "$(psql_super -c "select 1 from pg_database where datname = '$db'")" != "1" ]; then
    psql_super -c "create database $db owner taskmirror"
  fi
done
echo "PostgreSQL on $HOST:$PORT has role taskmirror and databases taskmirror, taskmirror_test"
