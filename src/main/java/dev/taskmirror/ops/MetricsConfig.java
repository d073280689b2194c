package dev.taskmirror.ops;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Gauges read from the database. Scrapes only read cached values; these settings bound the database cost.
 * Ranges are checked at start-up by {@code dev.taskmirror.ops.SettingRanges}.
 */
@ConfigMapping(prefix = "mirror.metrics")
public interface MetricsConfig {

    /** How often the database-backed gauges (sync lag, task counts, outbox depth) are refreshed. */
    @WithDefault("15s")
    Duration refreshInterval();

    /**
     * Up to this many task rows (planner estimate), {@code mirror_tasks_mirrored} is an exact count of live
     * tasks; above it, the planner's row estimate ({@code pg_class.reltuples}, tombstones included) is used
     * so that no refresh scans a large table.
     */
    @WithDefault("200000")
    long exactCountLimit();
}
