package bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The two load generators, at the same fixed concurrency: wrk against the service, pgbench against PostgreSQL. */
final class Load {

    private Load() {
    }

    /** wrk with bench/wrk/queries.lua; figures in requests/s and milliseconds. */
    static ObjectNode wrk(Options o, Service svc, String query, Map<String, String> env, int seconds)
            throws IOException, InterruptedException {
        Path lua = o.project.resolve("bench/wrk/queries.lua").toAbsolutePath();
        List<String> cmd = List.of("wrk", "-t", String.valueOf(Math.min(2, o.concurrency)), "-c",
                String.valueOf(o.concurrency), "-d", seconds + "s", "--timeout", "30s", "-s", lua.toString(),
                svc.baseUrl);
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("BENCH_QUERY", query);
        long cpu0 = Proc.cpuMs(svc.process.pid());
        String load0 = Proc.loadAverage();
        long[] machine0 = Proc.machineTicks();
        Proc.Result r = Proc.run(cmd, e, seconds + 120L);
        long[] machine1 = Proc.machineTicks();
        long cpu1 = Proc.cpuMs(svc.process.pid());
        Matcher m = Pattern.compile("^BENCH (\\{.*\\})$", Pattern.MULTILINE).matcher(r.out());
        if (r.exit() != 0 || !m.find()) {
            throw new IllegalStateException("wrk failed: " + r.out());
        }
        JsonNode b = Http.JSON.readTree(m.group(1));
        ObjectNode out = Http.JSON.createObjectNode();
        double secs = b.path("duration_us").asDouble() / 1e6;
        long requests = b.path("requests").asLong();
        long errors = b.path("errors_connect").asLong() + b.path("errors_read").asLong()
                + b.path("errors_write").asLong() + b.path("errors_status").asLong() + b.path("errors_timeout").asLong();
        out.put("throughput", round(requests / secs, 1));
        out.put("requests", requests);
        out.put("errors", errors);
        out.put("p50_ms", ms(b.path("p50_us").asLong()));
        out.put("p90_ms", ms(b.path("p90_us").asLong()));
        out.put("p99_ms", ms(b.path("p99_us").asLong()));
        out.put("max_ms", ms(b.path("max_us").asLong()));
        out.put("mean_ms", round(b.path("mean_us").asDouble() / 1000, 3));
        out.put("bytes_per_request", requests == 0 ? 0 : b.path("bytes").asLong() / requests);
        out.put("service_cpu_ms_per_request", requests == 0 || cpu0 < 0 ? -1 : round((cpu1 - cpu0) / (double) requests, 3));
        out.put("load_before", load0);
        machine(out, machine0, machine1);
        return out;
    }

    private static void machine(ObjectNode out, long[] before, long[] after) {
        double[] idle = Proc.idleAndIowait(before, after);
        out.put("machine_idle_pct", idle[0]);
        out.put("machine_iowait_pct", idle[1]);
    }

    /** pgbench -M prepared with per-transaction logging for the latency percentiles. */
    static ObjectNode pgbench(Options o, List<Path> scripts, List<String> defines, int seconds, Path logDir)
            throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        String prefix = logDir.resolve("pgbench").toString();
        List<String> cmd = new ArrayList<>(List.of("pgbench", "-h", o.pgHost, "-p", String.valueOf(o.pgPort), "-U",
                "taskmirror", "-n", "-M", "prepared", "-c", String.valueOf(o.concurrency), "-j",
                String.valueOf(Math.min(2, o.concurrency)), "-T", String.valueOf(seconds), "-l", "--log-prefix=" + prefix));
        for (String d : defines) {
            cmd.add("-D");
            cmd.add(d);
        }
        for (Path s : scripts) {
            cmd.add("-f");
            cmd.add(s.toAbsolutePath().toString());
        }
        cmd.add(o.db);
        String load0 = Proc.loadAverage();
        long[] machine0 = Proc.machineTicks();
        Proc.Result r = Proc.run(cmd, Map.of("PGPASSWORD", "taskmirror"), seconds + 120L);
        long[] machine1 = Proc.machineTicks();
        Matcher tps = Pattern.compile("tps = ([\\d.]+) \\(without initial connection time\\)").matcher(r.out());
        if (r.exit() != 0 || !tps.find()) {
            throw new IllegalStateException("pgbench failed: " + r.out());
        }
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(r.out());
        long[] lat = latencies(logDir);
        ObjectNode out = Http.JSON.createObjectNode();
        out.put("throughput", round(Double.parseDouble(tps.group(1)), 1));
        out.put("transactions", lat.length);
        out.put("errors", failed.find() ? Long.parseLong(failed.group(1)) : 0);
        out.put("p50_ms", ms(pct(lat, 50)));
        out.put("p90_ms", ms(pct(lat, 90)));
        out.put("p99_ms", ms(pct(lat, 99)));
        out.put("max_ms", ms(lat.length == 0 ? 0 : lat[lat.length - 1]));
        out.put("load_before", load0);
        machine(out, machine0, machine1);
        return out;
    }

    /** Latencies (microseconds, sorted) from pgbench's per-transaction logs; the logs are deleted. */
    private static long[] latencies(Path dir) throws IOException {
        List<long[]> parts = new ArrayList<>();
        int total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "pgbench.*")) {
            for (Path f : files) {
                long[] buf = new long[1 << 16];
                int n = 0;
                try (BufferedReader in = Files.newBufferedReader(f)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        String[] fields = line.split(" ");
                        if (fields.length < 3) {
                            continue;
                        }
                        if (n == buf.length) {
                            buf = Arrays.copyOf(buf, n * 2);
                        }
                        buf[n++] = Long.parseLong(fields[2]);
                    }
                }
                parts.add(Arrays.copyOf(buf, n));
                total += n;
                Files.delete(f);
            }
        }
        long[] all = new long[total];
        int i = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, i, p.length);
            i += p.length;
        }
        Arrays.sort(all);
        return all;
    }

    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static double ms(long micros) {
        return round(micros / 1000.0, 3);
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
