package dev.taskmirror.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.common.RawJson;
import io.agroal.api.AgroalDataSource;

/**
 * Reads served tasks straight from PostgreSQL: the response JSON (remote document, pending local saves,
 * {@code updated_at} and the {@code mirror} section, or a view of it) is composed by the database, so the
 * service streams text and never re-parses documents. Lists use keyset paging on (sort column, id),
 * whose cost does not grow with depth.
 * <p>
 * Plain JDBC on the datasource (no ORM session, no transaction or request context per call): these are
 * single read statements in autocommit, and the driver keeps them server-prepared per connection. Inside a
 * caller's transaction the datasource hands out that transaction's connection.
 */
@ApplicationScoped
public class TaskQueries {

    /** Counts above this are reported as the planner's estimate instead of being counted exactly. */
    static final int EXACT_COUNT_CAP = 10_000;

    private static final String GET_SQL = "select t.id, t.version, " + TaskView.SERVED
            + "::text, t.status, t.deleted_at is not null from task t where t.id = ?";

    private static final String GET_MANY_SQL = GET_SQL.replace("t.id = ?", "t.id = any(?)");

    private final AgroalDataSource dataSource;
    private final Cursors cursors;
    private final ObjectMapper mapper;

    TaskQueries(AgroalDataSource dataSource, Cursors cursors, ObjectMapper mapper) {
        this.dataSource = dataSource;
        this.cursors = cursors;
        this.mapper = mapper;
    }

    public Optional<ServedTask> get(String id) {
        return Optional.ofNullable(getAll(List.of(id)).get(id));
    }

    /**
     * The tasks of these ids that exist, by id. One id is the primary-key statement that pgbench measures in the
     * benchmark; several are one statement over the same index ({@link ReadPool} batches concurrent reads).
     */
    public Map<String, ServedTask> getAll(List<String> ids) {
        boolean one = ids.size() == 1;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(one ? GET_SQL : GET_MANY_SQL)) {
            if (one) {
                ps.setString(1, ids.get(0));
            } else {
                ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            }
            Map<String, ServedTask> found = new HashMap<>(one ? 2 : ids.size() * 2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ServedTask t = new ServedTask(rs.getString(1), rs.getLong(2), new RawJson(rs.getString(3)),
                            rs.getString(4), rs.getBoolean(5));
                    found.put(t.id(), t);
                }
            }
            return found;
        } catch (SQLException e) {
            throw failed(e);
        }
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
        if (filter.q() != null && fewMatches(filter)) {
            orderColumn = "(" + column + " + interval '0 s')";
        }
        if (cursor != null && !cursor.isBlank()) {
            keyset(where, column, sort, cursors.decode(cursor, queryHash));
        }
        String dir = sort.descending() ? " desc" : " asc";
        String sql = "select t.id, " + view.select(where) + ", (extract(epoch from " + column
                + ") * 1000000)::bigint from task t" + where.sql() + " order by " + orderColumn + dir + ", t.id" + dir
                + " limit " + (limit + 1);
        List<RawJson> items = new ArrayList<>(Math.min(limit, 64));
        String lastId = null;
        Long lastValue = null;
        boolean more = false;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = where.prepare(c, sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                lastId = rs.getString(1);
                items.add(new RawJson(rs.getString(2)));
                long v = rs.getLong(3);
                lastValue = rs.wasNull() ? null : v;
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        String next = more ? cursors.encode(queryHash, new Cursors.Position(lastValue, lastId)) : null;
        return new TaskPage(items, next, total, estimate, filter.ids().isEmpty() ? null : missing(filter.ids()));
    }

    /** The ids that are not mirrored at all. */
    public List<String> missing(List<String> ids) {
        SqlWhere w = SqlWhere.of(TaskFilter.builder().ids(ids).includeDeleted(true).build());
        java.util.Set<String> present = new java.util.HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = w.prepare(c, "select t.id from task t"
                + w.sql()); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                present.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw failed(e);
        }
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

    /**
     * Whether a full-text filter matches fewer than {@link #FTS_BITMAP_LIMIT} tasks (then they are collected
     * and sorted). Counting costs a heap visit per match, so a search on one word and nothing else, whose
     * estimate PostgreSQL takes from the column's most-common-lexeme statistics, is decided by the estimate
     * when it is clearly on one side (a factor of 2); anything else is counted.
     */
    private boolean fewMatches(TaskFilter filter) {
        if (SINGLE_WORD.matcher(filter.q()).matches()) {
            SqlWhere w = SqlWhere.of(filter);
            SqlWhere qOnly = SqlWhere.of(TaskFilter.builder().q(filter.q()).includeDeleted(filter.includeDeleted())
                    .build());
            if (w.sql().equals(qOnly.sql())) {
                long estimated = estimate(w);
                if (estimated >= 2L * FTS_BITMAP_LIMIT) {
                    return false;
                }
                if (estimated >= 0 && 2 * estimated < FTS_BITMAP_LIMIT) {
                    return true;
                }
            }
        }
        return matchesAtMost(filter, FTS_BITMAP_LIMIT);
    }

    /** One word of letters or digits: websearch_to_tsquery makes it a single lexeme (or none, a stop word). */
    private static final java.util.regex.Pattern SINGLE_WORD =
            java.util.regex.Pattern.compile("[\\p{L}\\p{N}]{1,100}");

    /** The planner's row estimate for tasks matching {@code where} (-1 if it cannot be read). */
    private long estimate(SqlWhere where) {
        try {
            JsonNode root = mapper.readTree(single(where, "explain (format json) select 1 from task t" + where.sql()));
            return root.get(0).get("Plan").get("Plan Rows").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    private boolean matchesAtMost(TaskFilter filter, int limit) {
        return countUpTo(filter, limit) < limit;
    }

    /** The number of matching tasks, counted up to {@code limit} (so the cost is bounded). */
    private long countUpTo(TaskFilter filter, int limit) {
        SqlWhere w = SqlWhere.of(filter);
        return Long.parseLong(single(w, "select count(*) from (select 1 from task t" + w.sql() + " limit " + limit
                + ") c"));
    }

    /** {count, 1 if estimated}: exact up to {@link #EXACT_COUNT_CAP}, the planner's estimate beyond. */
    public long[] count(TaskFilter filter) {
        long n = countUpTo(filter, EXACT_COUNT_CAP + 1);
        if (n <= EXACT_COUNT_CAP) {
            return new long[] { n, 0 };
        }
        return new long[] { Math.max(estimate(SqlWhere.of(filter)), EXACT_COUNT_CAP + 1L), 1 };
    }

    /** Bulk get: tasks in request order (deleted ones included, flagged in their mirror section). */
    public BatchResult batchGet(List<String> ids, TaskView view) {
        TaskFilter filter = TaskFilter.builder().ids(ids).includeDeleted(true).build();
        SqlWhere where = SqlWhere.of(filter);
        Map<String, RawJson> found = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = where.prepare(c, "select t.id, "
                + view.select(where) + " from task t" + where.sql()); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.put(rs.getString(1), new RawJson(rs.getString(2)));
            }
        } catch (SQLException e) {
            throw failed(e);
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

    /** The first column of the single row of a query. */
    private String single(SqlWhere where, String sql) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = where.prepare(c, sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private static IllegalStateException failed(SQLException e) {
        return new IllegalStateException("Task query failed: " + e.getMessage(), e);
    }
}
