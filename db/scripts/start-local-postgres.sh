#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster if it is not accepting connections (Debian layout).
set -euo pipefail
HOST=${PGHOST:-127.0.0.1}
PORT=${PGPORT:-5432}
if pg_isready -q -h "$HOST" -p "$PORT"; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
else
  echo "PostgreSQL is not running on $HOST:$PORT and pg_ctlcluster is not available" >&2
  exit 1
fi
for _ in $(seq 1 30); do
  pg_isready -q -h "$HOST" -p "$PORT" && exit 0
  sleep 1
done
echo "PostgreSQL did not become ready on $HOST:$PORT" >&2
exit 1
