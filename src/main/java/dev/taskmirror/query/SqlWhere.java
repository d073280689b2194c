package dev.taskmirror.query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Query;

import dev.taskmirror.attachment.AttachmentCategory;

/** A WHERE clause over task row {@code t} with positional parameters; values never enter the SQL text. */
final class SqlWhere {

    private final StringBuilder sql = new StringBuilder(" where true");
    private final List<Object> params = new ArrayList<>();

    static SqlWhere of(TaskFilter f) {
        return of(f, true);
    }

    /** The clause of every criterion but the full-text one ({@link #text} adds that where it belongs). */
    static SqlWhere withoutText(TaskFilter f) {
        return of(f, false);
    }

    private static SqlWhere of(TaskFilter f, boolean withText) {
        SqlWhere w = new SqlWhere();
        if (!f.includeDeleted()) {
            w.sql.append(" and t.deleted_at is null");
        }
        w.in("t.id", f.ids());
        w.in("t.agent_id", f.agentIds());
        w.in("t.status", f.statuses());
        w.eq("t.user_id", f.userId());
        w.eq("t.parent_task_id", f.parentTaskId());
        w.eq("t.triggering_agent_id", f.triggeringAgentId());
        w.in("t.source", f.sources());
        w.eq("t.internal_status", f.internalStatus());
        w.in("t.output_format", f.outputFormats());
        if (f.hasResult() != null) {
            w.sql.append(f.hasResult() ? " and t.result is not null" : " and t.result is null");
        }
        if (f.manuallyStopped() != null) {
            w.sql.append(" and t.is_manually_stopped = ").append(w.param(f.manuallyStopped()));
        }
        w.range("t.created_at", f.createdAfter(), f.createdBefore());
        w.range("t.updated_at", f.updatedAfter(), f.updatedBefore());
        w.range("t.finished_at", f.finishedAfter(), f.finishedBefore());
        if (withText && f.q() != null) {
            w.sql.append(" and ").append(w.text(f.q()));
        }
        if (f.hasAttachments() != null) {
            w.sql.append(f.hasAttachments() ? " and t.attachment_count > 0" : " and t.attachment_count = 0");
        }
        if (f.attachmentCategories() != null && !f.attachmentCategories().isEmpty()) {
            // Column names come from the enum, never from the request.
            w.sql.append(" and (").append(String.join(" or ", f.attachmentCategories().stream()
                    .map(c -> "t." + AttachmentCategory.fromWire(c).orElseThrow().column() + " > 0").toList()))
                    .append(')');
        }
        if (f.resultValid() != null) {
            // A literal, not a parameter: generic plans of prepared statements can then use the partial index.
            w.sql.append(f.resultValid() ? " and t.result_valid" : " and not t.result_valid");
        }
        return w;
    }

    /** The full-text condition on {@code q} (web-search syntax), with its parameter added to this clause. */
    String text(String q) {
        return "t.search @@ websearch_to_tsquery('english', " + param(q) + ")";
    }

    /** Adds a parameter and returns its placeholder. */
    String param(Object value) {
        params.add(value instanceof Instant i ? OffsetDateTime.ofInstant(i, ZoneOffset.UTC) : value);
        return "?" + params.size();
    }

    SqlWhere and(String condition) {
        sql.append(" and ").append(condition);
        return this;
    }

    String sql() {
        return sql.toString();
    }

    List<Object> params() {
        return params;
    }

    /**
     * For plain JDBC: rewrites the numbered placeholders ({@code ?3}) of {@code sql} into {@code ?} and binds
     * this clause's parameters in their order of appearance.
     */
    java.sql.PreparedStatement prepare(java.sql.Connection c, String sql) throws java.sql.SQLException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\?(\\d+)").matcher(sql);
        StringBuilder out = new StringBuilder();
        List<Object> ordered = new ArrayList<>();
        while (m.find()) {
            ordered.add(params.get(Integer.parseInt(m.group(1)) - 1));
            m.appendReplacement(out, "?");
        }
        m.appendTail(out);
        java.sql.PreparedStatement ps = c.prepareStatement(out.toString());
        for (int i = 0; i < ordered.size(); i++) {
            ps.setObject(i + 1, ordered.get(i));
        }
        return ps;
    }

    Query bind(Query q) {
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        return q;
    }

    private void in(String column, List<String> values) {
        if (values == null || values.isEmpty()) {
            return;
        }
        sql.append(" and ").append(column).append(" in (");
        for (int i = 0; i < values.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(param(values.get(i)));
        }
        sql.append(')');
    }

    private void eq(String column, String value) {
        if (value != null) {
            sql.append(" and ").append(column).append(" = ").append(param(value));
        }
    }

    private void range(String column, Instant after, Instant before) {
        if (after != null) {
            sql.append(" and ").append(column).append(" >= ").append(param(after));
        }
        if (before != null) {
            sql.append(" and ").append(column).append(" < ").append(param(before));
        }
    }
}
