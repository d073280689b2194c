package bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The xpander simulator ({@code dev.taskmirror.simulator.SimulatorMain}, as bin/simulator runs it) as a
 * separate process, with its admin routes for counters and remote changes.
 */
final class Simulator implements AutoCloseable {

    private static final Pattern BANNER = Pattern.compile(
            "listening on (\\S+) \\(org=([^,]+), agents=(.*?), api key=([^)]+)\\); admin routes on (\\S+)");

    final Process process;
    final String url;
    final String org;
    final List<String> agents;
    final String apiKey;
    final String admin;
    final long seededMs;

    private Simulator(Process process, String url, String org, List<String> agents, String apiKey, String admin,
            long seededMs) {
        this.process = process;
        this.url = url;
        this.org = org;
        this.agents = agents;
        this.apiKey = apiKey;
        this.admin = admin;
        this.seededMs = seededMs;
    }

    /**
     * Starts a simulator holding {@code tasks} tasks over {@code agents} agents, on a real-time clock without
     * arrivals or edits, then freezes its lifecycle so nothing changes unless the benchmark changes it.
     */
    static Simulator start(Options o, int tasks, int agents) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Service.javaBin(), "-Xmx2g"));
        String extra = System.getenv("BENCH_SIM_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            // Profiling aid: extra options for the simulator's JVM (a compilation log, an agent).
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", o.simClasspath, "dev.taskmirror.simulator.SimulatorMain", "--port=0",
                "--admin-port=0", "--tasks=" + tasks, "--agents=" + agents, "--tick=1s", "--arrival=0", "--edits=0"));
        Path log = o.work.resolve("logs").resolve("simulator-" + tasks + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = BANNER.matcher(line);
            if (m.find()) {
                long seededMs = (System.nanoTime() - t0) / 1_000_000;
                Simulator s = new Simulator(p, m.group(1), m.group(2), List.of(m.group(3).split(",")), m.group(4),
                        m.group(5), seededMs);
                // Drain stdout so the process never blocks on a full pipe.
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // ignore
                        }
                    } catch (IOException ignored) {
                        // process ended
                    }
                }, "simulator-stdout");
                drain.setDaemon(true);
                drain.start();
                Http.ok(Http.post(s.admin + "/lifecycle?enabled=false", null, null, Duration.ofSeconds(30)),
                        "simulator lifecycle");
                Bench.log("simulator with %d tasks over %d agents ready in %d ms at %s", tasks, agents, seededMs,
                        s.url);
                return s;
            }
        }
        throw new IllegalStateException("simulator exited (" + p.waitFor() + "); see " + log);
    }

    /**
     * Requests from 4 threads for {@code seconds}: every agent's list, then GETs of its tasks round-robin (the
     * requests of a backfill), so that the simulator's JIT has compiled its paths before it is measured
     * against. Counters are reset afterwards.
     */
    long warmUp(int seconds) throws InterruptedException {
        if (seconds <= 0) {
            return 0;
        }
        List<String> ids = new ArrayList<>();
        for (String agent : agents) {
            Http.ok(Http.get(url + "/agent-execution/executions/history/" + agent, apiKey), "simulator list")
                    .forEach(t -> ids.add(t.path("id").asText()));
        }
        if (ids.isEmpty()) {
            return 0;
        }
        long until = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLong requests = new AtomicLong();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t;
            Thread th = new Thread(() -> {
                try {
                    for (int i = offset; System.nanoTime() < until && failure.get() == null; i += 4) {
                        String path = i % 500 == 0
                                ? "/agent-execution/executions/history/" + agents.get(i / 500 % agents.size())
                                : "/agent-execution/" + ids.get(i % ids.size()) + "/status";
                        Http.ok(Http.get(url + path, apiKey), "simulator warm-up");
                        requests.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "simulator-warm-up-" + t);
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        resetCounters();
        return requests.get();
    }

    JsonNode counters() {
        return Http.ok(Http.get(admin + "/counters", null), "simulator counters").path("routes");
    }

    void resetCounters() {
        Http.ok(Http.post(admin + "/counters/reset", null, null, Duration.ofSeconds(30)), "simulator reset");
    }

    /** Edits the title of {@code fraction} of the tasks; returns the changed ids. */
    List<String> change(double fraction, long seed) {
        JsonNode r = Http.ok(Http.post(admin + "/change?fraction=" + fraction + "&seed=" + seed, null, null,
                Duration.ofMinutes(5)), "simulator change");
        List<String> ids = new ArrayList<>();
        r.path("changed").forEach(n -> ids.add(n.asText()));
        return ids;
    }

    /** GET requests per id since the last reset, and the total in "get_total". */
    JsonNode getCounts(List<String> ids) {
        try {
            return Http.ok(Http.post(admin + "/get-counts", null, Http.JSON.writeValueAsString(ids),
                    Duration.ofMinutes(1)), "simulator get counts");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode unfinishedTasks() {
        return Http.ok(Http.get(admin + "/tasks?unfinished=true", null), "simulator tasks");
    }

    void finish(String id) {
        Http.ok(Http.post(admin + "/finish?id=" + id + "&status=completed", null, null, Duration.ofSeconds(30)),
                "simulator finish");
    }

    long rssKb() {
        return Proc.rssKb(process.pid())[0];
    }

    @Override
    public void close() throws InterruptedException {
        Proc.stop(process, 10);
    }
}
