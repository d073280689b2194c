package dev.taskmirror.query;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

/**
 * The stats of one agent from maintained rollups (V5): counts and sums per UTC hour and status, kept by
 * triggers as append-only deltas that this class folds into {@code task_rollup} every few seconds, and run-time
 * percentiles read by position from {@code task_duration_idx}. Exact, like the scan it replaces: a read adds
 * up the rollup and the pending deltas in one statement (one snapshot), and percentile_cont's interpolation is
 * done on the two values around the percentile's position.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class StatsRollup {

    private static final Logger LOG = Logger.getLogger(StatsRollup.class);
    private static final Instant ZONE_CHECK_FROM = Instant.parse("1970-01-01T00:00:00Z");

    private final EntityManager em;
    private final Map<ZoneId, Boolean> wholeHourZones = new ConcurrentHashMap<>();

    StatsRollup(EntityManager em) {
        this.em = em;
    }

    /**
     * Whether the rollups answer these stats exactly: the tasks of one agent (deleted ones excluded), with no
     * other criterion, bucketed in a zone whose offsets are whole hours (an hour of UTC then falls in one
     * local bucket).
     */
    public boolean serves(TaskFilter f, ZoneId zone) {
        return f.agentIds().size() == 1 && f.ids().isEmpty() && f.statuses().isEmpty() && f.userId() == null
                && f.parentTaskId() == null && f.triggeringAgentId() == null && f.sources().isEmpty()
                && f.internalStatus() == null && f.outputFormats().isEmpty() && f.hasResult() == null
                && f.manuallyStopped() == null && f.createdAfter() == null && f.createdBefore() == null
                && f.updatedAfter() == null && f.updatedBefore() == null && f.finishedAfter() == null
                && f.finishedBefore() == null && f.q() == null && !f.includeDeleted() && f.hasAttachments() == null
                && f.attachmentCategories().isEmpty() && f.resultValid() == null
                && wholeHourZones.computeIfAbsent(zone, StatsRollup::wholeHours);
    }

    /** The tasks of one status created in one time bucket (a bucket may come in several parts). */
    record Bucketed(String status, OffsetDateTime start, long tasks) {
    }

    /**
     * The figures of one agent read in one statement (one snapshot): the sums per status, in the order of
     * {@link #SUMS}; the tasks per status and time bucket; the run times.
     */
    record Read(Map<String, long[]> byStatus, List<Bucketed> buckets, TaskStatsView.Durations durations) {
    }

    /** The summed columns, in the order {@link TaskStats} adds them up. */
    static final List<String> SUMS = List.of("tasks", "prompt_tokens", "completion_tokens", "total_tokens",
            "result_valid", "result_invalid", "with_attachments", "attachments", "attachments_document",
            "attachments_image", "attachments_text", "attachments_audio", "attachments_other");
    private static final String COLUMNS = "status, hour, " + String.join(", ", SUMS) + ", durations, duration_sum";
    private static final String VALUES = "select task_duration_s(t.status, t.started_at, t.finished_at) from task t "
            + "where t.agent_id = ? and t.deleted_at is null "
            + "and task_duration_s(t.status, t.started_at, t.finished_at) is not null order by 1";

    private static final String HOUR_SQL = readSql("task_rollup");
    private static final String DAY_SQL = readSql("task_rollup_day");

    /** The read statement over one of the two rollup tables (a name from this class, never from a request). */
    private static String readSql(String table) {
        // r is read three times (inlined: cheaper than materializing it); p is one row, computed once.
        return "with r as not materialized (select " + COLUMNS + " from " + table + " where agent_id = ? "
                + "union all select " + COLUMNS + " from task_rollup_delta where agent_id = ?), "
                + "p as materialized (select c.n, c.total / nullif(c.n, 0) avg, "
                + "array(" + VALUES + " offset floor(0.5 * greatest(c.n - 1, 0)) limit 2)::text p50, "
                + "array(" + VALUES + " desc offset greatest(c.n - 2 - floor(0.95 * greatest(c.n - 1, 0)), 0) "
                + "limit 2)::text p95, (" + VALUES + " desc limit 1) max from (select coalesce(sum(durations), 0) n, "
                + "coalesce(sum(duration_sum), 0) total from r) c), "
                + "s as (select status, " + String.join(", ", SUMS.stream().map(c -> "sum(" + c + ")::bigint").toList())
                + " from r group by status having sum(tasks) <> 0) "
                + "select s.*, null::timestamptz, p.n, p.avg, p.p50, p.p95, p.max from p left join s on true "
                + "union all select r.status, r.tasks" + ", null".repeat(SUMS.size() - 1)
                + ", date_trunc(cast(? as text), r.hour, cast(? as text)), null, null, null, null, null from r";
    }

    /**
     * One statement, two kinds of rows. Per status (bucket null): the sums of the status, and on each of these
     * rows the run-time figures (count, average, the two values around p50, around p95, the maximum; the count
     * from the rollups, the values at the percentiles' positions from task_duration_idx, p95 walked from the
     * long end); an agent without tasks gets one such row with a null status. Then per rollup row and pending
     * delta: status, bucket and tasks only, added up per bucket by the caller (in longs; grouping hundreds of
     * buckets in numeric in the database cost more than the rest of the statement). Days, weeks and months in
     * UTC are read from the daily rollup.
     */
    Read read(String agentId, ZoneId zone, String bucket) {
        // Days, weeks and months in UTC from the daily rollup; anything else from the hourly one.
        String sql = !"hour".equals(bucket) && utc(zone) ? DAY_SQL : HOUR_SQL;
        Session session = em.unwrap(Session.class);
        return session.doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 1; i <= 5; i++) {
                    ps.setString(i, agentId);
                }
                ps.setString(6, bucket);
                ps.setString(7, zone.getId());
                try (ResultSet rs = ps.executeQuery()) {
                    return read(rs);
                }
            }
        });
    }

    private static Read read(ResultSet rs) throws SQLException {
        TaskStatsView.Durations durations = new TaskStatsView.Durations(0, null, null, null, null);
        Map<String, long[]> byStatus = new LinkedHashMap<>();
        List<Bucketed> buckets = new ArrayList<>();
        int b = 2 + SUMS.size();
        while (rs.next()) {
            String status = rs.getString(1);
            OffsetDateTime start = rs.getObject(b, OffsetDateTime.class);
            if (start != null) {
                buckets.add(new Bucketed(status, start, rs.getLong(2)));
                continue;
            }
            long n = rs.getLong(b + 1);
            if (n > 0) {
                durations = new TaskStatsView.Durations(n, TaskStats.dbl(percentile(0.5, n, rs.getString(b + 3))),
                        TaskStats.dbl(percentile(0.95, n, rs.getString(b + 4))),
                        TaskStats.dbl(rs.getBigDecimal(b + 2)), TaskStats.dbl(rs.getBigDecimal(b + 5)));
            }
            if (status != null) {
                long[] sums = new long[SUMS.size()];
                for (int i = 0; i < sums.length; i++) {
                    sums[i] = rs.getLong(2 + i);
                }
                byStatus.put(status, sums);
            }
        }
        return new Read(byStatus, buckets, durations);
    }

    /**
     * percentile_cont's interpolation (in double precision, as PostgreSQL does it) between the two values
     * around the percentile's position, given in either order.
     */
    static Double percentile(double p, long n, String pair) {
        String inner = pair == null ? "" : pair.replaceAll("[{}]", "");
        if (inner.isEmpty()) {
            return null;
        }
        String[] v = inner.split(",");
        double pos = p * (n - 1);
        double first = Double.parseDouble(v[0]);
        if (v.length < 2) {
            return first;
        }
        double second = Double.parseDouble(v[1]);
        if (second < first) {
            double t = first;
            first = second;
            second = t;
        }
        double frac = pos - Math.floor(pos);
        return frac == 0 ? first : first + frac * (second - first);
    }

    @Scheduled(identity = "mirror-stats-rollup-fold", every = "5s", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduledFold() {
        try {
            fold();
        } catch (RuntimeException e) {
            // Database down or restarting: the deltas wait, and reads stay exact meanwhile.
            LOG.warnf("Folding the stats rollup deltas failed: %s", dev.taskmirror.common.Errors.describe(e));
        }
    }

    /** Moves pending deltas into the rollup (a no-op while another replica folds); returns how many. */
    @Transactional
    public long fold() {
        return ((Number) em.createNativeQuery("select task_rollup_fold()").getSingleResult()).longValue();
    }

    /** A zone that is UTC at every instant (UTC, Etc/UTC, GMT, Z): its days are the daily rollup's days. */
    static boolean utc(ZoneId zone) {
        return zone.getRules().isFixedOffset() && zone.getRules().getOffset(Instant.EPOCH).getTotalSeconds() == 0;
    }

    /** True if every offset of the zone since 1970 is a whole number of hours. */
    static boolean wholeHours(ZoneId zone) {
        ZoneRules rules = zone.getRules();
        if (!whole(rules.getOffset(ZONE_CHECK_FROM)) || !whole(rules.getOffset(Instant.now()))) {
            return false;
        }
        for (ZoneOffsetTransition t : rules.getTransitions()) {
            if (t.getInstant().isAfter(ZONE_CHECK_FROM) && !whole(t.getOffsetAfter())) {
                return false;
            }
        }
        for (ZoneOffsetTransitionRule rule : rules.getTransitionRules()) {
            if (!whole(rule.getOffsetAfter()) || !whole(rule.getOffsetBefore())) {
                return false;
            }
        }
        return true;
    }

    private static boolean whole(ZoneOffset offset) {
        return offset.getTotalSeconds() % 3600 == 0;
    }
}
