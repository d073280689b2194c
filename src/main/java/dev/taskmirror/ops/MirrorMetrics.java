package dev.taskmirror.ops;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.taskmirror.remote.RemoteHealth;
import dev.taskmirror.sync.SyncScope;
import dev.taskmirror.sync.SyncScopes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;

/**
 * Gauges of the mirror's state for Prometheus: sync lag and failures per scope, live and unfinished task
 * counts, outbox depth and oldest pending save, circuit-breaker state. Database-backed values are read by
 * a periodic refresh ({@code mirror.metrics.refresh-interval}) into a snapshot; a scrape never queries the
 * database. Every replica reports the same database-backed values: aggregate them with {@code max}.
 */
@ApplicationScoped
@Startup
public class MirrorMetrics {

    private static final Logger LOG = Logger.getLogger(MirrorMetrics.class);
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    private final DataSource dataSource;
    private final SyncScopes scopes;
    private final RemoteHealth remoteHealth;
    private final MetricsConfig config;
    private final MultiGauge lag;
    private final MultiGauge failures;
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    /** One refresh's view of the database. Counts are -1 until the first refresh succeeded. */
    record Snapshot(long tasks, long unfinished, long outboxPending, long outboxFailed, Instant oldestPending,
            List<ScopeRow> scopes) {
        static final Snapshot EMPTY = new Snapshot(-1, -1, -1, -1, null, List.of());
    }

    record ScopeRow(String kind, String id, Instant lastSuccessAt, int consecutiveFailures) {
    }

    MirrorMetrics(DataSource dataSource, SyncScopes scopes, RemoteHealth remoteHealth, MetricsConfig config,
            MeterRegistry registry) {
        this.dataSource = dataSource;
        this.scopes = scopes;
        this.remoteHealth = remoteHealth;
        this.config = config;
        Gauge.builder("mirror.tasks.mirrored", this, m -> count(m.snapshot.tasks()))
                .description("Live (not tombstoned) mirrored tasks; the planner estimate above "
                        + "mirror.metrics.exact-count-limit rows")
                .strongReference(true).register(registry);
        Gauge.builder("mirror.tasks.unfinished", this, m -> count(m.snapshot.unfinished()))
                .description("Mirrored tasks pending, executing or paused").strongReference(true).register(registry);
        Gauge.builder("mirror.outbox.depth", this, m -> count(m.snapshot.outboxPending()))
                .tags("state", "pending").description("Saves waiting for the remote")
                .strongReference(true).register(registry);
        Gauge.builder("mirror.outbox.depth", this, m -> count(m.snapshot.outboxFailed()))
                .tags("state", "failed").description("Saves parked as failed")
                .strongReference(true).register(registry);
        Gauge.builder("mirror.outbox.oldest.pending.age", this, MirrorMetrics::oldestPendingSeconds)
                .baseUnit("seconds").description("Age of the oldest save waiting for the remote (0 when none)")
                .strongReference(true).register(registry);
        Gauge.builder("mirror.remote.circuit.breaker.state", this, MirrorMetrics::breakerState)
                .description("Circuit breaker of the xpander API in this replica: 0 closed, 1 half-open, 2 open")
                .strongReference(true).register(registry);
        lag = MultiGauge.builder("mirror.sync.lag").baseUnit("seconds")
                .description("Time since the last successful sync cycle of a scope").register(registry);
        failures = MultiGauge.builder("mirror.sync.consecutive.failures")
                .description("Failed sync cycles of a scope since its last success").register(registry);
    }

    @Scheduled(identity = "mirror-metrics-refresh", every = "${mirror.metrics.refresh-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduledRefresh() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.debugf("Metrics refresh failed, keeping the previous values: %s", e.getMessage());
        }
    }

    /** Reads the database-backed values now (also used by tests before a scrape). */
    public void refresh() {
        Snapshot next;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            long estimate = single(st, "select coalesce((select reltuples::bigint from pg_class "
                    + "where oid = to_regclass('task')), -1)");
            boolean estimated = estimate >= config.exactCountLimit();
            long tasks = estimated ? estimate : single(st, "select count(*) from task where deleted_at is null");
            long unfinished = single(st, "select count(*) from task where deleted_at is null "
                    + "and status in ('pending', 'executing', 'paused')");
            long pending = 0;
            long failed = 0;
            Instant oldest = null;
            try (ResultSet rs = st.executeQuery("select state, count(*), min(created_at) from outbox group by state")) {
                while (rs.next()) {
                    if ("pending".equals(rs.getString(1))) {
                        pending = rs.getLong(2);
                        oldest = instant(rs.getTimestamp(3));
                    } else if ("failed".equals(rs.getString(1))) {
                        failed = rs.getLong(2);
                    }
                }
            }
            Map<String, ScopeRow> rows = new HashMap<>();
            try (ResultSet rs = st.executeQuery("select scope, kind, ref_id, last_success_at, consecutive_failures "
                    + "from sync_scope")) {
                while (rs.next()) {
                    rows.put(rs.getString(1), new ScopeRow(rs.getString(2), rs.getString(3),
                            instant(rs.getTimestamp(4)), rs.getInt(5)));
                }
            }
            // Only configured scopes get series: ad-hoc scopes (POST /sync?agent_id=...) must not add labels.
            List<ScopeRow> configured = new ArrayList<>();
            for (SyncScope s : scopes.all()) {
                configured.add(rows.getOrDefault(s.key(), new ScopeRow(s.kind(), s.refId(), null, 0)));
            }
            next = new Snapshot(tasks, unfinished, pending, failed, oldest, List.copyOf(configured));
        } catch (SQLException e) {
            throw new IllegalStateException("metrics refresh: " + e.getMessage(), e);
        }
        snapshot = next;
        lag.register(next.scopes().stream().map(r -> MultiGauge.Row.of(tags(r), r, MirrorMetrics::lagSeconds))
                .toList(), true);
        failures.register(next.scopes().stream()
                .map(r -> MultiGauge.Row.of(tags(r), r, x -> x.consecutiveFailures())).toList(), true);
    }

    private static Tags tags(ScopeRow r) {
        return Tags.of("scope", r.kind(), "id", r.id());
    }

    private static double lagSeconds(ScopeRow r) {
        return r.lastSuccessAt() == null ? Double.NaN : secondsSince(r.lastSuccessAt());
    }

    private static double oldestPendingSeconds(MirrorMetrics m) {
        Snapshot s = m.snapshot;
        if (s.outboxPending() < 0) {
            return Double.NaN;
        }
        return s.oldestPending() == null ? 0 : secondsSince(s.oldestPending());
    }

    /** Never negative: timestamps come from the database clock, which may run slightly ahead of this one. */
    private static double secondsSince(Instant at) {
        return Math.max(0, Duration.between(at, Instant.now()).toMillis()) / 1000.0;
    }

    private static double breakerState(MirrorMetrics m) {
        try {
            return switch (m.remoteHealth.circuitBreakerState()) {
                case "closed" -> 0;
                case "half_open" -> 1;
                case "open" -> 2;
                default -> Double.NaN;
            };
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double count(long value) {
        return value < 0 ? Double.NaN : value;
    }

    private static long single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
