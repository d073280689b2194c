#!/usr/bin/env bash
# The task-mirror benchmark (issue 6): query benchmark against PostgreSQL's own limit (wrk vs pgbench on the
# same SQL), sync benchmark against the simulator as its own process, freshness, footprint.
#
#   bench/run.sh [--quick] [--skip-build] [--reseed] [--name=value ...]
#
#   --quick        N = 100,000 tasks, M = 10,000 and 100,000, 15 s per query, 30 freshness samples (~15 min)
#   (default)      N = 1,000,000 tasks, M = 10,000 and 100,000, 60 s per query, 100 samples (~45 min + seeding)
#   --skip-build   reuse bench/.work (the service, simulator and tool built by the previous run)
#   --reseed       drop and seed the query database even if it already holds N tasks
#   --name=value   passed to the tool (bench/tool/bench/Options.java), e.g. --only=query,sync,freshness,
#                  --concurrency=8, --duration=30, --jit-warmup=10, --sim-warmup=15, --sim-warmup-backfill=false,
#                  --n=..., --m=10000, --term=kafka,
#                  --jvm-opts="...",
#                  --env=NAME:value (extra service environment), --pg-log=/var/log/postgresql/...
#
# Needs: Java 17+, psql, pgbench, wrk (Debian: apt-get install postgresql-client wrk), a local PostgreSQL
# with a superuser (PGUSER postgres by default; the SQL capture needs read access to its log file; the
# pg_prewarm module of PostgreSQL's contrib, part of Debian's postgresql package, warms the page cache), and
# Maven Central for the build. Databases used: taskmirror_bench (query data, kept between runs) and
# taskmirror_bench_sync (recreated). Results: bench/results/<UTC date>-<mode>.{json,md} and a directory of
# the same name with the captured SQL, the pgbench scripts and EXPLAIN (ANALYZE, BUFFERS) plans.
# Runs on demand only; ./mvnw verify never runs it. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=full
BUILD=true
RESEED=false
PASS=()
for a in "$@"; do
  case "$a" in
    --quick) MODE=quick ;;
    --skip-build) BUILD=false ;;
    --reseed) RESEED=true ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) PASS+=("$a") ;;
  esac
done
if [ "$MODE" = quick ]; then
  N=${BENCH_N:-100000}; DURATION=15; WARMUP=5; SAMPLES=30
else
  N=${BENCH_N:-1000000}; DURATION=60; WARMUP=10; SAMPLES=100
fi
for a in "${PASS[@]+"${PASS[@]}"}"; do
  case "$a" in --n=*) N=${a#--n=} ;; esac
done
M=${BENCH_M:-10000,100000}
DB=${BENCH_DB:-taskmirror_bench}
WORK=bench/.work
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

for tool in java javac psql pgbench wrk; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing $tool (Debian: apt-get install postgresql-client wrk; a JDK 17+)" >&2
    exit 1
  fi
done
db/scripts/start-local-postgres.sh
db/scripts/create-local-db.sh >/dev/null

# 1. Build: the packaged service (prod build), the simulator's classes and class path, the tool. Copies go to
#    bench/.work so that a rebuild of target/ during the run changes nothing.
mkdir -p "$WORK"
if $BUILD || [ ! -f "$WORK/app/quarkus-run.jar" ] || [ ! -d "$WORK/sim-classes" ]; then
  echo "building the service (./mvnw package -Pprod) and the simulator" >&2
  ./mvnw -B -q -ntp package -Pprod -DskipTests >&2
  rm -rf "$WORK/app" && cp -a target/quarkus-app "$WORK/app"
  ./mvnw -B -q -ntp compile dependency:build-classpath -Dmdep.outputFile="$WORK/simulator.classpath" \
    -Dmdep.includeScope=runtime >&2
  rm -rf "$WORK/sim-classes" && cp -a target/classes "$WORK/sim-classes"
  # The class data sharing archive as the JVM image writes it (src/main/docker/Dockerfile.jvm, the same
  # script): this JDK, the jar's absolute path as the service is started.
  src/main/docker/appcds-archive.sh "$PWD/$WORK/app/quarkus-run.jar" "$PWD/$WORK/app/app-cds.jsa" \
    >"$WORK/appcds.log" 2>&1 || { cat "$WORK/appcds.log" >&2; exit 1; }
fi
rm -rf "$WORK/tool" && mkdir -p "$WORK/tool"
javac -nowarn -d "$WORK/tool" -cp "$WORK/app/lib/main/*" bench/tool/bench/*.java

# 2. Query data: N tasks in $DB (kept between runs: seeding 1,000,000 tasks takes a few minutes).
have=$(PGPASSWORD=taskmirror psql -U taskmirror -d "$DB" -qtAc "select count(*) from task" 2>/dev/null || echo 0)
if $RESEED || [ "$have" != "$N" ]; then
  echo "seeding $N tasks into $DB (found ${have:-0})" >&2
  APP_DIR="$WORK/app" BENCH_DB="$DB" bench/seed.sh --fresh "$N"
else
  # Same data, but the schema must be at this build's migrations before start-up is timed.
  APP_DIR="$WORK/app" BENCH_DB="$DB" bench/seed.sh --migrate-only
fi

COMMIT=unknown
if git rev-parse --git-dir >/dev/null 2>&1; then
  COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml 2>/dev/null || echo ' (with uncommitted changes)')"
fi
COMMIT=${BENCH_COMMIT:-$COMMIT}

# JVM options: those the JVM image's run-java.sh adds by default (heap 80 % of the container memory,
# ParallelGC with its heap-free ratios), then what src/main/docker/Dockerfile.jvm appends (JAVA_OPTS_APPEND),
# with MaxRAM standing in for the pod's 768Mi memory limit.
JVM_OPTS=${BENCH_JVM_OPTS:-"-XX:MaxRAM=768m -XX:MaxRAMPercentage=80.0 -XX:+UseParallelGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90 -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile=$PWD/$WORK/app/app-cds.jsa -XX:InitialRAMPercentage=8 -XX:MetaspaceSize=128m -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 -XX:GCTimeRatio=19 -XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=20000 -XX:Tier4CompileThreshold=60000 -XX:Tier4BackEdgeThreshold=400000 -Djava.util.logging.manager=org.jboss.logmanager.LogManager"}

exec java -Xmx1g -cp "$WORK/tool:$WORK/app/lib/main/*" bench.Bench --mode="$MODE" --n="$N" --m="$M" \
  --duration="$DURATION" --warmup="$WARMUP" --freshness-samples="$SAMPLES" --db="$DB" \
  --work="$WORK" --app="$WORK/app" --sim-classpath="$WORK/sim-classes:$(cat "$WORK/simulator.classpath")" \
  --commit="$COMMIT" --jvm-opts="$JVM_OPTS" --pg-host="$PGHOST" --pg-port="$PGPORT" --pg-superuser="$PGUSER" \
  --term="${BENCH_TERM:-kafka}" "${PASS[@]+"${PASS[@]}"}"
