package dev.taskmirror.sync;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What to mirror and how often.
 * Ranges are checked at start-up by {@code dev.taskmirror.ops.SettingRanges}.
 */
@ConfigMapping(prefix = "mirror.sync")
public interface SyncConfig {

    /** Run the scheduled sync cycles. {@code POST /sync} works either way. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Agents whose tasks are mirrored (env MIRROR_SYNC_AGENT_IDS, comma-separated). When empty and the
     * built-in simulator is the remote, its demo agents are used.
     */
    Optional<List<String>> agentIds();

    /** End users whose tasks (across all agents) are mirrored as well (env MIRROR_SYNC_USER_IDS). */
    Optional<List<String>> userIds();

    /** Full cycle: list every task of a scope and fetch the new or changed ones. */
    @WithDefault("30s")
    Duration interval();

    /** Fast cycle for unfinished tasks (pending, executing, paused), until they reach a terminal status. */
    @WithDefault("3s")
    Duration activeInterval();

    /** Reconciliation: a full cycle that also re-reads every unfinished task and every task missing from lists. */
    @WithDefault("1h")
    Duration reconcileInterval();

    /** A task absent from a complete list but still found by GET is checked again after this delay. */
    @WithDefault("6h")
    Duration missingRecheck();

    /** Concurrent task fetches from the remote, across all scopes. */
    @WithDefault("8")
    int fetchConcurrency();

    /**
     * Scopes (agents/users) synced at the same time by one instance. A scheduler tick ({@code tick}) starts
     * at most this many cycles, and a fast cycle falls due every {@code active-interval} (3 s): 4 keeps up
     * with 16 agents, while 2 left the last of 10 agents unsynced in the benchmark. The fetch pool
     * ({@code fetch-concurrency}) stays shared.
     */
    @WithDefault("4")
    int scopeConcurrency();

    /** Tasks applied per database transaction. */
    @WithDefault("200")
    int batchSize();

    /**
     * How long a scope's lease lasts without renewal: with several replicas, the bound after which a
     * dead instance's scopes are taken over.
     */
    @WithDefault("30s")
    Duration leaseTtl();

    /** Longest wait between two attempts after consecutive failures. */
    @WithDefault("5m")
    Duration maxBackoff();

    /**
     * How often the scheduler looks for due scopes (the resolution of all the intervals above): a cycle starts
     * up to half a tick before or after its interval, so a 1 s tick let the fast cycle's 3 s become 3.5 s. Each
     * tick reads the scopes' sync state (one row per scope).
     */
    @WithDefault("250ms")
    Duration tick();

    /** Delay before the first tick after start-up. */
    @WithDefault("2s")
    Duration initialDelay();

    /**
     * At shutdown, how long running cycles get to finish or abandon their current page before the leases
     * are released anyway. Part of the pod's termination grace period (see docs/operations.md).
     */
    @WithDefault("15s")
    Duration shutdownTimeout();
}
