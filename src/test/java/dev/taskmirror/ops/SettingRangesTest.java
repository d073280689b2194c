package dev.taskmirror.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.taskmirror.attachment.AttachmentConfig;
import dev.taskmirror.query.QueryConfig;
import dev.taskmirror.remote.XpanderConfig;
import dev.taskmirror.sync.EventsConfig;
import dev.taskmirror.sync.SyncConfig;
import dev.taskmirror.writeback.OutboxConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The mappings as SmallRye Config builds them from properties, checked against their ranges. */
class SettingRangesTest {

    @Test
    void theDefaultsAreWithinRange() {
        assertThat(problems(Map.of())).isEmpty();
    }

    @Test
    void everyOutOfRangeValueIsNamedWithItsValue() {
        List<String> problems = problems(props(
                "mirror.sync.batch-size", "0",
                "mirror.sync.tick", "5ms",
                "mirror.sync.initial-delay", "-1s",
                "mirror.sync.events.max-streams", "-1",
                "mirror.outbox.concurrency", "-2",
                "xpander.base-url", " ",
                "xpander.retry.max-retries", "-1",
                "mirror.attachments.probe.concurrency", "65",
                "mirror.attachments.probe.max-redirects", "11",
                "mirror.metrics.refresh-interval", "500ms",
                "mirror.api.query-concurrency", "0",
                "mirror.api.read-concurrency", "-1",
                "mirror.api.query-queue-timeout", "-1s"));
        assertThat(problems).containsExactlyInAnyOrder(
                "mirror.sync.batch-size must be greater than 0 (is 0)",
                "mirror.sync.tick must be at least 10ms (is 5ms)",
                "mirror.sync.initial-delay must be at least 0 (is -1s)",
                "mirror.sync.events.max-streams must be greater than or equal to 0 (is -1)",
                "mirror.outbox.concurrency must be greater than 0 (is -2)",
                "xpander.base-url must not be blank",
                "xpander.retry.max-retries must be greater than or equal to 0 (is -1)",
                "mirror.attachments.probe.concurrency must be between 1 and 64 (is 65)",
                "mirror.attachments.probe.max-redirects must be between 0 and 10 (is 11)",
                "mirror.metrics.refresh-interval must be at least 1s (is 500ms)",
                "mirror.api.query-concurrency must be greater than 0 (is 0)",
                "mirror.api.read-concurrency must be greater than 0 (is -1)",
                "mirror.api.query-queue-timeout must be at least 0 (is -1s)");
    }

    @Test
    void theBoundsThemselvesAreAllowed() {
        assertThat(problems(Map.of(
                "mirror.sync.tick", "10ms",
                "mirror.sync.interval", "100ms",
                "mirror.sync.initial-delay", "0s",
                "mirror.attachments.probe.concurrency", "64",
                "mirror.attachments.probe.max-redirects", "0",
                "xpander.retry.max-retries", "0",
                "mirror.api.query-concurrency", "1",
                "mirror.api.read-concurrency", "1",
                "mirror.api.query-queue-timeout", "0s"))).isEmpty();
    }

    private static Map<String, String> props(String... keysAndValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static List<String> problems(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SyncConfig.class).withMapping(EventsConfig.class).withMapping(OutboxConfig.class)
                .withMapping(XpanderConfig.class).withMapping(AttachmentConfig.class).withMapping(MetricsConfig.class)
                .withMapping(QueryConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // "30s", as Quarkus reads it
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 500))
                .withValidateUnknown(false)
                .build();
        return SettingRanges.problems(config.getConfigMapping(SyncConfig.class),
                config.getConfigMapping(EventsConfig.class), config.getConfigMapping(OutboxConfig.class),
                config.getConfigMapping(XpanderConfig.class), config.getConfigMapping(AttachmentConfig.class),
                config.getConfigMapping(MetricsConfig.class), config.getConfigMapping(QueryConfig.class));
    }
}
