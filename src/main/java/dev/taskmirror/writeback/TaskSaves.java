package dev.taskmirror.writeback;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.CrashPoints;
import dev.taskmirror.common.Timestamps;
import dev.taskmirror.remote.RemoteEndpoint;
import dev.taskmirror.task.Fingerprints;
import dev.taskmirror.task.Redaction;
import dev.taskmirror.task.TaskRecord;
import dev.taskmirror.task.TaskStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Accepts task saves: the local change and its outbox row are written in one transaction and the caller
 * is answered at once; the relay then pushes the save to the remote. A save committed here survives
 * crashes and restarts.
 */
@ApplicationScoped
public class TaskSaves {

    private final EntityManager em;
    private final ObjectMapper mapper;
    private final SecretSealer sealer;
    private final RemoteEndpoint endpoint;
    private final OutboxRelay relay;
    private final Overlays overlays;
    private final CrashPoints crashPoints;

    TaskSaves(EntityManager em, ObjectMapper mapper, SecretSealer sealer, RemoteEndpoint endpoint, OutboxRelay relay,
            Overlays overlays, CrashPoints crashPoints) {
        this.em = em;
        this.mapper = mapper;
        this.sealer = sealer;
        this.endpoint = endpoint;
        this.relay = relay;
        this.overlays = overlays;
        this.crashPoints = crashPoints;
    }

    /**
     * Creates a task. With an idempotency key, a retry with the same request returns the first task; a
     * different request under the same key is refused (422).
     */
    public SaveOutcome create(CreateTaskRequest request, String idempotencyKey) {
        String taskId = UUID.randomUUID().toString();
        ObjectNode body = CreateBodies.remoteBody(mapper, taskId, request);
        String fingerprint = idempotencyKey == null ? null : fingerprint(request);
        return createFromBody(taskId, request.agentId(), request.agentVersion(), body, idempotencyKey, fingerprint);
    }

    /**
     * Creates (or, when {@code body.id} names a mirrored task, continues) a task from a body in the SDK's
     * create shape (contract 2.2), as sent to the xpander-compatible surface.
     */
    public SaveOutcome createFromSdk(String agentId, String agentVersion, ObjectNode body) {
        JsonNode id = body.get("id");
        String taskId = id == null || id.isNull() || id.asText().isBlank() ? UUID.randomUUID().toString() : id.asText();
        ObjectNode copy = body.deepCopy();
        copy.put("id", taskId);
        return createFromBody(taskId, agentId, agentVersion, copy, null, null);
    }

    private SaveOutcome createFromBody(String taskId, String agentId, String agentVersion, ObjectNode body,
            String idempotencyKey, String requestFingerprint) {
        SaveOutcome outcome = QuarkusTransaction.requiringNew().call(() -> {
            if (idempotencyKey != null) {
                Optional<SaveOutcome> replay = claimKey(idempotencyKey, "create", requestFingerprint, taskId);
                if (replay.isPresent()) {
                    return replay.get();
                }
            }
            Instant now = Timestamps.micros(Instant.now());
            ObjectNode payload = body.deepCopy();
            String sealed = null;
            if (CreateBodies.hasSecrets(body)) {
                ObjectNode secrets = mapper.createObjectNode();
                for (String k : CreateBodies.SECRET_KEYS) {
                    secrets.set(k, body.get(k));
                }
                sealed = sealer.seal(write(secrets));
                payload = Redaction.redact(payload).document();
            }
            TaskRecord existing = em.find(TaskRecord.class, taskId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            boolean continuation = existing != null;
            if (continuation) {
                if (!existing.agentId.equals(agentId)) {
                    throw new ApiProblem(409, "task-of-another-agent", "Task belongs to another agent",
                            "Task '" + taskId + "' belongs to another agent");
                }
            } else {
                ObjectNode local = CreateBodies.localDocument(mapper, agentId, endpoint.organizationId().orElse(null),
                        agentVersion, body, now);
                Redaction.Result red = Redaction.redact(local);
                TaskRecord rec = new TaskRecord();
                rec.id = taskId;
                rec.agentId = agentId;
                rec.document = red.document();
                rec.redactedPaths = red.paths().isEmpty() ? null : mapper.valueToTree(red.paths());
                rec.fingerprint = Fingerprints.of(red.document());
                rec.observedAt = now;
                rec.syncState = "pending";
                rec.deriveColumns();
                rec.updatedAt = now;
                rec.persist();
            }
            OutboxRecord item = newItem(taskId, OutboxRecord.CREATE, payload,
                    continuation ? mapper.createObjectNode().put("continuation", true) : null, now);
            item.sealed = sealed;
            item.agentVersion = agentVersion;
            item.persist();
            if (continuation) {
                em.flush();
                overlays.recompute(existing);
            }
            return new SaveOutcome(taskId, true, item.id);
        });
        crashPoints.reached(CrashPoints.SAVE_AFTER_COMMIT);
        relay.wake();
        return outcome;
    }

    /**
     * Reports a task executed outside xpander (E10): stored locally as finished and pushed to the remote,
     * whose answer then becomes the mirrored task. A report for an existing id overwrites it (idempotent).
     */
    public SaveOutcome reportFromSdk(String agentId, ObjectNode report) {
        JsonNode id = report.get("id");
        String taskId = id == null || id.isNull() || id.asText().isBlank() ? UUID.randomUUID().toString() : id.asText();
        ObjectNode payload = report.deepCopy();
        payload.put("id", taskId);
        SaveOutcome outcome = QuarkusTransaction.requiringNew().call(() -> {
            Instant now = Timestamps.micros(Instant.now());
            TaskRecord existing = em.find(TaskRecord.class, taskId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            if (existing != null && !existing.agentId.equals(agentId)) {
                throw new ApiProblem(409, "task-of-another-agent", "Task belongs to another agent",
                        "Task '" + taskId + "' belongs to another agent");
            }
            if (existing == null) {
                ObjectNode local = CreateBodies.reportDocument(mapper, taskId, agentId,
                        endpoint.organizationId().orElse(null), payload, now);
                TaskRecord rec = new TaskRecord();
                rec.id = taskId;
                rec.agentId = agentId;
                rec.document = local;
                rec.fingerprint = Fingerprints.of(local);
                rec.observedAt = now;
                rec.syncState = "pending";
                rec.deriveColumns();
                rec.updatedAt = now;
                rec.persist();
            }
            OutboxRecord item = newItem(taskId, OutboxRecord.REPORT, payload, null, now);
            item.persist();
            if (existing != null) {
                em.flush();
                overlays.recompute(existing);
            }
            return new SaveOutcome(taskId, existing == null, item.id);
        });
        crashPoints.reached(CrashPoints.SAVE_AFTER_COMMIT);
        relay.wake();
        return outcome;
    }

    /** Saves fields of a task (merge). {@code ifMatch}, when given, must equal the task's current ETag. */
    public SaveOutcome update(String taskId, TaskPatch patch, String ifMatch) {
        return updateChanges(taskId, patch.toChanges(), ifMatch);
    }

    /**
     * Saves already validated changes keyed by Task field name (the xpander-compatible surface forwards any
     * field the client changed). The base values recorded are the served ones at this moment.
     */
    public SaveOutcome updateChanges(String taskId, ObjectNode changes, String ifMatch) {
        Long id = QuarkusTransaction.requiringNew().call(() -> {
            TaskRecord rec = lockLive(taskId, ifMatch);
            ObjectNode served = rec.served();
            ObjectNode base = mapper.createObjectNode();
            changes.fieldNames().forEachRemaining(f -> base.set(f, served.path(f).isMissingNode()
                    ? mapper.nullNode() : served.get(f)));
            // New secret values (a rotated OIDC token, MCP credentials) are sealed like a create's, never
            // stored, shown in the overlay or listed in the outbox in clear.
            Redaction.Result red = Redaction.redact(changes);
            boolean secret = !red.paths().isEmpty();
            OutboxRecord item = newItem(taskId, OutboxRecord.UPDATE, secret ? red.document() : changes, base,
                    Timestamps.micros(Instant.now()));
            if (secret) {
                ObjectNode secrets = mapper.createObjectNode();
                for (String k : CreateBodies.SECRET_KEYS) {
                    if (changes.has(k)) {
                        secrets.set(k, changes.get(k));
                    }
                }
                item.sealed = sealer.seal(write(secrets));
            }
            item.persist();
            em.flush();
            overlays.recompute(rec);
            return item.id;
        });
        crashPoints.reached(CrashPoints.SAVE_AFTER_COMMIT);
        relay.wake();
        return new SaveOutcome(taskId, false, id);
    }

    /** Stops a task on the remote; the task shows {@code stopped} at once, pending confirmation. */
    public SaveOutcome stop(String taskId, String ifMatch) {
        Long id = QuarkusTransaction.requiringNew().call(() -> {
            TaskRecord rec = lockLive(taskId, ifMatch);
            OutboxRecord item = newItem(taskId, OutboxRecord.STOP, mapper.createObjectNode(), null,
                    Timestamps.micros(Instant.now()));
            item.persist();
            em.flush();
            overlays.recompute(rec);
            return item.id;
        });
        crashPoints.reached(CrashPoints.SAVE_AFTER_COMMIT);
        relay.wake();
        return new SaveOutcome(taskId, false, id);
    }

    /** Strong ETag of a task's served state: changes whenever anything served changes. */
    public static String etag(long version) {
        return "\"v" + version + "\"";
    }

    private TaskRecord lockLive(String taskId, String ifMatch) {
        TaskRecord rec = em.find(TaskRecord.class, taskId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (rec == null) {
            throw ApiProblem.notFound("Task", taskId);
        }
        if (rec.isDeleted()) {
            throw new ApiProblem(409, "task-deleted", "Task deleted",
                    "Task '" + taskId + "' was deleted on the remote and cannot be saved");
        }
        if (ifMatch != null && !ifMatch.isBlank() && !matches(ifMatch, etag(rec.version))) {
            throw new ApiProblem(412, "precondition-failed", "Precondition failed",
                    "If-Match " + ifMatch + " does not match the task's current ETag " + etag(rec.version)
                            + "; read the task again and reapply the change");
        }
        return rec;
    }

    private static boolean matches(String ifMatch, String etag) {
        for (String part : ifMatch.split(",")) {
            String p = part.trim();
            if (p.equals("*") || p.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private OutboxRecord newItem(String taskId, String kind, ObjectNode payload, ObjectNode base, Instant now) {
        OutboxRecord item = new OutboxRecord();
        item.taskId = taskId;
        item.kind = kind;
        item.payload = payload;
        item.base = base;
        item.state = OutboxRecord.PENDING;
        item.nextAttemptAt = now;
        item.createdAt = now;
        item.updatedAt = now;
        return item;
    }

    /**
     * Reserves an idempotency key in the current transaction. A concurrent request with the same key waits
     * on the primary key until the first commits, then replays it.
     */
    private Optional<SaveOutcome> claimKey(String key, String operation, String fingerprint, String taskId) {
        if (key.isBlank() || key.length() > 255) {
            throw ApiProblem.badRequest("Idempotency-Key must be 1 to 255 characters",
                    List.of(new ApiProblem.InvalidParam("Idempotency-Key", "1 to 255 characters")));
        }
        int inserted = em.createNativeQuery("insert into idempotency_key (idem_key, operation, fingerprint, task_id) "
                + "values (?1, ?2, ?3, ?4) on conflict (idem_key) do nothing")
                .setParameter(1, key).setParameter(2, operation).setParameter(3, fingerprint).setParameter(4, taskId)
                .executeUpdate();
        if (inserted == 1) {
            return Optional.empty();
        }
        Object[] row = (Object[]) em.createNativeQuery("select operation, fingerprint, task_id from idempotency_key "
                + "where idem_key = ?1").setParameter(1, key).getSingleResult();
        if (!operation.equals(row[0]) || !fingerprint.equals(row[1])) {
            throw new ApiProblem(422, "idempotency-key-reused", "Idempotency key reused",
                    "Idempotency-Key '" + key + "' was already used with a different request");
        }
        return Optional.of(new SaveOutcome((String) row[2], false, null));
    }

    private String fingerprint(Object request) {
        JsonNode tree = mapper.valueToTree(request);
        return Fingerprints.of(tree);
    }

    private String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a served status may still be stopped (used by overlays). */
    static boolean stoppable(String status) {
        return !TaskStatus.isTerminal(status);
    }
}
