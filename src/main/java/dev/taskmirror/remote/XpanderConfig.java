package dev.taskmirror.remote;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Connection to the xpander.ai Tasks API (env: XPANDER_API_KEY, XPANDER_BASE_URL, XPANDER_ORGANIZATION_ID).
 * Ranges are checked at start-up by {@code dev.taskmirror.ops.SettingRanges}.
 */
@ConfigMapping(prefix = "xpander")
public interface XpanderConfig {

    /**
     * API key sent as {@code x-api-key}. Required in production. In dev mode and tests, leaving it unset
     * selects the built-in simulator as the remote.
     */
    Optional<String> apiKey();

    /**
     * Base URL of the Tasks API. Without a scheme, {@code https://} is prepended (as the SDK does). The
     * organization id is added to the path when the URL points at a self-hosted Agent Controller.
     */
    @WithDefault("https://inbound.xpander.ai")
    String baseUrl();

    /** Organization id: used in event-stream URLs and for Agent Controller deployments. */
    Optional<String> organizationId();

    /** Overrides the event-stream base URL derived from the base URL (the SDK's rules). */
    Optional<String> eventsBaseUrl();

    /** TCP connect timeout for remote calls. */
    @WithDefault("5s")
    Duration connectTimeout();

    /**
     * Longest time for one remote call, body included (a response dribbled past it is cut off and retried);
     * a cache must not wait minutes like the SDK does.
     */
    @WithDefault("15s")
    Duration readTimeout();

    /** Retries of transient failures (I/O, 5xx, 429, malformed bodies). */
    Retry retry();

    interface Retry {
        /** Retries after the first attempt. */
        @WithDefault("3")
        int maxRetries();

        /** Base of the exponential backoff; each delay is drawn uniformly from [0, base * 2^n] (full jitter). */
        @WithDefault("250ms")
        Duration initialDelay();

        /** Cap of one backoff delay. */
        @WithDefault("10s")
        Duration maxDelay();

        /** Longest Retry-After honoured inline; longer waits fail the call so the caller reschedules. */
        @WithDefault("30s")
        Duration maxRetryAfter();
    }
}
