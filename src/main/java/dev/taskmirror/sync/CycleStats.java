package dev.taskmirror.sync;

/** Figures of one sync cycle. */
public record CycleStats(CycleKind kind, int listed, int fetched, int written, int unchanged, int stale,
        int tombstoned, int listCalls, long durationMs) {
}
