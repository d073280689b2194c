package dev.taskmirror.sync;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Per-task event streams (SSE) used as change hints for unfinished tasks that offer them.
 * Ranges are checked at start-up by {@code dev.taskmirror.ops.SettingRanges}.
 */
@ConfigMapping(prefix = "mirror.sync.events")
public interface EventsConfig {

    /** Follow the event streams of unfinished tasks created with {@code events_streaming}. */
    @WithDefault("true")
    boolean enabled();

    /** Streams open at the same time; beyond it, tasks rely on the fast sync cycle alone. */
    @WithDefault("50")
    int maxStreams();

    /** After a stream fails, wait this long before opening it again. */
    @WithDefault("30s")
    Duration retryDelay();

    /** Coalescing window: events of the same task within it cause a single re-read. */
    @WithDefault("200ms")
    Duration coalesce();

    /** How often the set of followed streams is reconciled with the unfinished tasks. */
    @WithDefault("5s")
    Duration checkEvery();
}
