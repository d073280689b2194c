package bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Captures the SQL the service runs for each benchmark request from PostgreSQL's own log: logging of every
 * statement ({@code log_min_duration_statement = 0}) is switched on for the benchmark role in the benchmark
 * database only ({@code ALTER ROLE ... IN DATABASE ... SET}), a separate short-lived service instance serves
 * each request several times between marker statements, and the statements (with their parameters) logged
 * between the markers of the last repetition are the ones of one request in steady state.
 */
final class SqlCapture {

    /** One executed statement: SQL with $n placeholders and the parameter values (null = SQL NULL). */
    record Stmt(String sql, List<String> params) {
    }

    private static final Pattern ENTRY = Pattern.compile(
            "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)? \\S+ \\[(\\d+)\\] (\\S*)@(\\S*) ([A-Z]+):  (.*)$");
    private static final Pattern EXECUTE = Pattern.compile("^duration: [\\d.]+ ms  execute [^:]+: (.*)$",
            Pattern.DOTALL);
    private static final Pattern PARAM = Pattern.compile("\\$(\\d+) = (NULL|'((?:[^']++|'')*+)')");
    private static final Pattern MARKER = Pattern.compile("^select 'bench-capture:([a-z0-9]+):(\\d+)'$");

    static final int REPEAT = 6;

    /** The next_cursor of the first page, used for the "{cursor}" placeholder of a request path. */
    static String captureCursor;

    private SqlCapture() {
    }

    /**
     * Serves {@code requests} (key to path) {@link #REPEAT} times each through a fresh service instance with
     * statement logging on, and returns the statements of the last repetition per key.
     */
    static Map<String, List<Stmt>> capture(Options o, Map<String, String> requests, Map<String, String> env,
            Map<String, Object> report) throws Exception {
        Path logFile = o.pgLog;
        if (!Files.isReadable(logFile)) {
            throw new IllegalStateException("PostgreSQL log " + logFile + " is not readable (set --pg-log)");
        }
        long offset = Files.size(logFile);
        try (Connection su = Db.superuser(o, o.db)) {
            Db.exec(su, "alter role taskmirror in database " + o.db + " set log_min_duration_statement = 0");
        }
        try {
            Map<String, String> captureEnv = new LinkedHashMap<>(env);
            // Only request work in the log: no relay polls, no metrics refresh.
            captureEnv.put("MIRROR_OUTBOX_ENABLED", "false");
            captureEnv.put("MIRROR_METRICS_REFRESH_INTERVAL", "1h");
            try (Service svc = Service.start(o, "capture", captureEnv); Connection marker = Db.app(o, o.db)) {
                report.put("capture_ready_ms", svc.readyMs);
                captureCursor = Http.ok(Http.get(svc.baseUrl + "/tasks?limit=50", o.apiKey), "first page")
                        .path("next_cursor").asText();
                for (Map.Entry<String, String> e : requests.entrySet()) {
                    String path = e.getValue().replace("{cursor}", captureCursor);
                    for (int i = 0; i < REPEAT; i++) {
                        Db.exec(marker, "select 'bench-capture:" + e.getKey() + ":" + i + "'");
                        Http.Response r = Http.get(svc.baseUrl + path, o.apiKey);
                        if (r.status() != 200) {
                            throw new IllegalStateException(path + " answered " + r.status() + ": " + r.body());
                        }
                    }
                }
                Db.exec(marker, "select 'bench-capture:end:0'");
            }
        } finally {
            try (Connection su = Db.superuser(o, o.db)) {
                Db.exec(su, "alter role taskmirror in database " + o.db + " reset log_min_duration_statement");
            }
        }
        Thread.sleep(500);
        String text;
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            f.seek(offset);
            byte[] bytes = new byte[(int) (f.length() - offset)];
            f.readFully(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        return segment(parse(text, o.db), report);
    }

    private record Entry(String pid, String user, String db, String level, String text) {
    }

    private static List<Entry> parse(String text, String db) {
        List<Entry> entries = new ArrayList<>();
        String pid = null, user = null, database = null, level = null;
        StringBuilder sb = null;
        for (String line : text.split("\n", -1)) {
            Matcher m = ENTRY.matcher(line);
            if (m.matches()) {
                if (sb != null) {
                    entries.add(new Entry(pid, user, database, level, sb.toString()));
                }
                pid = m.group(1);
                user = m.group(2);
                database = m.group(3);
                level = m.group(4);
                sb = new StringBuilder(m.group(5));
            } else if (sb != null && line.startsWith("\t")) {
                sb.append('\n').append(line.substring(1));
            }
        }
        if (sb != null) {
            entries.add(new Entry(pid, user, database, level, sb.toString()));
        }
        return entries.stream().filter(e -> db.equals(e.db()) && "taskmirror".equals(e.user())).toList();
    }

    private static Map<String, List<Stmt>> segment(List<Entry> entries, Map<String, Object> report) {
        Map<String, List<List<Stmt>>> byKey = new LinkedHashMap<>();
        int background = 0;
        String key = null;
        String markerPid = null;
        List<Stmt> current = null;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (!e.level().equals("LOG")) {
                continue;
            }
            Matcher x = EXECUTE.matcher(e.text());
            if (!x.matches()) {
                continue;
            }
            String sql = x.group(1);
            Matcher mk = MARKER.matcher(sql.trim());
            if (mk.matches()) {
                key = mk.group(1);
                markerPid = e.pid();
                current = new ArrayList<>();
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(current);
                continue;
            }
            if (current == null || e.pid().equals(markerPid)) {
                continue;
            }
            // The read path only reads: writes and row locks come from background work running meanwhile
            // (for instance a re-derivation after a migration) and are not part of the request.
            if (!isRead(sql)) {
                background++;
                continue;
            }
            List<String> params = new ArrayList<>();
            if (i + 1 < entries.size() && entries.get(i + 1).level().equals("DETAIL")
                    && entries.get(i + 1).pid().equals(e.pid()) && entries.get(i + 1).text().startsWith("parameters: ")) {
                Matcher pm = PARAM.matcher(entries.get(i + 1).text());
                while (pm.find()) {
                    int n = Integer.parseInt(pm.group(1));
                    while (params.size() < n) {
                        params.add(null);
                    }
                    params.set(n - 1, pm.group(2).equals("NULL") ? null : pm.group(3).replace("''", "'"));
                }
            }
            current.add(new Stmt(sql, params));
        }
        Map<String, List<Stmt>> out = new LinkedHashMap<>();
        Map<String, Object> stable = new LinkedHashMap<>();
        byKey.forEach((k, reps) -> {
            if (k.equals("end") || reps.isEmpty()) {
                return;
            }
            List<Stmt> last = reps.get(reps.size() - 1);
            out.put(k, last);
            boolean same = reps.size() >= 2 && sqlOf(reps.get(reps.size() - 2)).equals(sqlOf(last));
            stable.put(k, same);
        });
        report.put("capture_stable_between_last_two_repetitions", stable);
        report.put("capture_ignored_background_statements", background);
        return out;
    }

    /**
     * A plain query: SELECT (or WITH ... SELECT) without row locks, or the EXPLAIN (without ANALYZE) of one,
     * through which the read path asks the planner for an estimate.
     */
    static boolean isRead(String sql) {
        String s = sql.trim().toLowerCase(java.util.Locale.ROOT);
        if (isEstimate(s)) {
            s = s.substring(s.indexOf(')') + 1).trim();
        }
        return (s.startsWith("select") || s.startsWith("with") || s.startsWith("(select"))
                && !s.matches("(?s).*\\bfor (update|share|no key update|key share)\\b.*")
                && !s.matches("(?s).*\\b(insert|update|delete)\\b\\s+(into|\\w+\\s+set|from)\\b.*");
    }

    private static List<String> sqlOf(List<Stmt> stmts) {
        return stmts.stream().map(Stmt::sql).toList();
    }

    /** An EXPLAIN that plans without running: {@code explain (format json) select ...}. */
    static boolean isEstimate(String sql) {
        String s = sql.trim().toLowerCase(java.util.Locale.ROOT);
        return s.startsWith("explain (") && s.indexOf(')') > 0
                && !s.substring(0, s.indexOf(')')).matches("(?s).*\\banaly[sz]e\\b.*");
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of a captured statement with its captured parameters. */
    static String explain(Connection c, Stmt s) {
        if (!isRead(s.sql())) {
            return "not explained (not a plain query)";
        }
        if (isEstimate(s.sql())) {
            return "not explained (the planner's estimate: planning only, nothing is read)";
        }
        String sql = s.sql().replaceAll("\\$\\d+", "?");
        List<Integer> order = new ArrayList<>();
        Matcher m = Pattern.compile("\\$(\\d+)").matcher(s.sql());
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)));
        }
        try (PreparedStatement ps = c.prepareStatement("explain (analyze, buffers) " + sql)) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            for (int i = 0; i < order.size(); i++) {
                String v = s.params().get(order.get(i) - 1);
                if (v == null) {
                    ps.setNull(i + 1, Types.OTHER);
                } else {
                    ps.setObject(i + 1, v, Types.OTHER);
                }
            }
            StringBuilder sb = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('\n');
                }
            }
            return sb.toString();
        } catch (Exception e) {
            return "explain failed: " + e.getMessage();
        } finally {
            try {
                c.rollback();
                c.setReadOnly(false);
                c.setAutoCommit(true);
            } catch (java.sql.SQLException ignored) {
                // the connection is closed by the caller
            }
        }
    }

    // ===================================================================================== pgbench scripts

    /** How one parameter value is produced in a pgbench script. */
    record Binding(String expression, String setLine) {
    }

    /**
     * A pgbench script body for the statements of one request: each $n becomes the expression chosen by
     * {@code bind} for its value (a pgbench variable, so that -M prepared sends it as a parameter like the
     * service does), values without a binding become -D variables. Returns the body and the -D definitions.
     */
    static Map.Entry<String, List<String>> script(String key, List<Stmt> stmts,
            java.util.function.Function<String, Binding> bind) {
        StringBuilder body = new StringBuilder();
        List<String> defines = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        for (int s = 0; s < stmts.size(); s++) {
            Stmt st = stmts.get(s);
            Map<Integer, String> expr = new LinkedHashMap<>();
            for (int k = 0; k < st.params().size(); k++) {
                String v = st.params().get(k);
                Binding b = v == null ? new Binding("null", null) : bind.apply(v);
                if (b == null) {
                    String var = key + "_s" + (s + 1) + "_p" + (k + 1);
                    defines.add(var + "=" + v);
                    b = new Binding(":" + var, null);
                }
                if (b.setLine() != null && !sets.contains(b.setLine())) {
                    sets.add(b.setLine());
                }
                expr.put(k + 1, b.expression());
            }
            Matcher m = Pattern.compile("\\$(\\d+)").matcher(st.sql());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(expr.get(Integer.parseInt(m.group(1)))));
            }
            m.appendTail(out);
            sql.append(out.toString().trim()).append(";\n");
        }
        for (String set : sets) {
            body.append(set).append('\n');
        }
        body.append(sql);
        return Map.entry(body.toString(), defines);
    }
}
