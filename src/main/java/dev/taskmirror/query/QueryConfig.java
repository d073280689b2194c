package dev.taskmirror.query;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The local read API. */
@ConfigMapping(prefix = "mirror.api")
public interface QueryConfig {

    /** Page size when {@code limit} is not given. */
    @WithDefault("50")
    int defaultLimit();

    /** Largest {@code limit} accepted. */
    @WithDefault("500")
    int maxLimit();

    /**
     * Key signing page cursors so a corrupted or edited cursor is refused with 400 instead of silently
     * paging elsewhere. Set the same value on every replica (a cursor from one must work on another).
     */
    @WithDefault("task-mirror-cursor-key")
    String cursorSecret();

    /** How long a computed {@code /tasks/stats} result is reused for the same filters (0 disables). */
    @WithDefault("2s")
    java.time.Duration statsCacheTtl();

    /** Longest {@code wait} accepted by long-polling endpoints. */
    @WithDefault("60s")
    java.time.Duration maxWait();

    /** Tasks deleted on the remote stay visible (tombstones) for this long, then are purged. */
    @WithDefault("30d")
    java.time.Duration tombstoneRetention();

    /**
     * List and stats queries running at once; more wait in arrival order ({@link QueryGate}). Default: twice
     * the processors the JVM sees (the pod's CPU limit).
     */
    java.util.OptionalInt queryConcurrency();

    /**
     * Threads reading single tasks ({@code GET /tasks/{id}}); more requests queue for them, and each thread reads
     * the queued ones together in one statement ({@link ReadPool}).
     * Default: the processors the JVM sees.
     */
    java.util.OptionalInt readConcurrency();

    /** Longest wait for a query slot before answering 503. */
    @WithDefault("10s")
    java.time.Duration queryQueueTimeout();

    /** Interval of SSE heartbeat comments on {@code /tasks/stream}. */
    @WithDefault("15s")
    java.time.Duration heartbeat();
}
