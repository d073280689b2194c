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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

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
    /** Searches by plan; a bounded walk that fell back to collecting counts under {@code bounded_walk_collected}. */
    private final Map<String, Counter> searches = new HashMap<>();

    TaskQueries(AgroalDataSource dataSource, Cursors cursors, ObjectMapper mapper, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.cursors = cursors;
        this.mapper = mapper;
        for (String plan : List.of("walk", "collect", "bounded_walk", "bounded_walk_collected")) {
            searches.put(plan, Counter.builder("mirror.api.search").tag("plan", plan)
                    .description("Full-text searches (list pages) by how the page was found").register(registry));
        }
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
        Long total = null;
        Boolean estimate = null;
        if (includeTotal) {
            long[] t = count(filter);
            total = t[0];
            estimate = t[1] == 1;
        }
        Cursors.Position after = cursor == null || cursor.isBlank() ? null : cursors.decode(cursor, queryHash);
        Rows rows = page(filter, sort, view, limit, after, filter.q() == null ? SearchPlan.WALK : searchPlan(filter));
        String next = rows.more() ? cursors.encode(queryHash, new Cursors.Position(rows.lastValue(), rows.lastId()))
                : null;
        return new TaskPage(rows.items(), next, total, estimate, filter.ids().isEmpty() ? null : missing(filter.ids()));
    }

    /** A page found the way {@code plan} says (every plan finds the same rows). */
    Rows page(TaskFilter filter, SortSpec sort, TaskView view, int limit, Cursors.Position after, SearchPlan plan) {
        if (filter.q() == null) {
            return plainPage(filter, sort, view, limit, after, false);
        }
        String counted = plan.name().toLowerCase(java.util.Locale.ROOT);
        Rows rows = switch (plan) {
            case WALK -> plainPage(filter, sort, view, limit, after, false);
            case COLLECT -> plainPage(filter, sort, view, limit, after, true);
            case BOUNDED_WALK -> {
                Rows walked = boundedPage(filter, sort, view, limit, after);
                if (walked.more()) {
                    yield walked;
                }
                // Fewer than a page among the rows walked: the matches are few (or lie further on), collect them.
                counted = "bounded_walk_collected";
                yield plainPage(filter, sort, view, limit, after, true);
            }
        };
        searches.get(counted).increment();
        return rows;
    }

    /**
     * A page in sort order. Walking the sort column's index stops after a page of rows that pass the filter;
     * {@code collect} finds every matching row first (the expression keeps the planner off the ordered index,
     * so a full-text filter goes through the GIN index) and sorts them.
     */
    private Rows plainPage(TaskFilter filter, SortSpec sort, TaskView view, int limit, Cursors.Position after,
            boolean collect) {
        SqlWhere where = SqlWhere.of(filter);
        String column = "t." + sort.field();
        if (after != null) {
            keyset(where, column, sort, after);
        }
        String dir = sort.descending() ? " desc" : " asc";
        String orderColumn = collect ? "(" + column + " + interval '0 s')" : column;
        return rows(where, "select t.id, " + view.select(where) + ", " + epochMicros(column) + " from task t"
                + where.sql() + " order by " + orderColumn + dir + ", t.id" + dir + " limit " + (limit + 1), limit);
    }

    /**
     * A page of full-text matches among the next {@link #walkRows} rows in sort order (every other criterion
     * applied): a page that ends early only means the matches are rarer than the walk expects.
     */
    Rows boundedPage(TaskFilter filter, SortSpec sort, TaskView view, int limit, Cursors.Position after) {
        SqlWhere where = SqlWhere.withoutText(filter);
        String column = "t." + sort.field();
        if (after != null) {
            keyset(where, column, sort, after);
        }
        String dir = sort.descending() ? " desc" : " asc";
        String order = " order by " + column + dir + ", t.id" + dir;
        return rows(where, "select t.id, " + view.select(where) + ", " + epochMicros(column)
                + " from (select t.* from task t" + where.sql() + order + " limit " + walkRows(limit) + ") t where "
                + where.text(filter.q()) + order + " limit " + (limit + 1), limit);
    }

    private static String epochMicros(String column) {
        return "(extract(epoch from " + column + ") * 1000000)::bigint";
    }

    /** Up to {@code limit} rows of a page statement that asks for one more, to know whether another page follows. */
    private Rows rows(SqlWhere where, String sql, int limit) {
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
        return new Rows(items, more, lastId, lastValue);
    }

    record Rows(List<RawJson> items, boolean more, String lastId, Long lastValue) {
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

    /** Below this many full-text matches, collecting and sorting them is cheaper than walking the ordered index. */
    static final int FTS_COLLECT_BELOW = 5_000;

    /**
     * A bounded walk reads this many rows per row of the page: it finds the page when at least one row in 200
     * matches (0.5 %, {@link #FTS_COLLECT_BELOW} matches in 1,000,000 tasks). A row walked costs about what a
     * match counted or collected costs (a heap visit), so a walk that falls short wastes about two counts.
     */
    static final int FTS_WALK_ROWS_PER_MATCH = 200;

    static int walkRows(int limit) {
        return (limit + 1) * FTS_WALK_ROWS_PER_MATCH;
    }

    /** How a page of full-text matches is found in sort order. */
    enum SearchPlan {
        /** Walk the sort column's index, testing each row: quick when matches are many. */
        WALK,
        /** Collect every match through the GIN index and sort them: quick when they are few. */
        COLLECT,
        /** Walk at most {@link #walkRows} rows; if they hold less than a page, collect. */
        BOUNDED_WALK
    }

    /**
     * PostgreSQL's estimate of the matches decides. For one word and nothing else it can be trusted (the
     * column's most-common-lexeme statistics hold the word's frequency): clearly many (twice
     * {@link #FTS_COLLECT_BELOW}) are walked; below the line they are collected, which costs less than counting
     * them first would and, if the estimate is low by half, little more than walking. Other searches are
     * estimated from independent words and criteria and can be far off: when the planner expects few matches
     * they are counted (cheap when they are few, bounded when not). A search expected at or above the line
     * (below twice the line for one word), or with no estimate, gets a bounded walk, which finds the page
     * without counting or shows that the matches are few.
     */
    SearchPlan searchPlan(TaskFilter filter) {
        return searchPlan(estimate(SqlWhere.of(filter)), singleWordOnly(filter),
                () -> countUpTo(filter, FTS_COLLECT_BELOW));
    }

    /** The choice itself: {@code estimated} is -1 when unknown; {@code count} counts up to the line. */
    static SearchPlan searchPlan(long estimated, boolean singleWordOnly, java.util.function.LongSupplier count) {
        if (estimated < 0) {
            return SearchPlan.BOUNDED_WALK;
        }
        if (singleWordOnly && estimated >= 2L * FTS_COLLECT_BELOW) {
            return SearchPlan.WALK;
        }
        if (estimated >= FTS_COLLECT_BELOW) {
            return SearchPlan.BOUNDED_WALK;
        }
        if (singleWordOnly) {
            return SearchPlan.COLLECT;
        }
        return count.getAsLong() < FTS_COLLECT_BELOW ? SearchPlan.COLLECT : SearchPlan.WALK;
    }

    private static boolean singleWordOnly(TaskFilter filter) {
        return SINGLE_WORD.matcher(filter.q()).matches() && SqlWhere.of(filter).sql().equals(SqlWhere.of(
                TaskFilter.builder().q(filter.q()).includeDeleted(filter.includeDeleted()).build()).sql());
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
