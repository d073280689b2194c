package dev.taskmirror.query;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * Streams every task matching a filter as NDJSON or CSV straight from a server-side cursor: rows are
 * fetched in batches and written as they come, so memory stays flat however large the export.
 */
@ApplicationScoped
public class TaskExporter {

    static final int FETCH_SIZE = 500;

    /** CSV columns of the default view. */
    static final List<String> CSV_COLUMNS = List.of("id", "agent_id", "status", "internal_status", "title", "source",
            "user_id", "parent_task_id", "triggering_agent_id", "output_format", "is_manually_stopped", "created_at",
            "started_at", "finished_at", "updated_at", "prompt_tokens", "completion_tokens", "total_tokens",
            "sync_state", "result");

    public enum Format {
        NDJSON, CSV
    }

    private final AgroalDataSource dataSource;

    TaskExporter(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void export(TaskFilter filter, SortSpec sort, TaskView view, Format format, OutputStream out) {
        SqlWhere where = SqlWhere.of(filter);
        String dir = sort.descending() ? " desc" : " asc";
        String select = format == Format.NDJSON || view.kind() == TaskView.Kind.FIELDS
                ? view.select(where)
                : String.join(", ", CSV_COLUMNS.stream().map(c -> "t." + c).toList());
        // With full-text search, collect matches through the GIN index rather than walking the ordered index.
        String order = filter.q() == null ? "t." + sort.field() : "(t." + sort.field() + " + interval '0 s')";
        String sql = "select " + select + " from task t" + where.sql() + " order by " + order + dir + ", t.id" + dir;
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (PreparedStatement ps = where.prepare(c, sql)) {
                ps.setFetchSize(FETCH_SIZE);
                Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
                try (ResultSet rs = ps.executeQuery()) {
                    if (format == Format.NDJSON) {
                        while (rs.next()) {
                            w.write(rs.getString(1));
                            w.write('\n');
                        }
                    } else if (view.kind() == TaskView.Kind.FIELDS) {
                        writeFieldsCsv(rs, view.fields(), w);
                    } else {
                        writeCsv(rs, w);
                    }
                }
                w.flush();
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Export failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeCsv(ResultSet rs, Writer w) throws SQLException, IOException {
        w.write(String.join(",", CSV_COLUMNS));
        w.write("\r\n");
        while (rs.next()) {
            for (int i = 1; i <= CSV_COLUMNS.size(); i++) {
                if (i > 1) {
                    w.write(',');
                }
                Object v = rs.getObject(i);
                if (v instanceof Timestamp ts) {
                    v = dev.taskmirror.common.Timestamps.format(ts.toInstant());
                } else if (v instanceof OffsetDateTime odt) {
                    v = dev.taskmirror.common.Timestamps.format(odt.toInstant());
                }
                w.write(cell(v == null ? "" : v.toString()));
            }
            w.write("\r\n");
        }
    }

    private static void writeFieldsCsv(ResultSet rs, List<String> fields, Writer w) throws SQLException, IOException {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        w.write(String.join(",", fields));
        w.write("\r\n");
        while (rs.next()) {
            com.fasterxml.jackson.databind.JsonNode doc = mapper.readTree(rs.getString(1));
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    w.write(',');
                }
                com.fasterxml.jackson.databind.JsonNode v = doc.get(fields.get(i));
                String text = v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
                w.write(cell(text));
            }
            w.write("\r\n");
        }
    }

    /**
     * RFC 4180 quoting; a cell that a spreadsheet would evaluate as a formula is prefixed with a quote
     * (CSV injection).
     */
    static String cell(String s) {
        String v = s;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0
                || v.indexOf('\'') == 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
