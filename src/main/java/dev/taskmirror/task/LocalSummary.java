package dev.taskmirror.task;

import java.time.Instant;

/** What the sync engine needs to know about a mirrored task to diff it against a remote list. */
public record LocalSummary(String id, String status, Instant remoteUpdatedAt, String listFingerprint,
        Instant deletedAt, Instant missingSince, Instant missingCheckedAt, String syncState, Instant syncedAt) {

    public boolean deleted() {
        return deletedAt != null;
    }

    /** A local create the remote has not acknowledged yet: absent remotely by design, never tombstoned. */
    public boolean unacknowledgedCreate() {
        return syncedAt == null;
    }
}
