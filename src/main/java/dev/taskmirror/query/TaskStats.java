package dev.taskmirror.query;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.taskmirror.attachment.AttachmentCategory;
import dev.taskmirror.common.ApiProblem;

/**
 * Dashboard aggregates. The stats of one agent (the dashboard's usual view) come from maintained rollups
 * ({@link StatsRollup}); any other filter is computed by PostgreSQL over the filtered tasks in two passes
 * over the covering index {@code task_stats_idx} (index-only per agent): grouped counts and token sums,
 * then run-time percentiles of finished tasks. Both give the same figures. Results are kept for
 * {@code mirror.api.stats-cache-ttl} so many dashboards polling the same view cost one query.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class TaskStats {

    public static final List<String> BUCKETS = List.of("hour", "day", "week", "month");
    private static final int MAX_BUCKETS = 1000;

    private record Cached(long at, TaskStatsView view) {
    }

    private final EntityManager em;
    private final QueryConfig config;
    private final StatsRollup rollup;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    TaskStats(EntityManager em, QueryConfig config, StatsRollup rollup) {
        this.em = em;
        this.config = config;
        this.rollup = rollup;
    }

    public static ZoneId zone(String tz) {
        if (tz == null || tz.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(tz.trim());
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest("Unknown time zone '" + tz + "'",
                    List.of(new ApiProblem.InvalidParam("tz", "an IANA time zone such as Europe/Berlin or UTC")));
        }
    }

    public static String bucket(String bucket) {
        if (bucket == null || bucket.isBlank()) {
            return "day";
        }
        if (!BUCKETS.contains(bucket.trim())) {
            throw ApiProblem.badRequest("bucket must be one of " + BUCKETS,
                    List.of(new ApiProblem.InvalidParam("bucket", "hour, day, week or month")));
        }
        return bucket.trim();
    }

    public TaskStatsView stats(TaskFilter filter, ZoneId zone, String bucket) {
        String key = filter.hash(zone.getId() + "|" + bucket);
        long ttl = config.statsCacheTtl().toMillis();
        long now = System.currentTimeMillis();
        Cached hit = cache.get(key);
        if (ttl > 0 && hit != null && now - hit.at() < ttl) {
            return hit.view();
        }
        TaskStatsView view = rollup.serves(filter, zone) ? fromRollup(filter.agentIds().get(0), zone, bucket)
                : compute(filter, zone, bucket);
        if (ttl > 0) {
            if (cache.size() > 1000) {
                cache.clear();
            }
            cache.put(key, new Cached(now, view));
        }
        return view;
    }

    /** The stats of one agent from the rollups. */
    TaskStatsView fromRollup(String agentId, ZoneId zone, String bucket) {
        Figures f = new Figures();
        StatsRollup.Read read = rollup.read(agentId, zone, bucket);
        read.byStatus().forEach((status, sums) -> f.add(status, agentId, null, false, false, sums));
        for (StatsRollup.Bucketed b : read.buckets()) {
            f.byTime.computeIfAbsent(b.start(), k -> new TreeMap<>()).merge(b.status(), b.tasks(), Long::sum);
        }
        // A bucket or status whose tasks all went (pending deltas cancelling rollup rows) is not shown.
        f.byTime.values().forEach(m -> m.values().removeIf(n -> n == 0));
        f.byTime.values().removeIf(Map::isEmpty);
        if (!f.byStatus.isEmpty()) {
            f.byAgent.put(agentId, new TreeMap<>(f.byStatus));
        }
        return f.view(zone, bucket, read.durations());
    }

    /** The stats of any filter by aggregating the matching tasks (the rollups' reference). */
    TaskStatsView compute(TaskFilter filter, ZoneId zone, String bucket) {
        SqlWhere where = SqlWhere.of(filter);
        String tz = where.param(zone.getId());
        String bucketParam = where.param(bucket);
        // The bucket is computed in a subquery: grouping sets then refer to a plain column.
        // One index-only pass over task_stats_idx: counts and tokens per grouping set, and the attachment and
        // result counts (read from the per-status groups, whose sums cover every matching task).
        StringBuilder extra = new StringBuilder(", count(*) filter (where x.result_valid), "
                + "count(*) filter (where not x.result_valid), count(*) filter (where x.attachment_count > 0), "
                + "coalesce(sum(x.attachment_count), 0)");
        StringBuilder extraColumns = new StringBuilder(", t.result_valid, t.attachment_count");
        for (AttachmentCategory c : AttachmentCategory.values()) {
            extra.append(", coalesce(sum(x.").append(c.column()).append("), 0)");
            extraColumns.append(", t.").append(c.column());
        }
        String sql = "select x.status, x.agent_id, x.b, grouping(x.agent_id), grouping(x.b), count(*), "
                + "coalesce(sum(x.prompt_tokens), 0), coalesce(sum(x.completion_tokens), 0), "
                + "coalesce(sum(x.total_tokens), 0)" + extra + " from (select t.status, t.agent_id, t.prompt_tokens, "
                + "t.completion_tokens, t.total_tokens" + extraColumns + ", date_trunc(cast(" + bucketParam
                + " as text), t.created_at, cast(" + tz + " as text)) as b from task t" + where.sql() + ") x "
                + "group by grouping sets ((x.status), (x.agent_id, x.status), (x.status, x.b))";
        @SuppressWarnings("unchecked")
        List<Object[]> rows = where.bind(em.createNativeQuery(sql)).getResultList();
        Figures f = new Figures();
        for (Object[] r : rows) {
            boolean agentGrouped = ((Number) r[3]).intValue() == 0;
            long[] sums = new long[StatsRollup.SUMS.size()];
            for (int i = 0; i < sums.length; i++) {
                sums[i] = ((Number) r[5 + i]).longValue();
            }
            f.add((String) r[0], (String) r[1], toOffset(r[2]), agentGrouped, ((Number) r[4]).intValue() == 0, sums);
        }
        return f.view(zone, bucket, durations(filter));
    }

    /** Adds up grouped rows (per status; per agent and status; per status and time bucket) into the view. */
    private static final class Figures {
        final Map<String, Long> byStatus = new TreeMap<>();
        final Map<String, Map<String, Long>> byAgent = new LinkedHashMap<>();
        final TreeMap<OffsetDateTime, Map<String, Long>> byTime = new TreeMap<>();
        long total, prompt, completion, tokens, valid, invalid, withFiles, files;
        final Map<String, Long> byCategory = new LinkedHashMap<>();

        Figures() {
            for (AttachmentCategory c : AttachmentCategory.values()) {
                byCategory.put(c.wire(), 0L);
            }
        }

        /**
         * One group: {@code sums} holds the count, then prompt, completion and total tokens, valid and invalid
         * results, tasks with files, files, and files per category ({@link StatsRollup#SUMS}). A per-status group
         * (neither agent nor time grouped) covers every matching task of that status.
         */
        void add(String status, String agent, OffsetDateTime bucketStart, boolean agentGrouped, boolean timeGrouped,
                long[] sums) {
            long count = sums[0];
            if (agentGrouped) {
                byAgent.computeIfAbsent(agent, k -> new TreeMap<>()).merge(status, count, Long::sum);
            } else if (timeGrouped) {
                byTime.computeIfAbsent(bucketStart, k -> new TreeMap<>()).merge(status, count, Long::sum);
            } else {
                byStatus.merge(status, count, Long::sum);
                total += count;
                prompt += sums[1];
                completion += sums[2];
                tokens += sums[3];
                valid += sums[4];
                invalid += sums[5];
                withFiles += sums[6];
                files += sums[7];
                for (AttachmentCategory c : AttachmentCategory.values()) {
                    byCategory.merge(c.wire(), sums[8 + c.ordinal()], Long::sum);
                }
            }
        }

        TaskStatsView view(ZoneId zone, String bucket, TaskStatsView.Durations durations) {
            List<TaskStatsView.AgentCount> agents = new ArrayList<>();
            byAgent.forEach((agent, m) -> agents.add(new TaskStatsView.AgentCount(agent,
                    m.values().stream().mapToLong(Long::longValue).sum(), m)));
            agents.sort(Comparator.comparingLong(TaskStatsView.AgentCount::count).reversed()
                    .thenComparing(TaskStatsView.AgentCount::agentId));
            List<TaskStatsView.Bucket> buckets = new ArrayList<>();
            DateTimeFormatter fmt = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
            byTime.forEach((start, m) -> buckets.add(new TaskStatsView.Bucket(
                    start.atZoneSameInstant(zone).toOffsetDateTime().format(fmt),
                    m.values().stream().mapToLong(Long::longValue).sum(), m)));
            List<TaskStatsView.Bucket> recent = buckets.size() > MAX_BUCKETS
                    ? buckets.subList(buckets.size() - MAX_BUCKETS, buckets.size())
                    : buckets;
            return new TaskStatsView(total, byStatus, agents, List.copyOf(recent), bucket, zone.getId(), durations,
                    new TaskStatsView.Tokens(prompt, completion, tokens),
                    new TaskStatsView.Attachments(withFiles, files, byCategory),
                    new TaskStatsView.Results(valid + invalid, valid, invalid));
        }
    }

    private TaskStatsView.Durations durations(TaskFilter filter) {
        SqlWhere where = SqlWhere.of(filter);
        where.and("t.status in ('completed', 'failed', 'error', 'stopped') and t.started_at is not null "
                + "and t.finished_at >= t.started_at");
        Object[] r = (Object[]) where.bind(em.createNativeQuery("""
                select count(*),
                       percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from t.finished_at - t.started_at))::text,
                       avg(extract(epoch from t.finished_at - t.started_at)),
                       max(extract(epoch from t.finished_at - t.started_at))
                from task t""" + where.sql())).getSingleResult();
        // Both percentiles from one sort: {p50,p95} as text (no driver array mapping needed).
        Double[] p = { null, null };
        if (r[1] != null) {
            String[] parts = ((String) r[1]).replaceAll("[{}]", "").split(",");
            p[0] = dbl(Double.valueOf(parts[0]));
            p[1] = dbl(Double.valueOf(parts[1]));
        }
        return new TaskStatsView.Durations(((Number) r[0]).longValue(), p[0], p[1], dbl(r[2]), dbl(r[3]));
    }

    static Double dbl(Object o) {
        return o == null ? null : Math.round(((Number) o).doubleValue() * 1000.0) / 1000.0;
    }

    private static OffsetDateTime toOffset(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof OffsetDateTime odt) {
            return odt;
        }
        if (o instanceof java.time.Instant i) {
            return i.atOffset(java.time.ZoneOffset.UTC);
        }
        if (o instanceof java.sql.Timestamp ts) {
            return ts.toInstant().atOffset(java.time.ZoneOffset.UTC);
        }
        throw new IllegalStateException("unexpected bucket type " + o.getClass());
    }
}
