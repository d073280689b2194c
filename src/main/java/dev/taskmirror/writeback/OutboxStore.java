package dev.taskmirror.writeback;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.task.RemoteObservation;
import dev.taskmirror.task.TaskRecord;
import dev.taskmirror.task.TaskStore;

/** Outbox state transitions, each in its own short transaction. */
@ApplicationScoped
public class OutboxStore {

    private static final Logger LOG = Logger.getLogger(OutboxStore.class);

    private final EntityManager em;
    private final TaskStore tasks;
    private final Overlays overlays;
    private final OutboxConfig config;

    OutboxStore(EntityManager em, TaskStore tasks, Overlays overlays, OutboxConfig config) {
        this.em = em;
        this.tasks = tasks;
        this.overlays = overlays;
        this.config = config;
    }

    /**
     * Claims up to {@code limit} due saves for this instance: the oldest pending save of each task only (saves
     * of one task are pushed in order, one at a time), skipping rows another instance is claiming.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Long> claim(String owner, int limit) {
        List<Number> ids = em.createNativeQuery("""
                update outbox o set claimed_by = ?1, claimed_until = now() + make_interval(secs => ?2),
                       attempts = o.attempts + 1, updated_at = now()
                where o.id in (
                    select c.id from outbox c
                    where c.state = 'pending' and c.next_attempt_at <= now()
                      and (c.claimed_until is null or c.claimed_until < now())
                      and not exists (select 1 from outbox p
                                      where p.task_id = c.task_id and p.state = 'pending' and p.id < c.id)
                    order by c.id
                    limit ?3
                    for update skip locked)
                returning o.id""")
                .setParameter(1, owner)
                .setParameter(2, config.claimTtl().toMillis() / 1000.0)
                .setParameter(3, limit)
                .getResultList();
        return ids.stream().map(Number::longValue).sorted().toList();
    }

    /**
     * Claims one save for an immediate push (write-through), if it is due and the oldest pending save of its
     * task; false when the relay or another replica has it, or an older save of the task must go first.
     */
    @Transactional
    public boolean claimOne(long id, String owner) {
        return em.createNativeQuery("""
                update outbox o set claimed_by = ?1, claimed_until = now() + make_interval(secs => ?2),
                       attempts = o.attempts + 1, updated_at = now()
                where o.id = ?3 and o.state = 'pending' and (o.claimed_until is null or o.claimed_until < now())
                  and not exists (select 1 from outbox p
                                  where p.task_id = o.task_id and p.state = 'pending' and p.id < o.id)""")
                .setParameter(1, owner)
                .setParameter(2, config.claimTtl().toMillis() / 1000.0)
                .setParameter(3, id)
                .executeUpdate() == 1;
    }

    @Transactional
    public OutboxRecord find(long id) {
        return OutboxRecord.findById(id);
    }

    /** The remote acknowledged the save: mirror its answer, drop the row, recompute the task's overlay. */
    @Transactional
    public void complete(long itemId, ObjectNode response, Instant observedAt, ArrayNode conflicts) {
        OutboxRecord item = OutboxRecord.findById(itemId);
        if (item == null) {
            return;
        }
        // The task row is locked before the response is applied: read first and locked afterwards, a sync
        // cycle's write of the same task in between failed the version check of the lock, and the save,
        // already accepted by the remote, was pushed a second time once its claim expired.
        TaskRecord rec = em.find(TaskRecord.class, item.taskId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (response != null) {
            tasks.applyRemote(List.of(new RemoteObservation(item.taskId, response, observedAt, null)));
        }
        if (rec == null) {
            rec = em.find(TaskRecord.class, item.taskId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        }
        item.delete();
        em.flush();
        if (rec != null) {
            if (rec.syncedAt == null) {
                rec.syncedAt = observedAt;
            }
            if (conflicts != null && !conflicts.isEmpty()) {
                rec.conflicts = conflicts;
            }
            overlays.recompute(rec);
        }
    }

    /** A transient failure: retry later with jittered exponential backoff, or park after too many attempts. */
    @Transactional
    public void retryLater(long itemId, String error, int httpStatus, Duration retryAfter) {
        OutboxRecord item = OutboxRecord.findById(itemId);
        if (item == null) {
            return;
        }
        if (item.attempts >= config.maxAttempts()) {
            park(item, httpStatus, "gave up after " + item.attempts + " attempts: " + error);
            return;
        }
        long cap = Math.min(config.backoffMax().toMillis(),
                config.backoffInitial().toMillis() << Math.min(item.attempts - 1, 20));
        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        if (retryAfter != null && retryAfter.toMillis() > delay) {
            delay = retryAfter.toMillis();
        }
        item.nextAttemptAt = Instant.now().plusMillis(delay);
        item.claimedBy = null;
        item.claimedUntil = null;
        item.lastError = truncate(error);
        item.lastHttpStatus = httpStatus == 0 ? null : httpStatus;
        item.updatedAt = Instant.now();
    }

    /** A permanent failure: park the save with its error, visible on the task and in {@code /outbox}. */
    @Transactional
    public void fail(long itemId, int httpStatus, String error) {
        OutboxRecord item = OutboxRecord.findById(itemId);
        if (item != null) {
            park(item, httpStatus, error);
        }
    }

    private void park(OutboxRecord item, int httpStatus, String error) {
        item.state = OutboxRecord.FAILED;
        item.claimedBy = null;
        item.claimedUntil = null;
        item.lastError = truncate(error);
        item.lastHttpStatus = httpStatus == 0 ? null : httpStatus;
        item.updatedAt = Instant.now();
        em.flush();
        LOG.warnf("Save #%d (%s of task %s) parked as failed: %s", item.id, item.kind, item.taskId, item.lastError);
        TaskRecord rec = em.find(TaskRecord.class, item.taskId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (rec != null) {
            overlays.recompute(rec);
        }
    }

    @Transactional
    public List<OutboxRecord> list(String state, int limit) {
        if (state == null) {
            return OutboxRecord.find("order by id").page(0, limit).list();
        }
        return OutboxRecord.find("state = ?1 order by id", state).page(0, limit).list();
    }

    /** Puts a failed save back in the queue with fresh attempts. */
    @Transactional
    public OutboxRecord retry(long itemId) {
        OutboxRecord item = requireFailed(itemId);
        item.state = OutboxRecord.PENDING;
        item.attempts = 0;
        item.nextAttemptAt = Instant.now();
        item.updatedAt = Instant.now();
        em.flush();
        TaskRecord rec = em.find(TaskRecord.class, item.taskId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (rec != null) {
            overlays.recompute(rec);
        }
        return item;
    }

    /** Discards a failed save: the task returns to the remote's state. */
    @Transactional
    public void discard(long itemId) {
        OutboxRecord item = requireFailed(itemId);
        String taskId = item.taskId;
        item.delete();
        em.flush();
        TaskRecord rec = em.find(TaskRecord.class, taskId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (rec != null) {
            overlays.recompute(rec);
        }
    }

    @Transactional
    public long countPending() {
        return OutboxRecord.count("state", OutboxRecord.PENDING);
    }

    private OutboxRecord requireFailed(long itemId) {
        OutboxRecord item = OutboxRecord.findById(itemId);
        if (item == null) {
            throw ApiProblem.notFound("Outbox item", Long.toString(itemId));
        }
        if (!OutboxRecord.FAILED.equals(item.state)) {
            throw new ApiProblem(409, "not-failed", "Save not failed",
                    "Outbox item " + itemId + " is " + item.state + "; only failed saves can be retried or discarded");
        }
        return item;
    }

    private static String truncate(String s) {
        if (s == null) {
            return null;
        }
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }
}
