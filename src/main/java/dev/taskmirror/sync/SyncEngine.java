package dev.taskmirror.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.Errors;
import dev.taskmirror.common.InstanceId;
import dev.taskmirror.common.Timestamps;
import dev.taskmirror.ops.LogContext;
import dev.taskmirror.remote.RemoteException;
import dev.taskmirror.remote.XpanderGateway;
import dev.taskmirror.task.ApplyResult;
import dev.taskmirror.task.Fingerprints;
import dev.taskmirror.task.LocalSummary;
import dev.taskmirror.task.RemoteObservation;
import dev.taskmirror.task.TaskStatus;
import dev.taskmirror.task.TaskStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Runs sync cycles. The remote offers no delta API, so a full cycle relists a scope and diffs it against
 * the store (informer-style): only new or changed tasks are fetched, a task missing from a list is
 * confirmed with a GET before it is tombstoned, and a cycle without remote changes writes no task row.
 * Remote calls happen outside transactions; results are applied in short batch transactions.
 */
@ApplicationScoped
public class SyncEngine {

    private static final Logger LOG = Logger.getLogger(SyncEngine.class);

    private final XpanderGateway gateway;
    private final TaskStore store;
    private final SyncStateStore state;
    private final SyncConfig config;
    private final InstanceId instance;
    private final MeterRegistry registry;
    private final ExecutorService fetchPool;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    SyncEngine(XpanderGateway gateway, TaskStore store, SyncStateStore state, SyncConfig config, InstanceId instance,
            MeterRegistry registry) {
        this.gateway = gateway;
        this.store = store;
        this.state = state;
        this.config = config;
        this.instance = instance;
        this.registry = registry;
        this.fetchPool = Executors.newFixedThreadPool(Math.max(1, config.fetchConcurrency()), named("mirror-fetch"));
    }

    /** Thrown when a cycle of the same scope is already running here, or another replica holds its lease. */
    public static class ScopeBusyException extends RuntimeException {
        public ScopeBusyException(String message) {
            super(message);
        }
    }

    /** Thrown when the service is shutting down: the cycle did not start, or stopped between pages. */
    public static class CycleStoppedException extends ScopeBusyException {
        public CycleStoppedException(String message) {
            super(message);
        }
    }

    /** Runs one cycle now. Never overlaps another cycle of the same scope, on any replica. */
    public CycleStats runCycle(SyncScope scope, CycleKind kind) {
        return runCycle(scope, kind, Duration.ZERO);
    }

    /**
     * Runs one cycle, waiting up to {@code wait} for a cycle of the same scope already running here to end
     * (an operator's "sync now" should not fail just because the scheduler is mid-cycle).
     */
    public CycleStats runCycle(SyncScope scope, CycleKind kind, Duration wait) {
        try (LogContext ignored = LogContext.forScope(scope.kind(), scope.refId())) {
            return runCycleInContext(scope, kind, wait);
        }
    }

    private CycleStats runCycleInContext(SyncScope scope, CycleKind kind, Duration wait) {
        if (stopping) {
            throw new CycleStoppedException("Not starting a sync cycle of " + scope.key() + ": shutting down");
        }
        ReentrantLock lock = locks.computeIfAbsent(scope.key(), k -> new ReentrantLock());
        boolean locked;
        try {
            locked = wait.isZero() ? lock.tryLock() : lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = false;
        }
        if (!locked) {
            throw new ScopeBusyException("A sync cycle of " + scope.key() + " is already running");
        }
        try {
            state.ensure(List.of(scope));
            if (!state.claim(scope, instance.get(), config.leaseTtl())) {
                throw new ScopeBusyException(scope.key() + " is being synced by another instance");
            }
            Instant startedAt = Instant.now();
            Timer.Sample sample = Timer.start(registry);
            try {
                Cycle cycle = new Cycle(scope, kind);
                CycleStats stats = cycle.run();
                state.recordSuccess(scope, stats, startedAt, kind == CycleKind.HOT ? null : cycle.listed);
                sample.stop(registry.timer("mirror.sync.cycle", "scope", scope.kind(), "kind", kind.label(),
                        "outcome", "success"));
                registry.counter("mirror.sync.tasks.fetched", "scope", scope.kind()).increment(stats.fetched());
                registry.counter("mirror.sync.tasks.written", "scope", scope.kind()).increment(stats.written());
                registry.counter("mirror.sync.tasks.tombstoned", "scope", scope.kind()).increment(stats.tombstoned());
                if (stats.written() > 0 || stats.tombstoned() > 0 || kind != CycleKind.HOT) {
                    LOG.infof("Sync %s %s: listed %d, fetched %d, written %d, tombstoned %d in %d ms", kind.label(),
                            scope.key(), stats.listed(), stats.fetched(), stats.written(), stats.tombstoned(),
                            stats.durationMs());
                }
                return stats;
            } catch (CycleStoppedException e) {
                // Pages applied so far are committed; the rest is picked up by the next cycle of any replica.
                sample.stop(registry.timer("mirror.sync.cycle", "scope", scope.kind(), "kind", kind.label(),
                        "outcome", "stopped"));
                LOG.infof("Sync %s %s stopped for shutdown: %s", kind.label(), scope.key(), e.getMessage());
                throw e;
            } catch (RuntimeException e) {
                sample.stop(registry.timer("mirror.sync.cycle", "scope", scope.kind(), "kind", kind.label(),
                        "outcome", "failure"));
                // The root cause: a failed commit arrives wrapped ("Error invoking subclass method").
                LOG.warnf("Sync %s %s failed: %s", kind.label(), scope.key(), Errors.describe(e));
                state.recordFailure(scope, kind, startedAt, e.getMessage());
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Re-reads single tasks now (event hints, {@code ?refresh=true}); outside any scope lease. */
    public ApplyResult refresh(List<String> ids) {
        List<Fetched> results = fetchAll(ids.stream().map(id -> new Fetch(id, null, false)).toList());
        return applyChunk(results, new AtomicInteger());
    }

    /**
     * Stops taking new cycles and pages: a page being applied completes (one transaction), a page still
     * being fetched is abandoned unapplied, and the cycle ends without being recorded as a success.
     */
    public void stop() {
        stopping = true;
    }

    public boolean stopping() {
        return stopping;
    }

    @PreDestroy
    void shutdown() {
        stopping = true;
        // Fetches still running belong to abandoned pages: their results are never applied.
        fetchPool.shutdownNow();
        try {
            fetchPool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A task to read, with the list entry that made it interesting (null when there is none). */
    private record Fetch(String id, ObjectNode listItem, boolean missing) {
    }

    private record Fetched(Fetch fetch, Instant observedAt, Optional<ObjectNode> doc, RuntimeException error) {
    }

    private final class Cycle {
        final SyncScope scope;
        final CycleKind kind;
        int listed;
        int listCalls;

        Cycle(SyncScope scope, CycleKind kind) {
            this.scope = scope;
            this.kind = kind;
        }

        CycleStats run() {
            long t0 = System.nanoTime();
            Map<String, ObjectNode> items;
            if (kind == CycleKind.HOT) {
                items = new LinkedHashMap<>();
                for (String status : TaskStatus.UNFINISHED) {
                    items.putAll(dedupe(list(Map.of("status", status))));
                }
            } else {
                items = dedupe(list(Map.of()));
            }
            listed = items.size();
            if (stopping) {
                throw new CycleStoppedException("stopped after listing, before any page");
            }
            Map<String, LocalSummary> local = new HashMap<>();
            List<LocalSummary> known = kind == CycleKind.HOT ? store.summaries(items.keySet())
                    : store.summaries(scope.kind(), scope.refId());
            for (LocalSummary s : known) {
                local.put(s.id(), s);
            }
            List<Fetch> fetches = new ArrayList<>();
            int stale = 0;
            for (ObjectNode item : items.values()) {
                String id = item.path("id").asText();
                LocalSummary l = local.get(id);
                if (l == null || l.deleted()) {
                    fetches.add(new Fetch(id, item, false));
                    continue;
                }
                if (Fingerprints.of(item).equals(l.listFingerprint())) {
                    if (kind == CycleKind.RECONCILE && TaskStatus.UNFINISHED.contains(l.status())) {
                        fetches.add(new Fetch(id, item, false));
                    }
                    continue;
                }
                Instant itemUpdated = Timestamps.parse(item.get("updated_at"));
                if (itemUpdated != null && l.remoteUpdatedAt() != null && itemUpdated.isBefore(l.remoteUpdatedAt())) {
                    stale++;
                    continue;
                }
                fetches.add(new Fetch(id, item, false));
            }
            Instant now = Instant.now();
            if (kind == CycleKind.HOT) {
                for (String id : store.unfinishedIds(scope.kind(), scope.refId())) {
                    if (!items.containsKey(id)) {
                        fetches.add(new Fetch(id, null, false));
                    }
                }
            } else {
                for (LocalSummary l : local.values()) {
                    if (l.deleted() || items.containsKey(l.id()) || l.unacknowledgedCreate()) {
                        continue;
                    }
                    boolean due = kind == CycleKind.RECONCILE || l.missingCheckedAt() == null
                            || l.missingCheckedAt().plus(config.missingRecheck()).isBefore(now);
                    if (due) {
                        fetches.add(new Fetch(l.id(), null, true));
                    }
                }
            }
            AtomicInteger tombstoned = new AtomicInteger();
            ApplyResult applied = process(fetches, tombstoned);
            if (stale > 0) {
                registry.counter("mirror.sync.stale.observations").increment(stale);
            }
            return new CycleStats(kind, listed, fetches.size(), applied.written(), applied.unchanged(),
                    applied.stale() + stale, tombstoned.get(), listCalls, (System.nanoTime() - t0) / 1_000_000);
        }

        private ArrayNode list(Map<String, String> filters) {
            listCalls++;
            return "agent".equals(scope.kind()) ? gateway.listAgentTasks(scope.refId(), filters)
                    : gateway.listUserTasks(scope.refId(), filters);
        }

        /** Fetches in chunks, pipelined: the next chunk is in flight while the current one is applied. */
        private ApplyResult process(List<Fetch> fetches, AtomicInteger tombstoned) {
            ApplyResult total = ApplyResult.EMPTY;
            int size = Math.max(1, config.batchSize());
            List<CompletableFuture<Fetched>> inFlight = submit(fetches, 0, size);
            int failures = 0;
            RuntimeException firstError = null;
            for (int start = 0; start < fetches.size(); start += size) {
                List<Fetched> results = awaitPage(inFlight);
                if (results == null) {
                    throw new CycleStoppedException("stopped after " + start + " of " + fetches.size()
                            + " fetches; the page being fetched was not applied");
                }
                inFlight = submit(fetches, start + size, size);
                for (Fetched f : results) {
                    if (f.error() != null) {
                        failures++;
                        firstError = firstError == null ? f.error() : firstError;
                    }
                }
                total = total.plus(applyChunk(results, tombstoned));
                if (start + size < fetches.size() && !state.claim(scope, instance.get(), config.leaseTtl())) {
                    throw new ScopeBusyException("Lease of " + scope.key() + " lost during the cycle");
                }
            }
            if (failures > 0) {
                throw new RemoteException(failures + " of " + fetches.size() + " task fetches failed; first: "
                        + firstError.getMessage(), 0, true, null, firstError);
            }
            return total;
        }

        private List<CompletableFuture<Fetched>> submit(List<Fetch> fetches, int from, int size) {
            List<CompletableFuture<Fetched>> futures = new ArrayList<>();
            for (int i = from; i < Math.min(fetches.size(), from + size); i++) {
                Fetch f = fetches.get(i);
                futures.add(CompletableFuture.supplyAsync(() -> fetchOne(f), fetchPool));
            }
            return futures;
        }
    }

    /** The page's fetch results, or null when the engine stops first (the page is then abandoned). */
    private List<Fetched> awaitPage(List<CompletableFuture<Fetched>> page) {
        CompletableFuture<Void> all = CompletableFuture.allOf(page.toArray(CompletableFuture[]::new));
        while (!stopping) {
            try {
                all.get(200, TimeUnit.MILLISECONDS);
                return stopping ? null : page.stream().map(CompletableFuture::join).toList();
            } catch (TimeoutException e) {
                // check stopping again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                return page.stream().map(CompletableFuture::join).toList();
            }
        }
        return null;
    }

    private List<Fetched> fetchAll(List<Fetch> fetches) {
        List<CompletableFuture<Fetched>> futures = fetches.stream()
                .map(f -> CompletableFuture.supplyAsync(() -> fetchOne(f), fetchPool)).toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private Fetched fetchOne(Fetch f) {
        Instant at = Instant.now();
        if (stopping) {
            return new Fetched(f, at, Optional.empty(), new CycleStoppedException("shutting down"));
        }
        try {
            return new Fetched(f, at, gateway.getTask(f.id()), null);
        } catch (RuntimeException e) {
            return new Fetched(f, at, Optional.empty(), e);
        }
    }

    /** Applies one chunk of fetch results: documents in one transaction, then tombstones for 404s. */
    private ApplyResult applyChunk(List<Fetched> results, AtomicInteger tombstoned) {
        List<RemoteObservation> observations = new ArrayList<>();
        List<String> confirmedMissing = new ArrayList<>();
        for (Fetched f : results) {
            if (f.error() == null && f.doc().isPresent()) {
                ObjectNode doc = f.doc().get();
                if (!f.fetch().id().equals(doc.path("id").asText())) {
                    LOG.warnf("Remote answered task %s for a GET of %s; ignored", doc.path("id").asText(),
                            f.fetch().id());
                    continue;
                }
                observations.add(new RemoteObservation(f.fetch().id(), doc, f.observedAt(), f.fetch().listItem()));
                if (f.fetch().missing()) {
                    confirmedMissing.add(f.fetch().id());
                }
            }
        }
        ApplyResult result = store.applyRemote(observations);
        store.markMissingChecked(confirmedMissing, Instant.now());
        for (Fetched f : results) {
            if (f.error() == null && f.doc().isEmpty() && store.tombstone(f.fetch().id(), f.observedAt(), "remote_404")) {
                tombstoned.incrementAndGet();
            }
        }
        return result;
    }

    /** One entry per id; when the list repeats an id, the entry with the latest {@code updated_at} wins. */
    static Map<String, ObjectNode> dedupe(ArrayNode list) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (JsonNode n : list) {
            if (!(n instanceof ObjectNode item) || !item.hasNonNull("id")) {
                continue;
            }
            String id = item.get("id").asText();
            ObjectNode prev = out.get(id);
            if (prev == null) {
                out.put(id, item);
            } else {
                Instant a = Timestamps.parse(prev.get("updated_at"));
                Instant b = Timestamps.parse(item.get("updated_at"));
                if (a == null || (b != null && b.isAfter(a))) {
                    out.put(id, item);
                }
            }
        }
        return out;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
