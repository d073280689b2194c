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
# archive, which is then checked. Quarkus's own AppCDS mode (-Dquarkus.appcds.generate=true) stops after
# static initialization: of the 15,000 classes a start loads before ready it archives 6,200, this start
# 10,500 (the ORM's session factory, the HTTP server and routes, the scheduler); docs/benchmarks.md.
# Takes about 25 s. Fails when the start does not come up, does not stop, or the archive lacks those classes.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 <quarkus-run.jar> <archive> [port]" >&2
  exit 2
fi
JAR=$1
ARCHIVE=$2
PORT=${3:-18089}

# One HTTP/1.1 request over bash's /dev/tcp (the runtime image has no curl); prints the status line. Fails
# when nothing listens, or when no status line arrives within 10 s.
request() {
  local method=$1 path=$2 body=${3:-} status
  exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
  printf '%s %s HTTP/1.1\r\nHost: localhost\r\nx-api-key: appcds-key\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$method" "$path" "${#body}" "$body" >&3
  if ! IFS= read -r -t 10 status <&3; then
    exec 3>&-
    return 1
  fi
  exec 3>&-
  printf '%s\n' "${status%$'\r'}"
}

if request GET /q/health/live >/dev/null 2>&1; then
  echo "port $PORT is already in use; pass a free port as the third argument" >&2
  exit 1
fi
rm -f "$ARCHIVE"
# A clean environment: the caller's QUARKUS_*, MIRROR_* or JAVA_TOOL_OPTIONS must not shape the training start.
env -i PATH="$PATH" HOME="${HOME:-/tmp}" java -XX:ArchiveClassesAtExit="$ARCHIVE" \
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

up=false
for _ in $(seq 1 1800); do
  if [ "$(request GET /q/health/live 2>/dev/null || true)" = "HTTP/1.1 200 OK" ]; then
    up=true
    break
  fi
  kill -0 "$pid" 2>/dev/null || { echo "the training start of $JAR exited before it was up" >&2; exit 1; }
  sleep 0.1
done
if ! $up; then
  echo "the training start of $JAR was not up after 3 minutes" >&2
  exit 1
fi
request GET /q/health/ready || true
request GET '/tasks?limit=1' || true
request GET '/tasks?limit=-1' || true
request GET /tasks/appcds || true
request POST /tasks '{"agent_id":"appcds","input":{"text":"appcds"}}' || true
request GET /q/metrics || true

kill -TERM "$pid"
for _ in $(seq 1 600); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "the training start of $JAR did not stop within 60 s of SIGTERM" >&2
  exit 1
fi
wait "$pid" || true
trap - EXIT

# The archive must be valid for this JDK and class path and hold what only a full start and a served request
# load (Quarkus's static-initialization archive has none of these).
listing=$(java -XX:SharedArchiveFile="$ARCHIVE" -XX:+PrintSharedArchiveAndExit -jar "$JAR" 2>&1) || {
  printf '%s\n' "$listing" | tail -n 20 >&2
  echo "the archive $ARCHIVE is not valid for $JAR" >&2
  exit 1
}
for class in org.hibernate.internal.SessionFactoryImpl dev.taskmirror.query.TaskQueries \
  dev.taskmirror.api.ProblemMappers io.vertx.core.http.impl.Http1xServerConnection; do
  if ! grep -qF ": $class unregistered_loader" <<<"$listing"; then
    echo "the archive $ARCHIVE lacks $class: the training start did not get that far" >&2
    exit 1
  fi
done
echo "$ARCHIVE: $(grep -c ' unregistered_loader$' <<<"$listing") classes of Quarkus's class loader archived"
