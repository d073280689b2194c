package dev.taskmirror.writeback;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Delivery of task saves to the remote.
 * Ranges are checked at start-up by {@code dev.taskmirror.ops.SettingRanges}.
 */
@ConfigMapping(prefix = "mirror.outbox")
public interface OutboxConfig {

    /** Run the relay. Saves are still accepted when it is off; they wait in the outbox. */
    @WithDefault("true")
    boolean enabled();

    /** How often the relay looks for due saves when nothing wakes it earlier. */
    @WithDefault("1s")
    Duration pollInterval();

    /** Saves pushed at the same time (never two of the same task). */
    @WithDefault("4")
    int concurrency();

    /** Attempts before a save that keeps failing transiently is parked as failed. */
    @WithDefault("10")
    int maxAttempts();

    /** First retry delay; doubles per attempt, with jitter. */
    @WithDefault("1s")
    Duration backoffInitial();

    /** Longest retry delay. */
    @WithDefault("5m")
    Duration backoffMax();

    /**
     * How long a claimed save stays reserved for the instance pushing it. Must exceed the longest push
     * (remote timeouts times retries); after it, another replica takes the save over.
     */
    @WithDefault("2m")
    Duration claimTtl();

    /**
     * Base64 AES key (16, 24 or 32 bytes) sealing secret fields of pending creates (user OIDC token, user
     * tokens, MCP credentials) in the outbox. Without it an ephemeral key is generated: pending secret-bearing
     * creates then cannot survive a restart.
     */
    Optional<String> secretKey();

    /**
     * At shutdown, how long saves being pushed get to finish and be recorded; saves still claimed after it
     * are released so another replica pushes them at once. Part of the pod's termination grace period.
     */
    @WithDefault("10s")
    Duration shutdownTimeout();
}
