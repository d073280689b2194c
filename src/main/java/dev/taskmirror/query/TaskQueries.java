package dev.taskmirror.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.common.RawJson;

/**
 * Reads served tasks straight from PostgreSQL: the response JSON (remote document, pending local saves,
 * {@code updated_at} and the {@code mirror} section, or a view of it) is composed by the database, so the
 * service streams text and never re-parses documents. Lists use keyset paging on (sort column, id),
 * whose cost does not grow with depth.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class TaskQueries {

    /** Counts above this are reported as the planner's estimate instead of being counted exactly. */
    static final int EXACT_COUNT_CAP = 10_000;

    private final EntityManager em;
    private final Cursors cursors;
    private final ObjectMapper mapper;

    TaskQueries(EntityManager em, Cursors cursors, ObjectMapper mapper) {
        this.em = em;
        this.cursors = cursors;
        this.mapper = mapper;
    }

    @ActivateRequestContext
    public Optional<ServedTask> get(String id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select t.id, t.version, " + TaskView.SERVED
                + "::text, t.status, t.deleted_at is not null from task t where t.id = ?1")
                .setParameter(1, id)
                .getResultList();
        return rows.stream().findFirst().map(r -> new ServedTask((String) r[0], ((Number) r[1]).longValue(),
                new RawJson((String) r[2]), (String) r[3], (Boolean) r[4]));
    }

    public TaskPage list(TaskFilter filter, SortSpec sort, TaskView view, int limit, String cursor,
            boolean includeTotal) {
        String queryHash = filter.hash(sort.field() + (sort.descending() ? ":desc" : ":asc"));
        SqlWhere where = SqlWhere.of(filter);
        Long total = null;
        Boolean estimate = null;
        if (includeTotal) {
            long[] t = count(filter);
            total = t[0];
            estimate = t[1] == 1;
        }
        String column = "t." + sort.field();
        // Full-text search: the planner misjudges how many rows match, so measure it. Few matches: collect
        // them through the GIN index and sort them (the expression keeps the planner off the ordered index).
        // Many: walk the ordered index and filter, which meets enough matches quickly.
        String orderColumn = column;
        if (filter.q() != null && matchesAtMost(filter, FTS_BITMAP_LIMIT)) {
            orderColumn = "(" + column + " + interval '0 s')";
        }
        if (cursor != null && !cursor.isBlank()) {
            keyset(where, column, sort, cursors.decode(cursor, queryHash));
        }
        String dir = sort.descending() ? " desc" : " asc";
        String sql = "select t.id, " + view.select(where) + ", (extract(epoch from " + column
                + ") * 1000000)::bigint from task t" + where.sql() + " order by " + orderColumn + dir + ", t.id" + dir
                + " limit " + (limit + 1);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = where.bind(em.createNativeQuery(sql)).getResultList();
        List<RawJson> items = new ArrayList<>(Math.min(rows.size(), limit));
        for (int i = 0; i < rows.size() && i < limit; i++) {
            items.add(new RawJson((String) rows.get(i)[1]));
        }
        String next = null;
        if (rows.size() > limit) {
            Object[] last = rows.get(limit - 1);
            Long value = last[2] == null ? null : ((Number) last[2]).longValue();
            next = cursors.encode(queryHash, new Cursors.Position(value, (String) last[0]));
        }
        return new TaskPage(items, next, total, estimate, filter.ids().isEmpty() ? null : missing(filter.ids()));
    }

    /** The ids that are not mirrored at all. */
    public List<String> missing(List<String> ids) {
        SqlWhere w = SqlWhere.of(TaskFilter.builder().ids(ids).includeDeleted(true).build());
        @SuppressWarnings("unchecked")
        List<String> found = w.bind(em.createNativeQuery("select t.id from task t" + w.sql())).getResultList();
        java.util.Set<String> present = new java.util.HashSet<>(found);
        return ids.stream().filter(id -> !present.contains(id)).toList();
    }

    /**
     * Rows after the cursor position. Nulls sort as the largest value (PostgreSQL's default: last ascending,
     * first descending), so one index on (column, id) serves both directions.
     */
    private static void keyset(SqlWhere where, String column, SortSpec sort, Cursors.Position p) {
        String cmp = sort.descending() ? "<" : ">";
        String id = where.param(p.id());
        if (p.value() == null) {
            where.and(sort.descending()
                    ? "((" + column + " is null and t.id < " + id + ") or " + column + " is not null)"
                    : "(" + column + " is null and t.id > " + id + ")");
            return;
        }
        String at = "(timestamptz 'epoch' + " + where.param(p.value()) + " * interval '1 microsecond')";
        if (!sort.nullable()) {
            where.and("(" + column + ", t.id) " + cmp + " (" + at + ", " + id + ")");
        } else if (sort.descending()) {
            where.and("(" + column + " < " + at + " or (" + column + " = " + at + " and t.id < " + id + "))");
        } else {
            where.and("(" + column + " > " + at + " or (" + column + " = " + at + " and t.id > " + id + ") or "
                    + column + " is null)");
        }
    }

    /** Below this many full-text matches, matching rows are collected and sorted rather than found in order. */
    static final int FTS_BITMAP_LIMIT = 5_000;

    private boolean matchesAtMost(TaskFilter filter, int limit) {
        SqlWhere w = SqlWhere.of(filter);
        long n = ((Number) w.bind(em.createNativeQuery("select count(*) from (select 1 from task t" + w.sql()
                + " limit " + limit + ") c")).getSingleResult()).longValue();
        return n < limit;
    }

    /** {count, 1 if estimated}: exact up to {@link #EXACT_COUNT_CAP}, the planner's estimate beyond. */
    public long[] count(TaskFilter filter) {
        SqlWhere where = SqlWhere.of(filter);
        long n = ((Number) where.bind(em.createNativeQuery("select count(*) from (select 1 from task t" + where.sql()
                + " limit " + (EXACT_COUNT_CAP + 1) + ") c")).getSingleResult()).longValue();
        if (n <= EXACT_COUNT_CAP) {
            return new long[] { n, 0 };
        }
        SqlWhere again = SqlWhere.of(filter);
        String plan = String.valueOf(again.bind(em.createNativeQuery("explain (format json) select 1 from task t"
                + again.sql())).getSingleResult());
        try {
            JsonNode root = mapper.readTree(plan);
            long estimated = root.get(0).get("Plan").get("Plan Rows").asLong();
            return new long[] { Math.max(estimated, EXACT_COUNT_CAP + 1L), 1 };
        } catch (Exception e) {
            return new long[] { EXACT_COUNT_CAP + 1L, 1 };
        }
    }

    /** Bulk get: tasks in request order (deleted ones included, flagged in their mirror section). */
    public BatchResult batchGet(List<String> ids, TaskView view) {
        TaskFilter filter = TaskFilter.builder().ids(ids).includeDeleted(true).build();
        SqlWhere where = SqlWhere.of(filter);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = where.bind(em.createNativeQuery("select t.id, " + view.select(where) + " from task t"
                + where.sql())).getResultList();
        Map<String, RawJson> found = new HashMap<>();
        for (Object[] r : rows) {
            found.put((String) r[0], new RawJson((String) r[1]));
        }
        List<RawJson> items = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            RawJson json = found.get(id);
            if (json == null) {
                missing.add(id);
            } else {
                items.add(json);
            }
        }
        return new BatchResult(items, missing);
    }
}
