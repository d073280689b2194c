package bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Settings of one benchmark run; bench/run.sh passes them as --name=value. */
final class Options {

    String mode = "full";
    /** Tasks seeded into the query database, over {@link #agents} agents. */
    int n = 1_000_000;
    int agents = 100;
    /** Sizes of the simulated remote for the sync benchmark, over {@link #simAgents} agents. */
    List<Integer> m = List.of(10_000, 100_000);
    int simAgents = 10;
    /** Seconds measured per query and tool, after {@link #warmup} seconds of warm-up. */
    int duration = 60;
    int warmup = 10;
    /**
     * Seconds of load per query on the service before any measurement, so that the JIT has compiled every
     * query's path (on 2 cores a path reached steady state after 30-40 s of load; Q3 measured after its own 5 s
     * of warm-up ran at 60-75 % of its steady rate).
     */
    int jitWarmup = 10;
    /** Connections of both load generators (wrk and pgbench). */
    int concurrency = 8;
    int freshnessSamples = 100;
    /**
     * Seconds of GET and list requests on a new simulator before the sync benchmark: it stands for a SaaS
     * that is always warm, and its own JIT warm-up on the shared cores would otherwise count against the
     * service's backfill (0: none).
     */
    int simWarmup = 15;
    /**
     * Before the measured backfill, a throwaway service instance backfills the simulator into a scratch
     * mirror: the simulator then has served the service's own requests (event streams, list filters, its HTTP
     * client), whose new shapes otherwise make its JIT deoptimize and recompile during the measured run.
     */
    boolean simWarmupBackfill = true;
    /** Deep page of Q2: at least this many rows before the cursor (default: 500,000 or n/2 if fewer rows). */
    int depth = -1;
    String term = "auto";
    List<String> only = List.of("query", "sync", "freshness");

    Path project = Path.of(".");
    Path work = Path.of("bench/.work");
    Path app;
    String simClasspath = "";
    Path results = Path.of("bench/results");
    Path pgLog = Path.of("/var/log/postgresql/postgresql-15-main.log");
    String pgHost = "127.0.0.1";
    int pgPort = 5432;
    String pgSuperuser = "postgres";
    String db = "taskmirror_bench";
    String syncDb = "taskmirror_bench_sync";
    int servicePort = 18080;
    String apiKey = "bench-key";
    String jvmOpts = "";
    String commit = "unknown";
    Map<String, String> serviceEnv = new LinkedHashMap<>();

    static Options parse(String[] args) {
        Options o = new Options();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + a);
            }
            String name = a.substring(2, a.indexOf('='));
            String v = a.substring(a.indexOf('=') + 1);
            switch (name) {
                case "mode" -> o.mode = v;
                case "n" -> o.n = Integer.parseInt(v);
                case "agents" -> o.agents = Integer.parseInt(v);
                case "m" -> o.m = ints(v);
                case "sim-agents" -> o.simAgents = Integer.parseInt(v);
                case "duration" -> o.duration = Integer.parseInt(v);
                case "warmup" -> o.warmup = Integer.parseInt(v);
                case "jit-warmup" -> o.jitWarmup = Integer.parseInt(v);
                case "concurrency" -> o.concurrency = Integer.parseInt(v);
                case "freshness-samples" -> o.freshnessSamples = Integer.parseInt(v);
                case "sim-warmup" -> o.simWarmup = Integer.parseInt(v);
                case "sim-warmup-backfill" -> o.simWarmupBackfill = Boolean.parseBoolean(v);
                case "depth" -> o.depth = Integer.parseInt(v);
                case "term" -> o.term = v;
                case "only" -> o.only = List.of(v.split(","));
                case "project" -> o.project = Path.of(v);
                case "work" -> o.work = Path.of(v);
                case "app" -> o.app = Path.of(v);
                case "sim-classpath" -> o.simClasspath = v;
                case "results" -> o.results = Path.of(v);
                case "pg-log" -> o.pgLog = Path.of(v);
                case "pg-host" -> o.pgHost = v;
                case "pg-port" -> o.pgPort = Integer.parseInt(v);
                case "pg-superuser" -> o.pgSuperuser = v;
                case "db" -> o.db = v;
                case "sync-db" -> o.syncDb = v;
                case "port" -> o.servicePort = Integer.parseInt(v);
                case "jvm-opts" -> o.jvmOpts = v;
                case "commit" -> o.commit = v;
                case "env" -> {
                    int eq = v.indexOf(':');
                    o.serviceEnv.put(v.substring(0, eq), v.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        if (o.app == null) {
            o.app = o.work.resolve("app");
        }
        return o;
    }

    boolean runs(String part) {
        return only.contains(part);
    }

    int q2Depth() {
        return depth > 0 ? depth : Math.min(500_000, n / 2);
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + database;
    }

    private static List<Integer> ints(String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(Integer.parseInt(s.trim()));
            }
        }
        return out;
    }
}
