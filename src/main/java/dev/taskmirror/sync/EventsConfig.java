package dev.taskmirror.sync;

import java.time.Duration;

import jakarta.validation.constraints.Min;

import org.hibernate.validator.constraints.time.DurationMin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Per-task event streams (SSE) used as change hints for unfinished tasks that offer them. */
@ConfigMapping(prefix = "mirror.sync.events")
public interface EventsConfig {

    /** Follow the event streams of unfinished tasks created with {@code events_streaming}. */
    @WithDefault("true")
    boolean enabled();

    /** Streams open at the same time; beyond it, tasks rely on the fast sync cycle alone. */
    @WithDefault("50")
    @Min(0)
    int maxStreams();

    /** After a stream fails, wait this long before opening it again. */
    @WithDefault("30s")
    @DurationMin(millis = 1)
    Duration retryDelay();

    /** Coalescing window: events of the same task within it cause a single re-read. */
    @WithDefault("200ms")
    @DurationMin(millis = 0)
    Duration coalesce();

    /** How often the set of followed streams is reconciled with the unfinished tasks. */
    @WithDefault("5s")
    @DurationMin(millis = 100)
    Duration checkEvery();
}
