package bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Process helpers: run a command to completion, stop a child, read /proc. */
final class Proc {

    private Proc() {
    }

    record Result(int exit, String out) {
    }

    /** Runs a command (stderr merged into stdout) and returns its output; fails on timeout. */
    static Result run(List<String> cmd, java.util.Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (env != null) {
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile("bench-cmd", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timeout: " + String.join(" ", cmd));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        return new Result(p.exitValue(), text);
    }

    static String output(List<String> cmd) {
        try {
            return run(cmd, null, 30).out().trim();
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    static void stop(Process p, int graceSeconds) throws InterruptedException {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {VmRSS, VmHWM} in kB. */
    static long[] rssKb(long pid) {
        long rss = -1, hwm = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            // process gone
        }
        return new long[] { rss, hwm };
    }

    /** Total CPU time (user + system) of a process in ms, from /proc/pid/stat. */
    static long cpuMs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The machine's CPU time so far from /proc/stat, in clock ticks: {all, idle, iowait}. Between two readings,
     * idle and iowait show whether a run kept the cores busy or waited for the disk (a page cache the host took
     * back, for instance).
     */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long all = 0;
            // user nice system idle iowait irq softirq steal (guest time is already in user)
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                all += Long.parseLong(f[i]);
            }
            return new long[] { all, Long.parseLong(f[4]), Long.parseLong(f[5]) };
        } catch (IOException | RuntimeException e) {
            return new long[] { -1, -1, -1 };
        }
    }

    /** Idle and iowait between two {@link #machineTicks()} readings, in % of all the machine's CPU time. */
    static double[] idleAndIowait(long[] before, long[] after) {
        long all = after[0] - before[0];
        if (before[0] < 0 || after[0] < 0 || all <= 0) {
            return new double[] { -1, -1 };
        }
        return new double[] { Load.round(100.0 * (after[1] - before[1]) / all, 1),
                Load.round(100.0 * (after[2] - before[2]) / all, 1) };
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
