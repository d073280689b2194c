package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged service (JVM mode, quarkus-run.jar) as a child process. */
final class Service implements AutoCloseable {

    final Process process;
    final String baseUrl;
    final Path log;
    final long readyMs;
    /** CPU time (user + system, all threads) the process had used when it became ready. */
    final long readyCpuMs;
    final List<String> command;

    private Service(Process process, String baseUrl, Path log, long readyMs, long readyCpuMs, List<String> command) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.log = log;
        this.readyMs = readyMs;
        this.readyCpuMs = readyCpuMs;
        this.command = command;
    }

    /** Environment common to every run: datasource, a client key for the local API, readable logs. */
    static Map<String, String> baseEnv(Options o, String database) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", o.jdbcUrl(database));
        env.put("QUARKUS_DATASOURCE_USERNAME", "taskmirror");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "taskmirror");
        env.put("QUARKUS_HTTP_PORT", String.valueOf(o.servicePort));
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        env.put("MIRROR_SECURITY_API_KEYS", "bench:read+write+admin:" + o.apiKey);
        env.put("MIRROR_API_CURSOR_SECRET", "bench-cursor-secret");
        return env;
    }

    /** Starts the service and waits until /q/health/ready answers 200; the time to that is {@link #readyMs}. */
    static Service start(Options o, String name, Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin());
        for (String opt : o.jvmOpts.trim().split("\\s+")) {
            if (!opt.isBlank()) {
                cmd.add(opt);
            }
        }
        if (System.getenv("BENCH_JFR") != null) {
            // Profiling aid: a flight recording per service instance (bench/.work/logs/<name>.jfr).
            cmd.add("-XX:StartFlightRecording=filename=" + o.work.resolve("logs").resolve(name + ".jfr").toAbsolutePath()
                    + ",settings=" + System.getenv("BENCH_JFR") + ",dumponexit=true");
        }
        if (System.getenv("BENCH_ASYNC_PROFILER") != null) {
            // Profiling aid with less overhead than JFR's profile settings: CPU samples of every thread, JIT and
            // GC included, as collapsed stacks per service instance (bench/.work/logs/<name>.collapsed).
            cmd.add("-agentpath:" + System.getenv("BENCH_ASYNC_PROFILER") + "=start,event=cpu,interval=1ms,file="
                    + o.work.resolve("logs").resolve(name + ".collapsed").toAbsolutePath() + ",collapsed");
        }
        cmd.add("-jar");
        cmd.add(o.app.resolve("quarkus-run.jar").toAbsolutePath().toString());
        Path log = o.work.resolve("logs").resolve(name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        o.serviceEnv.forEach(pb.environment()::put);
        String base = "http://127.0.0.1:" + env.getOrDefault("QUARKUS_HTTP_PORT", String.valueOf(o.servicePort));
        long t0 = System.nanoTime();
        Process p = pb.start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("service " + name + " exited with " + p.exitValue() + "; see " + log);
            }
            Http.Response r = Http.get(base + "/q/health/ready", null);
            if (r.status() == 200) {
                break;
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("service " + name + " not ready after 180 s; see " + log);
            }
            Thread.sleep(10);
        }
        long readyMs = (System.nanoTime() - t0) / 1_000_000;
        long cpuMs = Proc.cpuMs(p.pid());
        Bench.log("service %s ready in %d ms, %d ms of CPU (pid %d)", name, readyMs, cpuMs, p.pid());
        return new Service(p, base, log, readyMs, cpuMs, cmd);
    }

    /** "started in 1.234s" from the Quarkus start-up line, in ms (-1 if absent). */
    long quarkusStartedMs() {
        try {
            Matcher m = Pattern.compile("started in (\\d+\\.\\d+)s").matcher(Files.readString(log));
            return m.find() ? Math.round(Double.parseDouble(m.group(1)) * 1000) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Resident set size and its peak, in kB, from /proc. */
    long[] rssKb() {
        return Proc.rssKb(process.pid());
    }

    @Override
    public void close() throws InterruptedException {
        Proc.stop(process, 40);
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
