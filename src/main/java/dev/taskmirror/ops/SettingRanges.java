package dev.taskmirror.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskmirror.attachment.AttachmentConfig;
import dev.taskmirror.query.QueryConfig;
import dev.taskmirror.remote.XpanderConfig;
import dev.taskmirror.sync.EventsConfig;
import dev.taskmirror.sync.SyncConfig;
import dev.taskmirror.writeback.OutboxConfig;

/**
 * The allowed range of every bounded {@code mirror.*} and {@code xpander.*} setting, checked once at start-up.
 * Written out here rather than as Bean Validation constraints on the {@code @ConfigMapping} interfaces: with
 * any constrained mapping, Quarkus builds a validator over all ~200 configuration classes of the application
 * before anything else starts, about 0.4 s of the 2-core start-up (docs/benchmarks.md). Messages name the
 * property as Bean Validation did ({@code mirror.sync.batch-size must be greater than 0}).
 */
final class SettingRanges {

    private final List<String> problems = new ArrayList<>();

    private SettingRanges() {
    }

    static List<String> problems(SyncConfig sync, EventsConfig events, OutboxConfig outbox, XpanderConfig xpander,
            AttachmentConfig attachments, MetricsConfig metrics, QueryConfig query) {
        SettingRanges r = new SettingRanges();
        r.atLeast("mirror.sync.interval", sync.interval(), Duration.ofMillis(100));
        r.atLeast("mirror.sync.active-interval", sync.activeInterval(), Duration.ofMillis(100));
        r.atLeast("mirror.sync.reconcile-interval", sync.reconcileInterval(), Duration.ofSeconds(1));
        r.atLeast("mirror.sync.missing-recheck", sync.missingRecheck(), Duration.ZERO);
        r.positive("mirror.sync.fetch-concurrency", sync.fetchConcurrency());
        r.positive("mirror.sync.scope-concurrency", sync.scopeConcurrency());
        r.positive("mirror.sync.batch-size", sync.batchSize());
        r.atLeast("mirror.sync.lease-ttl", sync.leaseTtl(), Duration.ofSeconds(1));
        r.atLeast("mirror.sync.max-backoff", sync.maxBackoff(), Duration.ofSeconds(1));
        r.atLeast("mirror.sync.tick", sync.tick(), Duration.ofMillis(10));
        r.atLeast("mirror.sync.initial-delay", sync.initialDelay(), Duration.ZERO);
        r.atLeast("mirror.sync.shutdown-timeout", sync.shutdownTimeout(), Duration.ZERO);

        r.atLeast("mirror.sync.events.max-streams", events.maxStreams(), 0);
        r.atLeast("mirror.sync.events.retry-delay", events.retryDelay(), Duration.ofMillis(1));
        r.atLeast("mirror.sync.events.coalesce", events.coalesce(), Duration.ZERO);
        r.atLeast("mirror.sync.events.check-every", events.checkEvery(), Duration.ofMillis(100));

        r.atLeast("mirror.outbox.poll-interval", outbox.pollInterval(), Duration.ofMillis(10));
        r.positive("mirror.outbox.concurrency", outbox.concurrency());
        r.positive("mirror.outbox.max-attempts", outbox.maxAttempts());
        r.atLeast("mirror.outbox.backoff-initial", outbox.backoffInitial(), Duration.ofMillis(1));
        r.atLeast("mirror.outbox.backoff-max", outbox.backoffMax(), Duration.ofMillis(1));
        r.atLeast("mirror.outbox.claim-ttl", outbox.claimTtl(), Duration.ofSeconds(1));
        r.atLeast("mirror.outbox.shutdown-timeout", outbox.shutdownTimeout(), Duration.ZERO);

        if (xpander.baseUrl().isBlank()) {
            r.problems.add("xpander.base-url must not be blank");
        }
        r.atLeast("xpander.connect-timeout", xpander.connectTimeout(), Duration.ofMillis(1));
        r.atLeast("xpander.read-timeout", xpander.readTimeout(), Duration.ofMillis(1));
        r.atLeast("xpander.retry.max-retries", xpander.retry().maxRetries(), 0);
        r.atLeast("xpander.retry.initial-delay", xpander.retry().initialDelay(), Duration.ZERO);
        r.atLeast("xpander.retry.max-delay", xpander.retry().maxDelay(), Duration.ZERO);
        r.atLeast("xpander.retry.max-retry-after", xpander.retry().maxRetryAfter(), Duration.ZERO);

        AttachmentConfig.Probe probe = attachments.probe();
        r.atLeast("mirror.attachments.probe.timeout", probe.timeout(), Duration.ofMillis(1));
        r.atLeast("mirror.attachments.probe.total-timeout", probe.totalTimeout(), Duration.ofMillis(1));
        r.between("mirror.attachments.probe.concurrency", probe.concurrency(), 1, 64);
        r.positive("mirror.attachments.probe.max-files", probe.maxFiles());
        r.between("mirror.attachments.probe.max-redirects", probe.maxRedirects(), 0, 10);
        r.atLeast("mirror.attachments.probe.cache-ttl", probe.cacheTtl(), Duration.ZERO);
        r.positive("mirror.attachments.probe.cache-size", probe.cacheSize());

        if (query.queryConcurrency().isPresent()) {
            r.positive("mirror.api.query-concurrency", query.queryConcurrency().getAsInt());
        }
        if (query.readConcurrency().isPresent()) {
            r.positive("mirror.api.read-concurrency", query.readConcurrency().getAsInt());
        }
        r.atLeast("mirror.api.query-queue-timeout", query.queryQueueTimeout(), Duration.ZERO);

        r.atLeast("mirror.metrics.refresh-interval", metrics.refreshInterval(), Duration.ofSeconds(1));
        r.positive("mirror.metrics.exact-count-limit", metrics.exactCountLimit());
        return r.problems;
    }

    private void positive(String name, long value) {
        if (value <= 0) {
            problems.add(name + " must be greater than 0 (is " + value + ")");
        }
    }

    private void atLeast(String name, long value, long min) {
        if (value < min) {
            problems.add(name + " must be greater than or equal to " + min + " (is " + value + ")");
        }
    }

    private void between(String name, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(name + " must be between " + min + " and " + max + " (is " + value + ")");
        }
    }

    private void atLeast(String name, Duration value, Duration min) {
        if (value.compareTo(min) < 0) {
            problems.add(name + " must be at least " + (min.isZero() ? "0" : readable(min)) + " (is " + readable(value)
                    + ")");
        }
    }

    /** 100ms, 1s, -5s: the notation the settings are written in. */
    private static String readable(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
