package dev.taskmirror.writeback;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.CrashPoints;
import dev.taskmirror.common.InstanceId;
import dev.taskmirror.ops.LogContext;
import dev.taskmirror.remote.RemoteException;
import dev.taskmirror.remote.RemoteRejectedException;
import dev.taskmirror.remote.XpanderGateway;
import dev.taskmirror.task.TaskRecord;
import dev.taskmirror.task.TaskStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Pushes outbox saves to the remote: claims due rows (one per task, skip-locked so replicas never push the
 * same row), calls the remote outside any transaction, then records the answer. Transient failures are
 * retried with backoff; rejections are parked as failed. Delivery is at least once: an update is an
 * absolute merge and a stop is idempotent; a create that may have reached the remote is looked up by
 * its id before it is sent again.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxStore store;
    private final TaskStore tasks;
    private final XpanderGateway gateway;
    private final SecretSealer sealer;
    private final ObjectMapper mapper;
    private final OutboxConfig config;
    private final InstanceId instance;
    private final MeterRegistry registry;
    private final CrashPoints crashPoints;
    private final Semaphore wakeups = new Semaphore(0);
    private volatile boolean running;
    private Thread loop;
    private ExecutorService pushPool;

    OutboxRelay(OutboxStore store, TaskStore tasks, XpanderGateway gateway, SecretSealer sealer, ObjectMapper mapper,
            OutboxConfig config, InstanceId instance, MeterRegistry registry, CrashPoints crashPoints) {
        this.crashPoints = crashPoints;
        this.store = store;
        this.tasks = tasks;
        this.gateway = gateway;
        this.sealer = sealer;
        this.mapper = mapper;
        this.config = config;
        this.instance = instance;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("Outbox relay disabled (mirror.outbox.enabled=false)");
            return;
        }
        AtomicInteger n = new AtomicInteger();
        pushPool = Executors.newFixedThreadPool(Math.max(1, config.concurrency()), r -> {
            Thread t = new Thread(r, "mirror-relay-push-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        running = true;
        loop = new Thread(this::run, "mirror-relay");
        loop.setDaemon(true);
        loop.start();
    }

    /** First step of a graceful stop, as soon as shutdown begins: no new claims. */
    void beginStop(@Observes ShutdownDelayInitiatedEvent event) {
        if (running) {
            LOG.info("Shutdown: outbox relay claims no new saves");
        }
        running = false;
        wake();
    }

    /**
     * Graceful stop, after the sync scheduler's: saves being pushed finish and are recorded; any still
     * claimed after {@code mirror.outbox.shutdown-timeout} are released for another replica.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) ShutdownEvent event) {
        running = false;
        wake();
        if (loop == null) {
            return;
        }
        try {
            loop.join(Math.max(1, config.shutdownTimeout().toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean finished = !loop.isAlive();
        pushPool.shutdown();
        int released = 0;
        try {
            released = QuarkusTransaction.requiringNew().call(() -> OutboxRecord.update(
                    "claimedBy = null, claimedUntil = null where claimedBy = ?1 and state = ?2", instance.get(),
                    OutboxRecord.PENDING));
        } catch (RuntimeException e) {
            LOG.warnf("Could not release claimed saves (they expire after %s): %s", config.claimTtl(),
                    e.getMessage());
        }
        if (finished) {
            LOG.infof("Shutdown: outbox relay stopped; in-flight pushes finished, %d claim(s) released", released);
        } else {
            LOG.warnf("Shutdown: outbox relay pushes still running after %s; %d claim(s) released",
                    config.shutdownTimeout(), released);
        }
    }

    /** Asks the relay to look for due saves now (after a save commits). */
    public void wake() {
        wakeups.release();
    }

    private void run() {
        while (running) {
            try {
                List<Long> ids = store.claim(instance.get(), Math.max(1, config.concurrency()));
                if (ids.isEmpty()) {
                    wakeups.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    wakeups.drainPermits();
                    continue;
                }
                List<Future<?>> pushes = new ArrayList<>();
                for (Long id : ids) {
                    pushes.add(pushPool.submit(() -> push(id)));
                }
                for (Future<?> f : pushes) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warnf("Outbox relay cycle failed: %s", e.getMessage());
                sleep(config.pollInterval().toMillis());
            }
        }
    }

    /** Where a save stands after an immediate push attempt. */
    public record PushResult(State state, Integer httpStatus, String error) {
        public enum State {
            /** The remote acknowledged it; its answer is mirrored. */
            DONE,
            /** The remote refused it (or it failed too often); parked with the error. */
            FAILED,
            /** Not delivered yet (transient failure, or queued behind another save): the relay keeps trying. */
            PENDING
        }
    }

    /**
     * Write-through: pushes a just-committed save from the caller's thread when it can be claimed (no
     * transaction is open here). Whatever happens, the save stays safe in the outbox for the relay.
     */
    public PushResult pushNow(long id) {
        if (store.claimOne(id, instance.get())) {
            push(id);
        } else {
            awaitClaimedPush(id);
        }
        OutboxRecord item = store.find(id);
        if (item == null) {
            return new PushResult(PushResult.State.DONE, null, null);
        }
        if (OutboxRecord.FAILED.equals(item.state)) {
            return new PushResult(PushResult.State.FAILED, item.lastHttpStatus, item.lastError);
        }
        return new PushResult(PushResult.State.PENDING, item.lastHttpStatus, item.lastError);
    }

    /**
     * The relay loop (woken by the same save) or another replica may be pushing the save right now: its outcome
     * is the answer, so wait for that push to end (at most until its claim expires) rather than answering
     * "pending" while xpander is answering.
     */
    private void awaitClaimedPush(long id) {
        long deadline = System.nanoTime() + config.claimTtl().toNanos();
        while (System.nanoTime() < deadline) {
            OutboxRecord item = store.find(id);
            if (item == null || !OutboxRecord.PENDING.equals(item.state) || item.claimedBy == null
                    || item.claimedUntil == null || item.claimedUntil.isBefore(Instant.now())) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Pushes one claimed save. Public for tests that drive the relay step by step. */
    public void push(long id) {
        OutboxRecord item = store.find(id);
        if (item == null || !OutboxRecord.PENDING.equals(item.state)) {
            return;
        }
        try (LogContext ignored = LogContext.of(LogContext.TASK_ID, item.taskId, LogContext.OUTBOX_ID,
                Long.toString(id))) {
            push(id, item);
        }
    }

    private void push(long id, OutboxRecord item) {
        Instant observedAt = Instant.now();
        try {
            ArrayNode conflicts = mapper.createArrayNode();
            ObjectNode response = switch (item.kind) {
                case OutboxRecord.CREATE -> pushCreate(item);
                case OutboxRecord.UPDATE -> pushUpdate(item, conflicts);
                case OutboxRecord.STOP -> gateway.stopTask(item.taskId)
                        .orElseThrow(() -> gone(item));
                case OutboxRecord.REPORT -> gateway.reportTask(tasks.find(item.taskId).map(r -> r.agentId)
                        .orElseThrow(() -> new IllegalStateException("local task " + item.taskId + " is missing")),
                        item.payload);
                default -> throw new IllegalStateException("unknown save kind " + item.kind);
            };
            crashPoints.reached(CrashPoints.RELAY_AFTER_REMOTE_ACK);
            store.complete(id, response, observedAt, conflicts);
            registry.counter("mirror.outbox.pushed", "kind", item.kind, "outcome", "success").increment();
        } catch (RemoteRejectedException e) {
            if (e.status() == 401 || e.status() == 403) {
                // The upstream credentials are refused: every save would fail the same way. Keep them all
                // pending (with backoff) until the key is fixed instead of parking each one as failed.
                registry.counter("mirror.outbox.pushed", "kind", item.kind, "outcome", "unauthorized").increment();
                LOG.errorf("xpander refused the API key (HTTP %d): saves wait until XPANDER_API_KEY is fixed", e.status());
                store.retryLater(id, e.getMessage(), e.status(), null);
                return;
            }
            registry.counter("mirror.outbox.pushed", "kind", item.kind, "outcome", "rejected").increment();
            store.fail(id, e.status(), e.getMessage());
        } catch (RemoteException e) {
            registry.counter("mirror.outbox.pushed", "kind", item.kind, "outcome", "retry").increment();
            store.retryLater(id, e.getMessage(), e.status(), e.retryAfter().orElse(null));
        } catch (IllegalStateException e) {
            registry.counter("mirror.outbox.pushed", "kind", item.kind, "outcome", "rejected").increment();
            store.fail(id, 0, e.getMessage());
        } catch (RuntimeException e) {
            // Database trouble while recording: the claim expires and the save is pushed again (idempotently).
            LOG.warnf("Save #%d could not be recorded (%s); it will be retried after its claim expires", id,
                    e.getMessage());
        }
    }

    private ObjectNode pushCreate(OutboxRecord item) {
        Optional<TaskRecord> rec = tasks.find(item.taskId);
        String agentId = rec.map(r -> r.agentId).orElseThrow(() -> new IllegalStateException(
                "local task " + item.taskId + " of a pending create is missing"));
        boolean continuation = item.base != null && item.base.path("continuation").asBoolean(false);
        if (item.attempts > 1 && !continuation) {
            // An earlier attempt may have reached the remote before failing: never create twice.
            Optional<ObjectNode> existing = gateway.getTask(item.taskId);
            if (existing.isPresent()) {
                LOG.infof("Create of task %s had already reached the remote", item.taskId);
                return existing.get();
            }
        }
        ObjectNode body = item.payload.deepCopy();
        if (item.sealed != null) {
            body.setAll(parse(sealer.open(item.sealed)));
        }
        return gateway.createTask(agentId, item.agentVersion, body);
    }

    private ObjectNode pushUpdate(OutboxRecord item, ArrayNode conflicts) {
        ObjectNode send = item.payload.deepCopy();
        if (item.sealed != null) {
            send.setAll(parse(sealer.open(item.sealed)));
        }
        ObjectNode current = null;
        if (TaskPatch.REMOTE_OWNED.stream().anyMatch(send::has)) {
            // Status and result are owned by the remote: drop them if it changed them since the save.
            current = gateway.getTask(item.taskId).orElseThrow(() -> gone(item));
            for (String field : TaskPatch.REMOTE_OWNED) {
                if (!send.has(field)) {
                    continue;
                }
                JsonNode base = item.base == null ? null : item.base.get(field);
                JsonNode remote = current.get(field);
                if (!sameValue(base, remote)) {
                    ObjectNode c = conflicts.addObject();
                    c.put("field", field);
                    c.set("base", base);
                    c.set("local", send.get(field));
                    c.set("remote", remote);
                    c.put("resolution", "remote_kept");
                    send.remove(field);
                }
            }
            if (!conflicts.isEmpty()) {
                registry.counter("mirror.outbox.conflicts").increment(conflicts.size());
                LOG.infof("Save #%d of task %s: remote changed %s meanwhile; kept the remote's value", item.id,
                        item.taskId, conflicts.findValuesAsText("field"));
            }
        }
        if (send.isEmpty()) {
            return current;
        }
        if (send.has("payload_extension")) {
            send.set("tool_call_payload_extension", send.remove("payload_extension"));
        }
        return gateway.updateTask(item.taskId, send).orElseThrow(() -> gone(item));
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        boolean aNull = a == null || a.isNull() || a.isMissingNode();
        boolean bNull = b == null || b.isNull() || b.isMissingNode();
        return aNull ? bNull : a.equals(b);
    }

    private static RemoteRejectedException gone(OutboxRecord item) {
        return new RemoteRejectedException(item.kind + ": task " + item.taskId + " no longer exists on the remote (404)",
                404, "Task not found");
    }

    private ObjectNode parse(String json) {
        try {
            return (ObjectNode) mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("sealed secrets are not valid JSON", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
