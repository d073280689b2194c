package bench;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The targets of issue 6 evaluated on a run, and the run as markdown. */
final class Report {

    private Report() {
    }

    static ArrayNode targets(JsonNode root) {
        ArrayNode t = Http.JSON.createArrayNode();
        JsonNode q = root.path("query").path("results");
        if (!q.isMissingNode()) {
            ratio(t, "Q1 throughput ≥ 50 % of pgbench (same SQL)", q.path("q1"));
            ratio(t, "Q3 throughput ≥ 50 % of pgbench (same SQL)", q.path("q3"));
            double first = q.path("q2a").path("service").path("p99_ms").asDouble();
            double deep = q.path("q2").path("service").path("p99_ms").asDouble();
            add(t, "Q2 p99 within 2× of the first page", String.format("%.1f ms vs %.1f ms (%.2f×)", deep, first,
                    deep / Math.max(0.001, first)), deep <= 2 * first);
            double q4 = q.path("q4").path("service").path("p99_ms").asDouble();
            add(t, "Q4 p99 ≤ 50 ms at " + root.path("query").path("tasks").asLong() + " tasks",
                    String.format("%.1f ms", q4), q4 <= 50);
            double q5 = q.path("q5").path("service").path("p99_ms").asDouble();
            add(t, "Q5 p99 ≤ 100 ms", String.format("%.1f ms", q5), q5 <= 100);
        }
        JsonNode sync = root.path("sync");
        for (Iterator<Map.Entry<String, JsonNode>> it = sync.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode s = e.getValue();
            if (s.path("backfill").isMissingNode()) {
                continue;
            }
            if (!s.path("backfill").path("completed").asBoolean(true)) {
                add(t, "Backfill ≥ 2,000 tasks/s (M = " + e.getKey() + ")", "did not complete: "
                        + s.path("backfill").path("tasks_stored_at_timeout").asLong() + " tasks stored, "
                        + s.path("backfill").path("agents_never_synced").asLong() + " agents never synced", false);
            } else {
                double rate = s.path("backfill").path("tasks_per_s").asDouble();
                add(t, "Backfill ≥ 2,000 tasks/s (M = " + e.getKey() + ")", String.format("%.0f tasks/s", rate),
                        rate >= 2000);
            }
            JsonNode idle = s.path("idle");
            long rows = idle.path("rows_inserted").asLong() + idle.path("rows_updated").asLong();
            add(t, "Idle cycle writes 0 task rows, fetches 0 tasks (M = " + e.getKey() + ")",
                    rows + " rows, " + idle.path("task_fetches").asLong() + " fetches",
                    rows == 0 && idle.path("task_fetches").asLong() == 0);
            JsonNode one = s.path("one_percent");
            add(t, "1 %-changed cycle fetches exactly the changed tasks (M = " + e.getKey() + ")",
                    one.path("changed_remotely").asLong() + " changed, " + one.path("task_fetches").asLong()
                            + " fetched, " + one.path("rows_updated").asLong() + " rows updated",
                    one.path("fetched_exactly_the_changed").asBoolean());
        }
        JsonNode f = root.path("freshness");
        if (!f.isMissingNode()) {
            double limit = (f.path("active_interval_s").asDouble() + 1) * 1000;
            long p99 = f.path("all").path("p99_ms").asLong();
            add(t, String.format("Freshness p99 ≤ poll interval + 1 s (%.0f ms)", limit),
                    "p50 " + f.path("all").path("p50_ms").asLong() + " ms, p99 " + p99 + " ms ("
                            + f.path("samples").asLong() + " samples)",
                    p99 <= limit && f.path("timeouts").asLong() == 0 && f.path("samples").asLong() > 0);
        }
        JsonNode fp = root.path("footprint");
        if (!fp.isMissingNode()) {
            long ready = fp.path("ready_ms").asLong();
            add(t, "Ready ≤ 3 s (JVM mode)", ready + " ms", ready <= 3000);
            long rss = fp.path("rss_mb_after_query_benchmark").asLong();
            if (fp.has("rss_mb_after_query_benchmark")) {
                add(t, "Resident memory ≤ 350 MB after the query benchmark", rss + " MB", rss <= 350);
            }
        }
        return t;
    }

    private static void ratio(ArrayNode t, String name, JsonNode r) {
        double ratio = r.path("ratio").asDouble();
        add(t, name, String.format("%.0f / %.0f per s = %.0f %%", r.path("service").path("throughput").asDouble(),
                r.path("pgbench").path("throughput").asDouble(), ratio * 100), ratio >= 0.5);
    }

    private static void add(ArrayNode t, String name, String figure, boolean met) {
        ObjectNode n = t.addObject();
        n.put("target", name);
        n.put("figure", figure);
        n.put("met", met);
    }

    static String markdown(JsonNode root, String name) {
        JsonNode m = root.path("meta");
        StringBuilder sb = new StringBuilder();
        sb.append("# task-mirror benchmark ").append(name).append("\n\n");
        sb.append("- Date: ").append(m.path("date").asText()).append(", mode: ").append(m.path("mode").asText())
                .append(", commit: ").append(m.path("commit").asText()).append('\n');
        sb.append("- Machine: ").append(m.path("cpus").asInt()).append(" CPUs (").append(m.path("cpu_model").asText())
                .append("), ").append(m.path("memory").asText()).append(", kernel ").append(m.path("kernel").asText())
                .append('\n');
        sb.append("- ").append(m.path("postgresql").asText()).append("; settings ")
                .append(m.path("postgresql_settings").toString()).append('\n');
        sb.append("- ").append(m.path("java").asText()).append("; ").append(m.path("wrk").asText()).append("; ")
                .append(m.path("pgbench").asText()).append('\n');
        sb.append("- Load average at start / end: ").append(m.path("load_average_start").asText()).append(" / ")
                .append(m.path("load_average_end").asText()).append("; run took ").append(m.path("elapsed_s").asLong())
                .append(" s\n");
        if (root.has("errors")) {
            sb.append("- **Errors**: ").append(root.path("errors").toString()).append('\n');
        }
        sb.append("\n## Targets\n\n| Target | Figure | Met |\n|---|---|---|\n");
        for (JsonNode t : root.path("targets")) {
            sb.append("| ").append(t.path("target").asText()).append(" | ").append(t.path("figure").asText())
                    .append(" | ").append(t.path("met").asBoolean() ? "yes" : "**no**").append(" |\n");
        }
        JsonNode q = root.path("query");
        if (q.has("results")) {
            sb.append("\n## Queries\n\n").append(q.path("tasks").asLong()).append(" tasks over ")
                    .append(q.path("agents").asInt()).append(" agents; wrk and pgbench (-M prepared) at ")
                    .append(q.path("concurrency").asInt()).append(" connections, ").append(q.path("duration_s").asInt())
                    .append(" s each after ").append(q.path("warmup_s").asInt()).append(" s of warm-up (the service: after ")
                    .append(q.path("jit_warmup_s").asInt()).append(" s of every query first, for the JIT); Q2 cursors at ")
                    .append(q.path("q2_depth_rows").asLong()).append("+ rows; Q5 term `").append(q.path("q5_term").asText())
                    .append("` matches ").append(q.path("q5_matches").asLong()).append(" tasks. Before each side's ")
                    .append("warm-up the database's tables and indexes are read into the page cache (pg_prewarm). Idle and ")
                    .append("iowait: the machine's, over each measured run, in % of its CPU time (the service's runs, then ")
                    .append("pgbench's).\n\n");
            sb.append("| Query | Service req/s | p50 ms | p99 ms | CPU ms/req (JVM) | pgbench tps | p50 ms | p99 ms | "
                    + "Service / pgbench | Idle % | Iowait % |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = q.path("results").fields(); it.hasNext();) {
                JsonNode r = it.next().getValue();
                JsonNode s = r.path("service");
                JsonNode p = r.path("pgbench");
                sb.append(String.format("| %s | %.0f | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f | %.0f %% | %s / %s | %s / %s |%n",
                        r.path("title").asText(), s.path("throughput").asDouble(), s.path("p50_ms").asDouble(),
                        s.path("p99_ms").asDouble(), s.path("service_cpu_ms_per_request").asDouble(),
                        p.path("throughput").asDouble(), p.path("p50_ms").asDouble(), p.path("p99_ms").asDouble(),
                        r.path("ratio").asDouble() * 100, pct(s, "machine_idle_pct"), pct(p, "machine_idle_pct"),
                        pct(s, "machine_iowait_pct"), pct(p, "machine_iowait_pct")));
            }
            JsonNode q3 = q.path("results").path("q3");
            if (q3.has("service_reads_per_statement")) {
                sb.append(String.format("%nQ3: the service's reads that waited for a read thread went out together: "
                        + "%.2f reads per statement on average (%d statements). pgbench runs the single-id statement.%n",
                        q3.path("service_reads_per_statement").asDouble(), q3.path("service_statements").asLong()));
            }
        }
        JsonNode sync = root.path("sync");
        if (sync.size() > 0) {
            JsonNode firstSync = sync.elements().next();
            sb.append("\n## Sync (simulator as its own process)\n\nBackfill: the service's scheduler from an empty mirror "
                    + "(default settings), timed from the first list request to the last task stored. Idle and 1 % cycles: "
                    + "one full cycle of every agent through POST /sync, scheduler off."
                    + (firstSync.path("simulator_warm_up_s").asInt() > 0 ? " The simulator stands for a SaaS that is "
                            + "always warm: before the service starts it serves list and GET requests for "
                            + firstSync.path("simulator_warm_up_s").asInt() + " s ("
                            + firstSync.path("simulator_warm_up_requests").asLong()
                            + " requests)"
                            + (firstSync.has("simulator_warm_up_backfill_ms")
                                    ? ", then to a throwaway instance of the service backfilling a scratch mirror ("
                                            + firstSync.path("simulator_warm_up_backfill_ms").asLong() + " ms)"
                                    : "")
                            + ", so that its own JIT warm-up is not counted against the service." : "")
                    + "\n\n");
            sb.append("| Remote tasks | Backfill | Backfill tasks/s | Idle cycle | 1 % changed cycle |\n|---:|---|---:|---|---|\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = sync.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode s = e.getValue();
                JsonNode b = s.path("backfill");
                JsonNode i = s.path("idle");
                JsonNode o = s.path("one_percent");
                sb.append(String.format("| %s | %d ms, %d lists, %d fetches, %d rows inserted | %.0f | %d ms, %d lists, "
                        + "%d fetches, %d rows written | %d changed: %d ms, %d fetches (exactly the changed: %s), %d rows "
                        + "updated |%n", e.getKey(), b.path("wall_ms").asLong(), b.path("list_calls").asLong(),
                        b.path("task_fetches").asLong(), b.path("rows_inserted").asLong(), b.path("tasks_per_s").asDouble(),
                        i.path("wall_ms").asLong(), i.path("list_calls").asLong(), i.path("task_fetches").asLong(),
                        i.path("rows_inserted").asLong() + i.path("rows_updated").asLong(),
                        o.path("changed_remotely").asLong(), o.path("wall_ms").asLong(), o.path("task_fetches").asLong(),
                        o.path("fetched_exactly_the_changed").asBoolean() ? "yes" : "no", o.path("rows_updated").asLong()));
            }
        }
        JsonNode f = root.path("freshness");
        if (!f.isMissingNode()) {
            sb.append(String.format("%n## Freshness%n%nRemote status change (unfinished task finished on the simulator) "
                    + "to visible in GET /tasks/{id}, schedulers on (fast cycle every %.0f s, full cycle every %d s): "
                    + "%d samples, p50 %d ms, p90 %d ms, p99 %d ms, max %d ms; without an event stream: %d samples, "
                    + "p50 %d ms, p99 %d ms.%n", f.path("active_interval_s").asDouble(), f.path("full_interval_s").asInt(),
                    f.path("samples").asLong(), f.path("all").path("p50_ms").asLong(), f.path("all").path("p90_ms").asLong(),
                    f.path("all").path("p99_ms").asLong(), f.path("all").path("max_ms").asLong(),
                    f.path("without_event_stream").path("samples").asLong(),
                    f.path("without_event_stream").path("p50_ms").asLong(),
                    f.path("without_event_stream").path("p99_ms").asLong()));
        }
        JsonNode fp = root.path("footprint");
        if (!fp.isMissingNode()) {
            sb.append(String.format("%n## Footprint%n%nProcess start to /q/health/ready: %d ms, using %d ms of CPU (Quarkus "
                    + "\"started in\" %d ms; a second instance started earlier in the run: %d ms). Resident memory: %d MB at ready, %d MB "
                    + "after the query benchmark (peak %d MB). JVM options: `%s`.%n", fp.path("ready_ms").asLong(),
                    fp.path("ready_cpu_ms").asLong(), fp.path("quarkus_started_ms").asLong(), fp.path("capture_instance_ready_ms").asLong(),
                    fp.path("rss_mb_at_ready").asLong(), fp.path("rss_mb_after_query_benchmark").asLong(),
                    fp.path("rss_peak_mb").asLong(), root.path("query").path("jvm_opts").asText()));
        }
        return sb.toString();
    }

    /** A machine figure of a run, or "?" for results written before it was measured. */
    private static String pct(JsonNode run, String field) {
        return run.has(field) && run.path(field).asDouble() >= 0 ? String.format("%.0f", run.path(field).asDouble()) : "?";
    }
}
