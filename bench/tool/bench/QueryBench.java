package bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Q1 to Q5 against the packaged service (wrk) and the same SQL against PostgreSQL (pgbench), at the same
 * concurrency, one after the other; then the service's resident memory.
 */
final class QueryBench {

    /** Query keys in run order; q2a is the first page that q2 (a page deep in the result) is compared with. */
    static final List<String> ORDER = List.of("q1", "q2a", "q2", "q3", "q4", "q5");
    static final Map<String, String> TITLES = Map.of(
            "q1", "Q1 list by agent + status, page of 50",
            "q2a", "Q2 first page (reference)",
            "q2", "Q2 keyset page deep in the result",
            "q3", "Q3 get by id (random ids)",
            "q4", "Q4 stats of one agent",
            "q5", "Q5 full-text search, page of 50");
    private static final int CURSORS = 10;
    private static final int PAGE = 500;

    private QueryBench() {
    }

    static void run(Options o, ObjectNode root, Path runDir) throws Exception {
        ObjectNode q = root.putObject("query");
        long seeded;
        long matches;
        try (Connection c = Db.app(o, o.db)) {
            seeded = Long.parseLong(Db.one(c, "select count(*) from task where deleted_at is null"));
            matches = Long.parseLong(Db.one(c, "select count(*) from task t where t.deleted_at is null and "
                    + "t.search @@ websearch_to_tsquery('english', ?)", o.term));
        }
        if (seeded < o.n) {
            throw new IllegalStateException(o.db + " holds " + seeded + " tasks, expected " + o.n
                    + ": seed it first (bench/seed.sh --fresh " + o.n + ")");
        }
        q.put("tasks", seeded);
        q.put("agents", o.agents);
        q.put("concurrency", o.concurrency);
        q.put("duration_s", o.duration);
        q.put("warmup_s", o.warmup);
        q.put("jit_warmup_s", o.jitWarmup);
        q.put("q5_term", o.term);
        q.put("q5_matches", matches);
        q.put("q2_depth_rows", o.q2Depth());

        Map<String, String> env = Service.baseEnv(o, o.db);
        env.put("MIRROR_SYNC_ENABLED", "false");
        env.put("XPANDER_API_KEY", "bench-unused");
        env.put("XPANDER_BASE_URL", "http://127.0.0.1:9");
        // Every Q4 request computes its aggregates (the default 2 s cache would serve most of them).
        env.put("MIRROR_API_STATS_CACHE_TTL", "0s");
        q.put("service_env", Http.JSON.valueToTree(env));
        q.put("jvm_opts", o.jvmOpts);

        // 1. The SQL the service runs, from PostgreSQL's log.
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("q1", "/tasks?agent_id=agent-0001&status=completed&limit=50");
        paths.put("q2a", "/tasks?limit=50");
        paths.put("q2", "/tasks?limit=50&cursor={cursor}");
        paths.put("q3", "/tasks/seed-000000001");
        paths.put("q4", "/tasks/stats?agent_id=agent-0001");
        paths.put("q5", "/tasks?limit=50&q=" + java.net.URLEncoder.encode(o.term, StandardCharsets.UTF_8));
        Map<String, Object> captureReport = new LinkedHashMap<>();
        Map<String, List<SqlCapture.Stmt>> sql = SqlCapture.capture(o, paths, env, captureReport);
        q.set("capture", Http.JSON.valueToTree(captureReport));
        for (String k : ORDER) {
            if (!sql.containsKey(k) || sql.get(k).isEmpty()) {
                throw new IllegalStateException("no SQL captured for " + k);
            }
        }
        Path plans = runDir.resolve("plans");
        Files.createDirectories(plans);
        try (Connection c = Db.app(o, o.db)) {
            for (String k : ORDER) {
                StringBuilder sb = new StringBuilder();
                for (SqlCapture.Stmt s : sql.get(k)) {
                    sb.append("-- ").append(s.sql().replace("\n", "\n-- ")).append("\n-- parameters: ")
                            .append(s.params()).append("\n").append(SqlCapture.explain(c, s)).append("\n");
                }
                Files.writeString(plans.resolve(k + ".txt"), sb.toString());
            }
        }

        // 2. The service under test.
        ObjectNode results = q.putObject("results");
        try (Service svc = Service.start(o, "query", env)) {
            ObjectNode fp = root.putObject("footprint");
            fp.put("ready_ms", svc.readyMs);
            fp.put("ready_cpu_ms", svc.readyCpuMs);
            fp.put("quarkus_started_ms", svc.quarkusStartedMs());
            fp.put("capture_instance_ready_ms", (Long) captureReport.get("capture_ready_ms"));
            fp.put("rss_mb_at_ready", svc.rssKb()[0] / 1024);

            // Real cursors for Q2, by paging through the API (the first page's cursor is the captured one).
            String firstCursor = SqlCapture.captureCursor;
            // Paging half a million rows deep reads most of the table: from the page cache, not the disk.
            prewarm(o, q, "prewarm_ms_paging");
            List<String> cursors = deepCursors(o, svc, o.q2Depth());
            Path cursorFile = runDir.resolve("sql").resolve("q2-cursors.txt");
            Files.createDirectories(cursorFile.getParent());
            Files.write(cursorFile, cursors);

            // 3. pgbench scripts from the captured SQL.
            Map<String, List<Path>> scripts = new LinkedHashMap<>();
            Map<String, List<String>> defines = new LinkedHashMap<>();
            Path sqlDir = runDir.resolve("sql");
            for (String k : ORDER) {
                List<Function<String, SqlCapture.Binding>> variants = new ArrayList<>();
                switch (k) {
                    case "q1", "q4" -> variants.add(v -> v.matches("agent-\\d{4}")
                            ? new SqlCapture.Binding("('agent-' || lpad(cast(:agent as text), 4, '0'))",
                                    "\\set agent random(0, " + (o.agents - 1) + ")")
                            : null);
                    case "q3" -> variants.add(v -> v.matches("seed-\\d{9}")
                            ? new SqlCapture.Binding("('seed-' || lpad(cast(:idn as text), 9, '0'))",
                                    "\\set idn random(1, " + o.n + ")")
                            : null);
                    case "q2" -> {
                        String[] captured = position(firstCursor);
                        for (String cur : cursors) {
                            String[] p = position(cur);
                            variants.add(v -> v.equals(captured[0]) ? new SqlCapture.Binding(":cv", "\\set cv " + p[0])
                                    : v.equals(captured[1]) && p[1].matches("seed-\\d{9}")
                                            ? new SqlCapture.Binding("('seed-' || lpad(cast(:cid as text), 9, '0'))",
                                                    "\\set cid " + Long.parseLong(p[1].substring(5)))
                                            : null);
                        }
                    }
                    default -> variants.add(v -> null);
                }
                List<Path> files = new ArrayList<>();
                for (int i = 0; i < variants.size(); i++) {
                    Map.Entry<String, List<String>> s = SqlCapture.script(k, sql.get(k), variants.get(i));
                    Path f = sqlDir.resolve(variants.size() == 1 ? k + ".sql" : k + "-" + (i + 1) + ".sql");
                    Files.writeString(f, "-- " + TITLES.get(k) + ": the statements the service ran for one request, "
                            + "captured from PostgreSQL's log.\n" + s.getKey());
                    files.add(f);
                    defines.put(k, s.getValue());
                }
                scripts.put(k, files);
                Files.writeString(sqlDir.resolve(k + ".defines"), String.join("\n", defines.get(k)) + "\n");
            }

            Map<String, String> wrkEnv = new LinkedHashMap<>();
            wrkEnv.put("BENCH_N", String.valueOf(o.n));
            wrkEnv.put("BENCH_AGENTS", String.valueOf(o.agents));
            wrkEnv.put("BENCH_KEY", o.apiKey);
            wrkEnv.put("BENCH_TERM", o.term);
            wrkEnv.put("BENCH_CURSORS", cursorFile.toAbsolutePath().toString());

            if (o.jitWarmup > 0) {
                Bench.log("service JIT warm-up: every query for %d s", o.jitWarmup);
                for (String k : ORDER) {
                    Load.wrk(o, svc, k, wrkEnv, o.jitWarmup);
                }
            }
            for (String k : ORDER) {
                ObjectNode r = results.putObject(k);
                r.put("title", TITLES.get(k));
                r.put("statements", sql.get(k).size());
                prewarm(o, r, "prewarm_ms_service");
                Bench.log("%s: service warm-up %d s, measure %d s", k, o.warmup, o.duration);
                Load.wrk(o, svc, k, wrkEnv, o.warmup);
                double[] before = readBatches(o, svc);
                r.set("service", Load.wrk(o, svc, k, wrkEnv, o.duration));
                if (k.equals("q3")) {
                    // Reads that wait for a read thread go out together (ReadPool): reads per statement.
                    double[] after = readBatches(o, svc);
                    double statements = after[0] - before[0];
                    r.put("service_statements", (long) statements);
                    r.put("service_reads_per_statement",
                            Load.round(statements > 0 ? (after[1] - before[1]) / statements : 0, 2));
                }
                prewarm(o, r, "prewarm_ms_pgbench");
                Bench.log("%s: pgbench warm-up, measure %d s", k, o.duration);
                Load.pgbench(o, scripts.get(k), defines.get(k), Math.max(3, o.warmup / 2), o.work.resolve("pgbench"));
                r.set("pgbench", Load.pgbench(o, scripts.get(k), defines.get(k), o.duration, o.work.resolve("pgbench")));
                double ratio = r.path("service").path("throughput").asDouble()
                        / Math.max(0.001, r.path("pgbench").path("throughput").asDouble());
                r.put("ratio", Load.round(ratio, 3));
                Bench.log("%s: service %.0f/s p50 %.2f ms p99 %.2f ms | pgbench %.0f/s p50 %.2f ms p99 %.2f ms | ratio %.2f"
                        + (k.equals("q3") ? " | reads per statement " + r.path("service_reads_per_statement").asText() : "")
                        + " | machine idle/iowait %% service %s/%s, pgbench %s/%s",
                        k, r.path("service").path("throughput").asDouble(), r.path("service").path("p50_ms").asDouble(),
                        r.path("service").path("p99_ms").asDouble(), r.path("pgbench").path("throughput").asDouble(),
                        r.path("pgbench").path("p50_ms").asDouble(), r.path("pgbench").path("p99_ms").asDouble(), ratio,
                        r.path("service").path("machine_idle_pct").asText(), r.path("service").path("machine_iowait_pct").asText(),
                        r.path("pgbench").path("machine_idle_pct").asText(), r.path("pgbench").path("machine_iowait_pct").asText());
            }
            long[] rss = svc.rssKb();
            fp.put("rss_mb_after_query_benchmark", rss[0] / 1024);
            fp.put("rss_peak_mb", rss[1] / 1024);
        }
    }

    /**
     * Reads the query database's tables and indexes through PostgreSQL (pg_prewarm, mode {@code read}) so that
     * both sides of a comparison start from the same page cache. On virtual machines whose host takes page
     * cache back (a balloon reporting free pages), a cold page cache otherwise penalizes whichever side runs
     * first: the service. Skipped, with a note in the results, where the extension is not available.
     */
    private static void prewarm(Options o, ObjectNode r, String field) {
        long t0 = System.nanoTime();
        try (Connection c = Db.superuser(o, o.db)) {
            Db.exec(c, "create extension if not exists pg_prewarm");
            Db.one(c, "select sum(pg_prewarm(c.oid::regclass, 'read')) from pg_class c "
                    + "where c.relkind in ('r', 'i', 't', 'm') and c.relpersistence = 'p'");
            r.put(field, (System.nanoTime() - t0) / 1_000_000);
        } catch (SQLException e) {
            Bench.log("page cache not prewarmed (%s)", e.getMessage());
            r.put(field, -1);
        }
    }

    /** {statements, reads} of single-task reads so far, from the service's metrics. */
    private static double[] readBatches(Options o, Service svc) {
        Http.Response r = Http.get(svc.baseUrl + "/q/metrics", o.apiKey);
        double[] out = new double[2];
        for (String line : r.body().split("\n")) {
            if (line.startsWith("mirror_api_read_batch_count")) {
                out[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("mirror_api_read_batch_sum")) {
                out[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return out;
    }

    /** Pages through the newest-first list until {@code depth} rows lie before the cursor; returns cursors from there. */
    private static List<String> deepCursors(Options o, Service svc, int depth) {
        long t0 = System.nanoTime();
        String cursor = null;
        int offset = 0;
        List<String> out = new ArrayList<>();
        while (out.size() < CURSORS) {
            String url = svc.baseUrl + "/tasks?fields=id&limit=" + PAGE + (cursor == null ? "" : "&cursor=" + cursor);
            JsonNode page = Http.ok(Http.get(url, o.apiKey), "paging for Q2 cursors");
            offset += page.path("items").size();
            cursor = page.path("next_cursor").asText(null);
            if (cursor == null) {
                throw new IllegalStateException("the list ended after " + offset + " rows, before depth " + depth);
            }
            if (offset >= depth) {
                out.add(cursor);
            }
        }
        Bench.log("Q2: %d cursors at depth %d..%d rows, found by paging in %d s", out.size(), depth,
                offset, (System.nanoTime() - t0) / 1_000_000_000);
        return out;
    }

    /** {sort value (epoch microseconds), id} of an opaque cursor (its JSON part is readable, only signed). */
    static String[] position(String cursor) {
        try {
            byte[] json = Base64.getUrlDecoder().decode(cursor.substring(0, cursor.indexOf('.')));
            JsonNode n = Http.JSON.readTree(json);
            return new String[] { n.path("v").asText(), n.path("i").asText() };
        } catch (Exception e) {
            throw new IllegalStateException("unreadable cursor " + cursor, e);
        }
    }
}
