package bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The benchmark of issue 6: bench/run.sh builds the service and the simulator, seeds, then runs this.
 * Writes bench/results/&lt;date&gt;-&lt;mode&gt;.json and .md (and a directory with the SQL, plans and cursors).
 */
public final class Bench {

    private static final long T0 = System.nanoTime();

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        // Interrupted (Ctrl-C, kill): stop the service and simulator processes this run started.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
                .forEach(ProcessHandle::destroy), "bench-cleanup"));
        Files.createDirectories(o.work);
        Files.createDirectories(o.results);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        String name = stamp + "-" + o.mode;
        Path runDir = o.results.resolve(name);
        Files.createDirectories(runDir);
        ObjectNode root = Http.JSON.createObjectNode();
        root.set("meta", meta(o));
        boolean failed = false;
        if (o.runs("query")) {
            failed |= part(root, "query", () -> QueryBench.run(o, root, runDir));
        }
        if (o.runs("sync") || o.runs("freshness")) {
            failed |= part(root, "sync", () -> SyncBench.run(o, root, runDir));
        }
        ((ObjectNode) root.get("meta")).put("load_average_end", Proc.loadAverage());
        ((ObjectNode) root.get("meta")).put("elapsed_s", (System.nanoTime() - T0) / 1_000_000_000);
        root.set("targets", Report.targets(root));
        Path json = o.results.resolve(name + ".json");
        Http.JSON.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), root);
        String md = Report.markdown(root, name);
        Files.writeString(o.results.resolve(name + ".md"), md);
        System.out.println();
        System.out.println(md);
        log("results: %s and %s", json, o.results.resolve(name + ".md"));
        if (failed) {
            System.exit(1);
        }
    }

    interface Part {
        void run() throws Exception;
    }

    private static boolean part(ObjectNode root, String name, Part p) {
        try {
            p.run();
            return false;
        } catch (Exception e) {
            log("%s benchmark failed: %s", name, e);
            e.printStackTrace();
            root.with("errors").put(name, String.valueOf(e));
            return true;
        }
    }

    private static ObjectNode meta(Options o) {
        ObjectNode m = Http.JSON.createObjectNode();
        m.put("date", Instant.now().toString());
        m.put("mode", o.mode);
        m.put("commit", o.commit);
        m.put("host", Proc.output(List.of("hostname")));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", Proc.output(List.of("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")));
        m.put("memory", Proc.output(List.of("sh", "-c", "grep MemTotal /proc/meminfo | awk '{print $2\" kB\"}'")));
        m.put("kernel", Proc.output(List.of("uname", "-r")));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("wrk", Proc.output(List.of("sh", "-c", "wrk -v 2>&1 | head -1")));
        m.put("pgbench", Proc.output(List.of("pgbench", "--version")));
        m.put("load_average_start", Proc.loadAverage());
        m.put("concurrent_processes_top_cpu", Proc.output(List.of("sh", "-c",
                "ps -eo pcpu,comm --sort=-pcpu | head -6 | tail -5 | tr -s ' ' | paste -sd ';'")));
        try (Connection c = Db.superuser(o, "postgres")) {
            m.put("postgresql", Db.one(c, "select version()"));
            ObjectNode s = m.putObject("postgresql_settings");
            for (var row : Db.rows(c, "select name, setting || coalesce(' ' || unit, '') as value from pg_settings "
                    + "where name in ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_connections', "
                    + "'synchronous_commit', 'fsync', 'jit', 'random_page_cost', 'max_parallel_workers_per_gather', "
                    + "'maintenance_work_mem') order by name")) {
                s.put(row.get("name"), row.get("value"));
            }
        } catch (Exception e) {
            m.put("postgresql", "unknown: " + e.getMessage());
        }
        return m;
    }

    static void log(String format, Object... args) {
        System.out.printf("[bench %5ds] %s%n", (System.nanoTime() - T0) / 1_000_000_000, String.format(format, args));
        System.out.flush();
    }
}
