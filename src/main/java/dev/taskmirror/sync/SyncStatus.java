package dev.taskmirror.sync;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What {@code GET /sync} reports. */
@Schema(name = "SyncStatus")
public record SyncStatus(String instance, Remote remote, List<Scope> scopes) {

    @Schema(name = "SyncRemote")
    public record Remote(String baseUrl, boolean simulated, String circuitBreaker) {
    }

    @Schema(name = "SyncScopeStatus")
    public record Scope(String scope, String kind, String id, String leaseOwner, Instant leaseUntil,
            Instant initialSyncAt, Instant lastSuccessAt, Instant lastFullAt, Instant lastHotAt,
            Instant lastReconcileAt, Double lagSeconds, String lastError, Instant lastErrorAt,
            int consecutiveFailures, Integer remoteCount, long localCount, long unfinishedCount, long deletedCount,
            String lastCycleKind, Long lastCycleMs, int lastFetched, int lastWritten, int lastTombstoned, long cycles) {
    }
}
