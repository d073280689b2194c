package bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sync against the simulator as its own process: backfill into an empty mirror, an idle cycle and a cycle
 * after 1 % of the tasks changed (cycles run with POST /sync, the scheduler off), per simulator size; then
 * freshness with the service's normal schedulers on. Remote calls are counted by the simulator (requests per
 * route), rows written by PostgreSQL (pg_stat_user_tables of the task table).
 */
final class SyncBench {

    /** PostgreSQL publishes a backend's table statistics within ~10 s of it going idle (PG 15). */
    private static final long STATS_SETTLE_MS = 11_500;

    private SyncBench() {
    }

    static void run(Options o, ObjectNode root, Path runDir) throws Exception {
        ObjectNode sync = root.putObject("sync");
        int largest = o.m.stream().max(Integer::compare).orElse(0);
        for (int m : o.m) {
            boolean freshness = m == largest && o.runs("freshness");
            ObjectNode r = sync.putObject(String.valueOf(m));
            try (Simulator sim = Simulator.start(o, m, o.simAgents)) {
                r.put("tasks", m);
                r.put("agents", o.simAgents);
                r.put("simulator_ready_ms", sim.seededMs);
                long warm = sim.warmUp(o.simWarmup);
                r.put("simulator_warm_up_s", o.simWarmup);
                r.put("simulator_warm_up_requests", warm);
                Bench.log("simulator warmed up: %d requests in %d s", warm, o.simWarmup);
                if (o.simWarmupBackfill) {
                    long t0 = System.nanoTime();
                    Db.recreate(o, o.syncDb);
                    Map<String, String> env = env(o, sim);
                    env.put("MIRROR_SYNC_ENABLED", "true");
                    try (Service svc = Service.start(o, "sim-warm-up-" + m, env)) {
                        Backfilled b = awaitBackfill(o, sim, m);
                        if (b.done < 0) {
                            throw new IllegalStateException("the simulator's warm-up backfill did not complete: "
                                    + b.stored + " tasks stored");
                        }
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    r.put("simulator_warm_up_backfill_ms", ms);
                    Bench.log("simulator warmed up by a throwaway backfill in %d ms", ms);
                    sim.resetCounters();
                }
                Db.recreate(o, o.syncDb);
                r.set("backfill", backfill(o, sim, m));
                Map<String, String> env = env(o, sim);
                env.put("MIRROR_SYNC_ENABLED", "false");
                try (Service svc = Service.start(o, "sync-" + m, env)) {
                    Thread.sleep(STATS_SETTLE_MS);
                    r.set("idle", cycle(o, svc, sim, "idle"));
                    List<String> changed = sim.change(0.01, 7);
                    ObjectNode one = cycle(o, svc, sim, "1% changed");
                    one.put("changed_remotely", changed.size());
                    JsonNode counts = sim.getCounts(changed);
                    int once = 0, more = 0, missed = 0;
                    for (String id : changed) {
                        long n = counts.path("counts").path(id).asLong();
                        if (n == 1) {
                            once++;
                        } else if (n == 0) {
                            missed++;
                        } else {
                            more++;
                        }
                    }
                    long total = counts.path("get_total").asLong();
                    one.put("changed_fetched_once", once);
                    one.put("changed_fetched_more_than_once", more);
                    one.put("changed_not_fetched", missed);
                    one.put("unchanged_fetched", total - once - 2L * more);
                    one.put("fetched_exactly_the_changed", once == changed.size() && total == changed.size());
                    r.set("one_percent", one);
                    r.put("service_rss_mb_after_sync", svc.rssKb()[0] / 1024);
                }
                r.put("simulator_rss_mb", sim.rssKb() / 1024);
                if (freshness) {
                    root.set("freshness", freshness(o, sim));
                }
            }
        }
    }

    static Map<String, String> env(Options o, Simulator sim) {
        Map<String, String> env = Service.baseEnv(o, o.syncDb);
        env.put("XPANDER_BASE_URL", sim.url);
        env.put("XPANDER_API_KEY", sim.apiKey);
        env.put("XPANDER_ORGANIZATION_ID", sim.org);
        env.put("MIRROR_SYNC_AGENT_IDS", String.join(",", sim.agents));
        return env;
    }

    /**
     * Backfill into the empty mirror by the service's own scheduler (default settings: 4 agents at a time,
     * 8 task fetches in flight): from the first list request the simulator receives to every task stored and
     * every agent's first cycle recorded.
     */
    private static ObjectNode backfill(Options o, Simulator sim, int m) throws Exception {
        sim.resetCounters();
        long[] before = Db.taskWrites(o, o.syncDb);
        long[] firstList = { -1 };
        Thread watch = new Thread(() -> {
            while (firstList[0] < 0) {
                try {
                    if (sim.counters().path("LIST_AGENT").asLong() > 0) {
                        firstList[0] = System.nanoTime();
                        return;
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // simulator busy: try again
                }
            }
        }, "backfill-watch");
        watch.setDaemon(true);
        watch.start();
        Map<String, String> env = env(o, sim);
        env.put("MIRROR_SYNC_ENABLED", "true");
        ObjectNode out = Http.JSON.createObjectNode();
        long simCpu0 = Proc.cpuMs(sim.process.pid());
        try (Service svc = Service.start(o, "backfill-" + m, env)) {
            long cpu0 = Proc.cpuMs(svc.process.pid());
            Backfilled b = awaitBackfill(o, sim, m);
            long done = b.done;
            if (done < 0 || firstList[0] < 0) {
                out.put("completed", false);
                out.put("tasks_stored_at_timeout", b.stored);
                out.put("agents_never_synced", b.unsynced);
                Bench.log("backfill of %d tasks did not complete: %d stored, %d agents never synced", m, b.stored,
                        b.unsynced);
                return out;
            }
            out.put("completed", true);
            JsonNode calls = sim.counters();
            long cpuMs = Proc.cpuMs(svc.process.pid()) - cpu0;
            out.put("postgres_backends_cpu_ms", backendsCpuMs(o));
            out.put("simulator_cpu_ms", Proc.cpuMs(sim.process.pid()) - simCpu0);
            long wallMs = (done - firstList[0]) / 1_000_000;
            out.put("wall_ms", wallMs);
            out.put("tasks_per_s", Load.round(m / (wallMs / 1000.0), 1));
            out.put("service_cpu_ms_after_ready", cpuMs);
            ObjectNode remote = out.putObject("remote_calls");
            calls.fields().forEachRemaining(e -> {
                if (e.getValue().asLong() > 0) {
                    remote.put(e.getKey(), e.getValue().asLong());
                }
            });
            out.put("list_calls", calls.path("LIST_AGENT").asLong());
            out.put("task_fetches", calls.path("GET").asLong());
        }
        Thread.sleep(STATS_SETTLE_MS);
        long[] after = Db.taskWrites(o, o.syncDb);
        out.put("rows_inserted", after[0] - before[0]);
        out.put("rows_updated", after[1] - before[1]);
        Bench.log("backfill of %d tasks: %d ms from the first list call (%.0f tasks/s), fetches %d, rows inserted %d",
                m, out.path("wall_ms").asLong(), out.path("tasks_per_s").asDouble(), out.path("task_fetches").asLong(),
                out.path("rows_inserted").asLong());
        return out;
    }

    /** When every task was stored and every agent's first cycle recorded (System.nanoTime(); -1: timed out). */
    private record Backfilled(long done, long stored, long unsynced) {
    }

    private static Backfilled awaitBackfill(Options o, Simulator sim, int m) throws Exception {
        // Generous: 5 minutes plus 10 ms per task (100 tasks/s).
        long deadline = System.nanoTime() + Duration.ofMinutes(5).plusMillis(10L * m).toNanos();
        long stored = 0, unsynced = -1;
        try (java.sql.Connection c = Db.app(o, o.syncDb)) {
            while (System.nanoTime() < deadline) {
                stored = Long.parseLong(Db.one(c, "select count(*) from task"));
                long scopes = Long.parseLong(Db.one(c, "select count(*) from sync_scope"));
                unsynced = Long.parseLong(Db.one(c, "select count(*) from sync_scope where initial_sync_at is null"));
                if (stored >= m && scopes >= sim.agents.size() && unsynced == 0) {
                    return new Backfilled(System.nanoTime(), stored, unsynced);
                }
                Thread.sleep(100);
            }
        }
        return new Backfilled(-1, stored, unsynced);
    }

    /** CPU used so far by the PostgreSQL backends serving the sync database (the service's connections). */
    static long backendsCpuMs(Options o) {
        long total = 0;
        try (java.sql.Connection c = Db.superuser(o, "postgres")) {
            for (var row : Db.rows(c, "select pid from pg_stat_activity where datname = '" + o.syncDb + "'")) {
                long ms = Proc.cpuMs(Long.parseLong(row.get("pid")));
                total += Math.max(0, ms);
            }
        } catch (Exception e) {
            return -1;
        }
        return total;
    }

    /** One full cycle of every agent through POST /sync, with its remote calls and rows written. */
    private static ObjectNode cycle(Options o, Service svc, Simulator sim, String what) throws Exception {
        // The statistics are settled: the previous cycle waited for them, and nothing else writes tasks.
        long[] before = Db.taskWrites(o, o.syncDb);
        sim.resetCounters();
        long cpu0 = Proc.cpuMs(svc.process.pid());
        long t0 = System.nanoTime();
        JsonNode status = Http.ok(Http.post(svc.baseUrl + "/sync?kind=full", o.apiKey, null, Duration.ofMinutes(30)),
                "POST /sync (" + what + ")");
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        long cpuMs = Proc.cpuMs(svc.process.pid()) - cpu0;
        JsonNode calls = sim.counters();
        Thread.sleep(STATS_SETTLE_MS);
        long[] after = Db.taskWrites(o, o.syncDb);
        ObjectNode out = Http.JSON.createObjectNode();
        out.put("wall_ms", wallMs);
        out.put("service_cpu_ms", cpuMs);
        long cycleMs = 0, fetched = 0, written = 0, listed = 0;
        for (JsonNode s : status.path("scopes")) {
            cycleMs += s.path("last_cycle_ms").asLong();
            fetched += s.path("last_fetched").asLong();
            written += s.path("last_written").asLong();
        }
        out.put("cycle_ms_sum_of_agents", cycleMs);
        ObjectNode remote = out.putObject("remote_calls");
        calls.fields().forEachRemaining(e -> {
            if (e.getValue().asLong() > 0) {
                remote.put(e.getKey(), e.getValue().asLong());
            }
        });
        out.put("list_calls", calls.path("LIST_AGENT").asLong());
        out.put("task_fetches", calls.path("GET").asLong());
        out.put("rows_inserted", after[0] - before[0]);
        out.put("rows_updated", after[1] - before[1]);
        out.put("service_reported_fetched", fetched);
        out.put("service_reported_written", written);
        Bench.log("sync %s: %d ms, lists %d, fetches %d, rows inserted %d, updated %d", what, wallMs,
                calls.path("LIST_AGENT").asLong(), calls.path("GET").asLong(), after[0] - before[0], after[1] - before[1]);
        return out;
    }

    /**
     * Time from a remote status change (an unfinished task finished on the simulator) to the new status in
     * GET /tasks/{id}, with the service's schedulers on (default intervals). Changes start at random moments,
     * from a few threads at once; each is polled every 20 ms.
     */
    private static ObjectNode freshness(Options o, Simulator sim) throws Exception {
        ObjectNode out = Http.JSON.createObjectNode();
        Map<String, String> env = env(o, sim);
        env.put("MIRROR_SYNC_ENABLED", "true");
        try (Service svc = Service.start(o, "freshness", env)) {
            // Let the first cycles after start-up (a full cycle per agent) finish.
            Thread.sleep(10_000);
            JsonNode tasks = sim.unfinishedTasks();
            List<JsonNode> pool = new ArrayList<>();
            tasks.forEach(pool::add);
            Collections.shuffle(pool, new Random(11));
            int samples = Math.min(o.freshnessSamples, pool.size());
            double interval = 3.0;
            String configured = o.serviceEnv.get("MIRROR_SYNC_ACTIVE_INTERVAL");
            if (configured != null) {
                interval = Double.parseDouble(configured.replace("s", ""));
            }
            out.put("active_interval_s", interval);
            out.put("full_interval_s", 30);
            out.put("unfinished_tasks_available", pool.size());
            int threads = 4;
            ExecutorService exec = Executors.newFixedThreadPool(threads);
            double maxDelay = interval;
            List<Future<long[]>> futures = new ArrayList<>();
            List<String> timedOut = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                JsonNode task = pool.get(i);
                futures.add(exec.submit(() -> {
                    Thread.sleep((long) (ThreadLocalRandom.current().nextDouble() * maxDelay * 1000));
                    String id = task.path("id").asText();
                    long t0 = System.nanoTime();
                    sim.finish(id);
                    long deadline = t0 + Duration.ofSeconds(60).toNanos();
                    String seen = null;
                    while (System.nanoTime() < deadline) {
                        Http.Response r = Http.get(svc.baseUrl + "/tasks/" + id, o.apiKey);
                        seen = r.status() + " " + (r.status() == 200 ? r.json().path("status").asText() : r.body());
                        if (r.status() == 200 && "completed".equals(r.json().path("status").asText())) {
                            return new long[] { (System.nanoTime() - t0) / 1_000_000,
                                    task.path("events_streaming").asBoolean() ? 1 : 0 };
                        }
                        Thread.sleep(20);
                    }
                    synchronized (timedOut) {
                        timedOut.add(id + " (" + task.path("status").asText() + " on the simulator before the change, "
                                + "served: " + seen + ")");
                    }
                    return new long[] { -1, 0 };
                }));
            }
            List<Long> all = new ArrayList<>();
            List<Long> polled = new ArrayList<>();
            int timeouts = 0;
            for (Future<long[]> f : futures) {
                long[] r = f.get();
                if (r[0] < 0) {
                    timeouts++;
                    continue;
                }
                all.add(r[0]);
                if (r[1] == 0) {
                    polled.add(r[0]);
                }
            }
            exec.shutdown();
            out.put("samples", all.size());
            out.put("timeouts", timeouts);
            ArrayNode late = out.putArray("not_visible_after_60_s");
            timedOut.forEach(late::add);
            out.set("all", summary(all));
            out.set("without_event_stream", summary(polled));
            ArrayNode raw = out.putArray("raw_ms");
            all.forEach(raw::add);
            Bench.log("freshness: %d samples, p50 %s ms, p99 %s ms", all.size(), out.path("all").path("p50_ms"),
                    out.path("all").path("p99_ms"));
        }
        return out;
    }

    private static ObjectNode summary(List<Long> values) {
        ObjectNode s = Http.JSON.createObjectNode();
        long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
        s.put("samples", v.length);
        if (v.length > 0) {
            s.put("p50_ms", Load.pct(v, 50));
            s.put("p90_ms", Load.pct(v, 90));
            s.put("p99_ms", Load.pct(v, 99));
            s.put("max_ms", v[v.length - 1]);
        }
        return s;
    }
}
