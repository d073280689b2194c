package dev.taskmirror.writeback;

import java.time.Duration;
import java.util.Optional;

import jakarta.validation.constraints.Positive;

import org.hibernate.validator.constraints.time.DurationMin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Delivery of task saves to the remote. */
@ConfigMapping(prefix = "mirror.outbox")
public interface OutboxConfig {

    /** Run the relay. Saves are still accepted when it is off; they wait in the outbox. */
    @WithDefault("true")
    boolean enabled();

    /** How often the relay looks for due saves when nothing wakes it earlier. */
    @WithDefault("1s")
    @DurationMin(millis = 10)
    Duration pollInterval();

    /** Saves pushed at the same time (never two of the same task). */
    @WithDefault("4")
    @Positive
    int concurrency();

    /** Attempts before a save that keeps failing transiently is parked as failed. */
    @WithDefault("10")
    @Positive
    int maxAttempts();

    /** First retry delay; doubles per attempt, with jitter. */
    @WithDefault("1s")
    @DurationMin(millis = 1)
    Duration backoffInitial();

    /** Longest retry delay. */
    @WithDefault("5m")
    @DurationMin(millis = 1)
    Duration backoffMax();

    /**
     * How long a claimed save stays reserved for the instance pushing it. Must exceed the longest push
     * (remote timeouts times retries); after it, another replica takes the save over.
     */
    @WithDefault("2m")
    @DurationMin(seconds = 1)
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
    @DurationMin(seconds = 0)
    Duration shutdownTimeout();
}
