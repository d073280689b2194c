#!/usr/bin/env bash
# Writes the class data sharing archive of the JVM image: the classes that task-mirror loads while it starts
# and answers its first requests, archived by the JDK that will run it (an archive applies only to the JDK
# build and the class path that wrote it; otherwise the JVM ignores it).
#
#   appcds-archive.sh <quarkus-run.jar> <archive> [port]
#
# A training start needs nothing external: the datasource points at a closed port, and the start-up steps
# that would need the database (migrations, schema validation, the version check) and the sync scheduler are
# off. Requests then answer 503 or 4xx, loading the HTTP, JSON and error paths. On stop the JVM writes the
# archive. Quarkus's own AppCDS mode (-Dquarkus.appcds.generate=true) stops after static initialization: of
# the 15,000 classes a start loads before ready it archives 6,200, this start 10,500 (ORM session factory,
# Flyway, the HTTP server and routes, the scheduler); docs/benchmarks.md. Takes about 25 s.
set -euo pipefail
JAR=$1
ARCHIVE=$2
PORT=${3:-18089}
rm -f "$ARCHIVE"
java -XX:ArchiveClassesAtExit="$ARCHIVE" \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
  -Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:1/appcds \
  -Dquarkus.flyway.migrate-at-start=false \
  -Dquarkus.hibernate-orm.schema-management.strategy=none \
  -Dquarkus.hibernate-orm.database.version-check.enabled=false \
  -Dxpander.api-key=appcds -Dmirror.sync.enabled=false \
  -Dmirror.security.api-keys=appcds:read+write+admin:appcds-key \
  -jar "$JAR" &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT

# One HTTP/1.1 request over bash's /dev/tcp (the runtime image has no curl); prints the status line.
request() {
  exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
  printf '%s %s HTTP/1.1\r\nHost: localhost\r\nx-api-key: appcds-key\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "${#3}" "$3" >&3
  head -n 1 <&3
  exec 3>&-
}

live=false
for _ in $(seq 1 1800); do
  if request GET /q/health/live "" >/dev/null 2>&1; then
    live=true
    break
  fi
  kill -0 "$pid" 2>/dev/null || { echo "the training start of $JAR exited before it was up" >&2; exit 1; }
  sleep 0.1
done
if ! $live; then
  echo "the training start of $JAR was not up after 3 minutes; the archive covers only what it loaded" >&2
fi
for route in "GET /q/health/ready" "GET /tasks?limit=1" "GET /tasks/appcds" "GET /tasks/count" "GET /q/metrics" \
  "GET /tasks?limit=-1"; do
  request $route "" >/dev/null 2>&1 || true
done
request POST /tasks '{"agent_id":"appcds","input":{"text":"appcds"}}' >/dev/null 2>&1 || true
kill -TERM "$pid"
wait "$pid" || true
trap - EXIT
if [ ! -s "$ARCHIVE" ]; then
  echo "no archive written to $ARCHIVE" >&2
  exit 1
fi
