package dev.taskmirror.query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import dev.taskmirror.common.RawJson;

/**
 * Reads served tasks straight from PostgreSQL: the served JSON (remote document, pending local saves,
 * {@code updated_at} and the {@code mirror} section) is composed by the database, so the service only
 * streams text. Lists use keyset paging on (sort column, id), whose cost does not grow with depth.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class TaskQueries {

    /** The served document of task row {@code t}, as jsonb. */
    public static final String SERVED = """
            (t.document || coalesce(t.overlay, '{}'::jsonb) || jsonb_build_object(
                'updated_at', to_char(t.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'mirror', jsonb_build_object(
                    'version', t.version,
                    'sync_state', t.sync_state,
                    'synced_at', to_char(t.synced_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                    'sync_error', t.sync_error,
                    'conflicts', t.conflicts,
                    'deleted', t.deleted_at is not null,
                    'deleted_at', to_char(t.deleted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                    'deletion_reason', t.deletion_reason,
                    'redacted', coalesce(t.redacted_paths, '[]'::jsonb))))""";

    private final EntityManager em;
    private final Cursors cursors;

    TaskQueries(EntityManager em, Cursors cursors) {
        this.em = em;
        this.cursors = cursors;
    }

    public Optional<ServedTask> get(String id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select t.id, t.version, " + SERVED + "::text from task t where t.id = ?1")
                .setParameter(1, id)
                .getResultList();
        return rows.stream().findFirst()
                .map(r -> new ServedTask((String) r[0], ((Number) r[1]).longValue(), new RawJson((String) r[2])));
    }

    public TaskPage list(TaskFilter filter, SortSpec sort, int limit, String cursor) {
        String queryHash = filter.hash(sort);
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder(" where true");
        where(filter, where, params);
        String column = "t." + sort.field();
        String micros = "(extract(epoch from " + column + ") * 1000000)::bigint";
        if (cursor != null && !cursor.isBlank()) {
            Cursors.Position p = cursors.decode(cursor, queryHash);
            String cmp = sort.descending() ? "<" : ">";
            String at = "(timestamptz 'epoch' + ?" + (params.size() + 1) + " * interval '1 microsecond')";
            if (p.value() == null) {
                where.append(" and ").append(column).append(" is null and t.id ").append(cmp).append(" ?")
                        .append(params.size() + 1);
                params.add(p.id());
            } else if (!sort.nullable()) {
                params.add(p.value());
                where.append(" and (").append(column).append(", t.id) ").append(cmp).append(" (").append(at)
                        .append(", ?").append(params.size() + 1).append(")");
                params.add(p.id());
            } else {
                params.add(p.value());
                int vi = params.size();
                params.add(p.id());
                int ii = params.size();
                String atv = "(timestamptz 'epoch' + ?" + vi + " * interval '1 microsecond')";
                where.append(" and (").append(column).append(" ").append(cmp).append(" ").append(atv)
                        .append(" or (").append(column).append(" = ").append(atv).append(" and t.id ").append(cmp)
                        .append(" ?").append(ii).append(") or ").append(column).append(" is null)");
            }
        }
        String dir = sort.descending() ? " desc" : " asc";
        String sql = "select t.id, t.version, " + SERVED + "::text, " + micros + " from task t" + where
                + " order by " + column + dir + " nulls last, t.id" + dir + " limit " + (limit + 1);
        Query q = em.createNativeQuery(sql);
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = q.getResultList();
        List<RawJson> items = new ArrayList<>(Math.min(rows.size(), limit));
        String next = null;
        for (int i = 0; i < rows.size() && i < limit; i++) {
            items.add(new RawJson((String) rows.get(i)[2]));
        }
        if (rows.size() > limit) {
            Object[] last = rows.get(limit - 1);
            Long value = last[3] == null ? null : ((Number) last[3]).longValue();
            next = cursors.encode(queryHash, new Cursors.Position(value, (String) last[0]));
        }
        return new TaskPage(items, next);
    }

    static void where(TaskFilter f, StringBuilder where, List<Object> params) {
        if (!f.includeDeleted()) {
            where.append(" and t.deleted_at is null");
        }
        in(where, params, "t.agent_id", f.agentIds());
        in(where, params, "t.status", f.statuses());
        eq(where, params, "t.user_id", f.userId());
        eq(where, params, "t.parent_task_id", f.parentTaskId());
        eq(where, params, "t.triggering_agent_id", f.triggeringAgentId());
        range(where, params, "t.created_at", ">=", f.createdAfter());
        range(where, params, "t.created_at", "<", f.createdBefore());
    }

    static void in(StringBuilder where, List<Object> params, String column, List<String> values) {
        if (values == null || values.isEmpty()) {
            return;
        }
        where.append(" and ").append(column).append(" in (");
        for (int i = 0; i < values.size(); i++) {
            params.add(values.get(i));
            where.append(i == 0 ? "" : ", ").append('?').append(params.size());
        }
        where.append(')');
    }

    static void eq(StringBuilder where, List<Object> params, String column, String value) {
        if (value != null) {
            params.add(value);
            where.append(" and ").append(column).append(" = ?").append(params.size());
        }
    }

    static void range(StringBuilder where, List<Object> params, String column, String op, Instant value) {
        if (value != null) {
            params.add(OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
            where.append(" and ").append(column).append(' ').append(op).append(" ?").append(params.size());
        }
    }
}
