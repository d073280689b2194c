package dev.taskmirror.ops;

import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import dev.taskmirror.attachment.AttachmentConfig;
import dev.taskmirror.query.QueryConfig;
import dev.taskmirror.remote.RemoteEndpoint;
import dev.taskmirror.remote.XpanderConfig;
import dev.taskmirror.sync.EventsConfig;
import dev.taskmirror.sync.SyncConfig;
import dev.taskmirror.writeback.OutboxConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * Fails start-up with one clear message when the configuration cannot work: the range of each bounded setting
 * ({@link SettingRanges}) and what spans several settings. Runs before any background work starts.
 */
@ApplicationScoped
public class StartupChecks {

    private static final Logger LOG = Logger.getLogger(StartupChecks.class);

    private final RemoteEndpoint endpoint;
    private final XpanderConfig xpander;
    private final OutboxConfig outbox;
    private final QueryConfig query;
    private final SyncConfig sync;
    private final EventsConfig events;
    private final AttachmentConfig attachments;
    private final MetricsConfig metrics;

    StartupChecks(RemoteEndpoint endpoint, XpanderConfig xpander, OutboxConfig outbox, QueryConfig query,
            SyncConfig sync, EventsConfig events, AttachmentConfig attachments, MetricsConfig metrics) {
        this.endpoint = endpoint;
        this.xpander = xpander;
        this.outbox = outbox;
        this.query = query;
        this.sync = sync;
        this.events = events;
        this.attachments = attachments;
        this.metrics = metrics;
    }

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid configuration: " + String.join("; ", problems));
        }
    }

    List<String> problems() {
        List<String> problems = new ArrayList<>(SettingRanges.problems(sync, events, outbox, xpander, attachments,
                metrics, query));
        if (!endpoint.available()) {
            problems.add("no xpander API key: set the environment variable XPANDER_API_KEY (xpander.api-key)");
        }
        long push = xpander.readTimeout().toMillis() * (xpander.retry().maxRetries() + 1L);
        if (outbox.claimTtl().toMillis() <= xpander.readTimeout().toMillis()) {
            problems.add("MIRROR_OUTBOX_CLAIM_TTL (" + outbox.claimTtl() + ") must exceed XPANDER_READ_TIMEOUT ("
                    + xpander.readTimeout() + "), or another replica takes over saves still being pushed");
        } else if (outbox.claimTtl().toMillis() < push) {
            // Not fatal: every attempt of one push rarely times out.
            LOG.warnf("mirror.outbox.claim-ttl (%s) is shorter than xpander.read-timeout x attempts (%d ms)",
                    outbox.claimTtl(), push);
        }
        if (query.maxLimit() < 1 || query.defaultLimit() < 1 || query.defaultLimit() > query.maxLimit()) {
            problems.add("MIRROR_API_DEFAULT_LIMIT (" + query.defaultLimit() + ") must be between 1 and "
                    + "MIRROR_API_MAX_LIMIT (" + query.maxLimit() + ")");
        }
        return problems;
    }
}
