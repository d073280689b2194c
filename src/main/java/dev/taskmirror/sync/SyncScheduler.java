package dev.taskmirror.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.taskmirror.common.Errors;
import dev.taskmirror.common.InstanceId;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Decides every tick which scopes are due and runs their cycles on a small pool, never two cycles of one
 * scope at once; fast cycles go first, full cycles never take every slot, and a scope still to be backfilled
 * always gets one ({@link #choose}). Failing scopes back off exponentially (with jitter) up to
 * {@code mirror.sync.max-backoff}.
 */
@ApplicationScoped
public class SyncScheduler {

    private static final Logger LOG = Logger.getLogger(SyncScheduler.class);

    private final SyncEngine engine;
    private final SyncStateStore state;
    private final SyncScopes scopes;
    private final SyncConfig config;
    private final InstanceId instance;
    private final ExecutorService pool;
    private final ScheduledExecutorService ticker;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    /** The running full and reconciliation cycles (a subset of {@link #running}). */
    private final Set<String> runningHeavy = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> backoffUntil = new ConcurrentHashMap<>();
    private volatile boolean initialised;

    SyncScheduler(SyncEngine engine, SyncStateStore state, SyncScopes scopes, SyncConfig config,
            InstanceId instance) {
        this.engine = engine;
        this.state = state;
        this.scopes = scopes;
        this.config = config;
        this.instance = instance;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, config.scopeConcurrency()), r -> {
            Thread t = new Thread(r, "mirror-sync-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mirror-sync-tick");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the ticks, the first {@code mirror.sync.initial-delay} after start-up. Not a {@code @Scheduled}
     * method: Quarkus's simple scheduler checks its triggers once a second, so an interval below a second runs
     * once a second (and a 3 s fast cycle every 3-4 s).
     */
    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            ticker.scheduleWithFixedDelay(this::tick, config.initialDelay().toMillis(), config.tick().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    void tick() {
        try {
            if (config.enabled() && !engine.stopping()) {
                startDueCycles();
            }
        } catch (RuntimeException e) {
            // Typically the database is away; the next tick tries again (readiness reports it meanwhile).
            LOG.warnf("Sync tick skipped: %s", Errors.describe(e));
        } catch (Throwable e) {
            // Anything escaping would cancel every later tick of the executor, silently.
            LOG.errorf(e, "Sync tick failed");
        }
    }

    private void startDueCycles() {
        List<SyncScope> all = scopes.all();
        if (!initialised) {
            state.ensure(all);
            initialised = true;
        }
        // Which scopes run, taken before their records are read: a cycle records its success and only then
        // leaves the running set, so a cycle ending while the records are read would otherwise look finished
        // with its record from before it ran, and be started again at once.
        Set<String> runningBefore = Set.copyOf(running);
        Map<String, SyncScopeRecord> records = state.all().stream()
                .collect(Collectors.toMap(r -> r.scope, Function.identity()));
        Instant now = Instant.now();
        List<Start> due = new ArrayList<>();
        for (SyncScope scope : all) {
            if (runningBefore.contains(scope.key()) || running.contains(scope.key())) {
                continue;
            }
            Instant wait = backoffUntil.get(scope.key());
            if (wait != null && wait.isAfter(now)) {
                continue;
            }
            SyncScopeRecord r = records.get(scope.key());
            if (r != null && r.leaseOwner != null && !r.leaseOwner.equals(instance.get()) && r.leaseUntil != null
                    && r.leaseUntil.isAfter(now)) {
                continue;
            }
            CycleKind kind = due(r, now);
            if (kind != null) {
                // A scope whose cycles fail keeps its backoff: a fast cycle in place of the failing full one
                // would reset the failure count with its success.
                boolean hotInstead = kind != CycleKind.HOT && r != null && r.consecutiveFailures == 0
                        && hotDue(r, now);
                due.add(new Start(scope, kind, r == null || r.initialSyncAt == null, hotInstead));
            }
        }
        for (Start start : choose(due, Math.max(1, config.scopeConcurrency()), running.size(), runningHeavy.size())) {
            if (engine.stopping()) {
                return;
            }
            running.add(start.scope().key());
            if (start.kind() != CycleKind.HOT) {
                runningHeavy.add(start.scope().key());
            }
            try {
                pool.submit(() -> run(start.scope(), start.kind()));
            } catch (RejectedExecutionException e) {
                // Shutdown began during this tick.
                runningHeavy.remove(start.scope().key());
                running.remove(start.scope().key());
                return;
            }
        }
    }

    /**
     * A due cycle: its scope, its kind, whether it is the scope's first full cycle (its backfill), and, for a
     * full or reconciliation cycle of a scope without failures, whether the scope's fast cycle is due as well
     * (it runs instead while the full cycle waits for a slot; never for a backfill).
     */
    record Start(SyncScope scope, CycleKind kind, boolean initial, boolean hotInstead) {
        Start(SyncScope scope, CycleKind kind, boolean initial) {
            this(scope, kind, initial, false);
        }
    }

    /**
     * Which due cycles to start in the free slots. Fast cycles first: the freshness of unfinished tasks depends
     * on them, and they are short. Each kind leaves one slot to the other: full and reconciliation cycles take at
     * most all slots but one, so that a burst of them (after a backfill every agent's full cycle falls due at the
     * same tick) never holds every slot while fast cycles wait; and while a scope still to be backfilled (its first
     * full cycle) is due, fast cycles take at most all slots but one, so that the fast cycles of agents already
     * mirrored (one every active-interval each) never keep it waiting. Later full cycles wait for free slots: the
     * fast cycles' freshness comes first. A scope whose full cycle has to wait runs its fast cycle meanwhile when
     * that is due: a full cycle due supersedes the fast one, so at start-up (every agent's full cycle due at once)
     * the agents queued behind the first full cycles had no fast cycle until their own full cycle ran.
     */
    static List<Start> choose(List<Start> due, int slots, int running, int heavyRunning) {
        List<Start> ordered = new ArrayList<>(due);
        // Fast cycles, then backfills, then later full cycles; stable: config order otherwise.
        ordered.sort(Comparator.comparingInt(s -> s.kind() == CycleKind.HOT ? 0 : s.initial() ? 1 : 2));
        int reserve = slots == 1 ? 0 : 1;
        boolean backfillDue = due.stream().anyMatch(s -> s.kind() != CycleKind.HOT && s.initial());
        int heavyLimit = slots - reserve;
        int fastLimit = backfillDue ? slots - reserve : slots;
        int heavy = heavyRunning;
        int fast = running - heavyRunning;
        List<Start> out = new ArrayList<>();
        for (Start s : ordered) {
            if (running + out.size() >= slots) {
                break;
            }
            if (s.kind() == CycleKind.HOT) {
                if (fast >= fastLimit) {
                    continue;
                }
                fast++;
            } else if (heavy < heavyLimit) {
                heavy++;
            } else {
                if (s.hotInstead() && !s.initial() && fast < fastLimit) {
                    fast++;
                    out.add(new Start(s.scope(), CycleKind.HOT, false));
                }
                continue;
            }
            out.add(s);
        }
        return out;
    }

    private void run(SyncScope scope, CycleKind kind) {
        try {
            engine.runCycle(scope, kind);
            backoffUntil.remove(scope.key());
        } catch (SyncEngine.ScopeBusyException e) {
            LOG.debug(e.getMessage());
        } catch (RuntimeException e) {
            int failures = 1;
            try {
                SyncScopeRecord r = state.find(scope);
                failures = r == null ? 1 : Math.max(1, r.consecutiveFailures);
            } catch (RuntimeException unreadable) {
                LOG.debugf("Sync state of %s unreadable: %s", scope.key(), Errors.describe(unreadable));
            }
            long cap = Math.min(config.maxBackoff().toMillis(), 1000L << Math.min(failures, 16));
            long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
            backoffUntil.put(scope.key(), Instant.now().plusMillis(delay));
        } finally {
            runningHeavy.remove(scope.key());
            running.remove(scope.key());
        }
    }

    CycleKind due(SyncScopeRecord r, Instant now) {
        if (r == null || r.lastReconcileAt == null
                || elapsed(r.lastReconcileAt, now, staggered(config.reconcileInterval(), r.scope))) {
            return CycleKind.RECONCILE;
        }
        if (r.lastFullAt == null || elapsed(r.lastFullAt, now, staggered(config.interval(), r.scope))) {
            return CycleKind.FULL;
        }
        return hotDue(r, now) ? CycleKind.HOT : null;
    }

    /** Whether the fast cycle's interval has passed since the scope's last fast or full cycle. */
    private boolean hotDue(SyncScopeRecord r, Instant now) {
        Instant lastActive = r.lastFullAt == null || (r.lastHotAt != null && r.lastHotAt.isAfter(r.lastFullAt))
                ? r.lastHotAt : r.lastFullAt;
        return lastActive == null || elapsed(lastActive, now, config.activeInterval());
    }

    /**
     * The full or reconciliation interval of one scope: the configured one shortened by up to a fifth, by an
     * amount fixed per scope (the same on every replica and after restarts). Scopes start their first cycles
     * together; without this, every later full cycle of every scope fell due at the same tick, took the slots
     * but one, and held the fast cycles of their own scopes back: freshness p99 4.5-5.8 s, the worst samples
     * all in that wave, against 3.2 s for the others (docs/benchmarks.md).
     */
    static Duration staggered(Duration interval, String scope) {
        // Mixed (MurmurHash3's finaliser): keys such as agent-0001, agent-0002 have nearly equal hash codes.
        int h = scope.hashCode();
        h = (h ^ (h >>> 16)) * 0x85ebca6b;
        h = (h ^ (h >>> 13)) * 0xc2b2ae35;
        h ^= h >>> 16;
        long fifth = interval.toMillis() / 5;
        return interval.minusMillis(fifth * Math.floorMod(h, 1000) / 1000);
    }

    /**
     * Whether {@code interval} has passed, to the nearest tick: a cycle is stamped when it starts, a few
     * milliseconds after the tick that started it, so a strict comparison would wait one tick more than the
     * interval (a 3 s cycle every 4 s).
     */
    private boolean elapsed(Instant since, Instant now, Duration interval) {
        return !since.plus(interval).minus(config.tick().dividedBy(2)).isAfter(now);
    }

    /**
     * First step of a graceful stop, as soon as shutdown begins (before the HTTP drain): no new cycles, and
     * running cycles stop at their next page boundary.
     */
    void beginStop(@Observes ShutdownDelayInitiatedEvent event) {
        beginStop();
    }

    private synchronized void beginStop() {
        if (!engine.stopping()) {
            LOG.info("Shutdown: no new sync cycles");
            engine.stop();
            ticker.shutdown();
            pool.shutdown();
        }
    }

    @PreDestroy
    void stopTicks() {
        ticker.shutdownNow();
    }

    /** Graceful stop: wait for running cycles (their current page), then give the leases back. */
    void onStop(@Observes ShutdownEvent event) {
        beginStop();
        pool.shutdown();
        boolean finished = true;
        try {
            finished = pool.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int released = 0;
        try {
            released = state.releaseAll(instance.get());
        } catch (RuntimeException e) {
            LOG.warnf("Could not release sync leases (they expire after %s): %s", config.leaseTtl(), e.getMessage());
        }
        if (finished) {
            LOG.infof("Shutdown: sync cycles stopped; %d sync lease(s) released", released);
        } else {
            LOG.warnf("Shutdown: sync cycles still running after %s; %d sync lease(s) released anyway",
                    config.shutdownTimeout(), released);
        }
    }
}
