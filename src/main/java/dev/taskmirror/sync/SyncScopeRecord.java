package dev.taskmirror.sync;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** Sync state of one scope, shared by all replicas. */
@Entity
@Table(name = "sync_scope")
public class SyncScopeRecord extends PanacheEntityBase {

    @Id
    public String scope;
    @Column(nullable = false)
    public String kind;
    @Column(name = "ref_id", nullable = false)
    public String refId;
    @Column(name = "lease_owner")
    public String leaseOwner;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    @Column(name = "initial_sync_at")
    public Instant initialSyncAt;
    @Column(name = "last_attempt_at")
    public Instant lastAttemptAt;
    @Column(name = "last_success_at")
    public Instant lastSuccessAt;
    @Column(name = "last_full_at")
    public Instant lastFullAt;
    @Column(name = "last_hot_at")
    public Instant lastHotAt;
    @Column(name = "last_reconcile_at")
    public Instant lastReconcileAt;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "last_error_at")
    public Instant lastErrorAt;
    @Column(name = "consecutive_failures", nullable = false)
    public int consecutiveFailures;
    @Column(name = "remote_count")
    public Integer remoteCount;
    @Column(name = "last_cycle_kind")
    public String lastCycleKind;
    @Column(name = "last_cycle_ms")
    public Long lastCycleMs;
    @Column(name = "last_fetched", nullable = false)
    public int lastFetched;
    @Column(name = "last_written", nullable = false)
    public int lastWritten;
    @Column(name = "last_tombstoned", nullable = false)
    public int lastTombstoned;
    @Column(nullable = false)
    public long cycles;
}
