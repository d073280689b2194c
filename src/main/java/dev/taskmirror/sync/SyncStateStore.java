package dev.taskmirror.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** Per-scope sync state and leases. Leases use the database clock so replicas never compare their own. */
@ApplicationScoped
public class SyncStateStore {

    private final EntityManager em;

    SyncStateStore(EntityManager em) {
        this.em = em;
    }

    @Transactional
    public void ensure(List<SyncScope> scopes) {
        for (SyncScope s : scopes) {
            em.createNativeQuery("insert into sync_scope (scope, kind, ref_id) values (?1, ?2, ?3) "
                    + "on conflict (scope) do nothing")
                    .setParameter(1, s.key()).setParameter(2, s.kind()).setParameter(3, s.refId())
                    .executeUpdate();
        }
    }

    /** Takes or renews the lease of a scope; false if another live instance holds it. */
    @Transactional
    public boolean claim(SyncScope scope, String owner, Duration ttl) {
        int n = em.createNativeQuery("update sync_scope set lease_owner = ?1, "
                + "lease_until = now() + make_interval(secs => ?2) "
                + "where scope = ?3 and (lease_owner is null or lease_owner = ?1 or lease_until < now())")
                .setParameter(1, owner)
                .setParameter(2, (double) ttl.toMillis() / 1000.0)
                .setParameter(3, scope.key())
                .executeUpdate();
        return n == 1;
    }

    /** Gives back this instance's leases (at shutdown) so another replica takes over at once. */
    @Transactional
    public int releaseAll(String owner) {
        return em.createNativeQuery("update sync_scope set lease_owner = null, lease_until = null where lease_owner = ?1")
                .setParameter(1, owner).executeUpdate();
    }

    @Transactional
    public void recordSuccess(SyncScope scope, CycleStats stats, Instant startedAt, Integer remoteCount) {
        SyncScopeRecord r = SyncScopeRecord.findById(scope.key());
        if (r == null) {
            return;
        }
        Instant now = Instant.now();
        r.lastAttemptAt = startedAt;
        r.lastSuccessAt = now;
        switch (stats.kind()) {
            case FULL -> r.lastFullAt = startedAt;
            case RECONCILE -> {
                r.lastFullAt = startedAt;
                r.lastReconcileAt = startedAt;
            }
            case HOT -> r.lastHotAt = startedAt;
        }
        if (stats.kind() != CycleKind.HOT) {
            if (r.initialSyncAt == null) {
                r.initialSyncAt = now;
            }
            r.remoteCount = remoteCount;
        }
        r.consecutiveFailures = 0;
        r.lastCycleKind = stats.kind().label();
        r.lastCycleMs = stats.durationMs();
        r.lastFetched = stats.fetched();
        r.lastWritten = stats.written();
        r.lastTombstoned = stats.tombstoned();
        r.cycles++;
    }

    @Transactional
    public void recordFailure(SyncScope scope, CycleKind kind, Instant startedAt, String error) {
        SyncScopeRecord r = SyncScopeRecord.findById(scope.key());
        if (r == null) {
            return;
        }
        r.lastAttemptAt = startedAt;
        r.lastError = error == null ? "unknown error" : error.length() > 1000 ? error.substring(0, 1000) : error;
        r.lastErrorAt = Instant.now();
        r.consecutiveFailures++;
        r.lastCycleKind = kind.label();
        r.cycles++;
    }

    @Transactional
    public List<SyncScopeRecord> all() {
        return SyncScopeRecord.listAll();
    }

    @Transactional
    public SyncScopeRecord find(SyncScope scope) {
        return SyncScopeRecord.findById(scope.key());
    }
}
