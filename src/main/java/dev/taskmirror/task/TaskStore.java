package dev.taskmirror.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.Timestamps;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes remote state into the mirror. Every method is one short transaction; callers fetch from the
 * remote first, outside any transaction.
 * <p>
 * Rules: a remote state is applied only if it was observed after the stored one and its remote
 * {@code updated_at} (when known) is not older, so nothing moves backwards; an unchanged document writes
 * nothing; pending local saves (the overlay) stay applied on top of the new document.
 */
@ApplicationScoped
public class TaskStore {

    private static final Logger LOG = Logger.getLogger(TaskStore.class);

    private final EntityManager em;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;

    TaskStore(EntityManager em, ObjectMapper mapper, MeterRegistry registry) {
        this.em = em;
        this.mapper = mapper;
        this.registry = registry;
    }

    @Transactional
    public ApplyResult applyRemote(List<RemoteObservation> observations) {
        if (observations.isEmpty()) {
            return ApplyResult.EMPTY;
        }
        Map<String, TaskRecord> existing = load(observations.stream().map(RemoteObservation::id).toList());
        int inserted = 0, updated = 0, unchanged = 0, stale = 0;
        for (RemoteObservation obs : observations) {
            TaskRecord rec = existing.get(obs.id());
            switch (apply(rec, obs)) {
                case INSERTED -> {
                    inserted++;
                }
                case UPDATED -> updated++;
                case UNCHANGED -> unchanged++;
                case STALE -> stale++;
            }
            if (rec == null) {
                existing.put(obs.id(), TaskRecord.findById(obs.id()));
            }
        }
        if (stale > 0) {
            registry.counter("mirror.sync.stale.observations").increment(stale);
        }
        return new ApplyResult(inserted, updated, unchanged, stale);
    }

    private enum Outcome {
        INSERTED, UPDATED, UNCHANGED, STALE
    }

    private Outcome apply(TaskRecord rec, RemoteObservation obs) {
        Redaction.Result red = Redaction.redact(obs.raw());
        ObjectNode doc = red.document();
        String fingerprint = Fingerprints.of(doc);
        Instant listUpdatedAt = obs.listItem() == null ? null
                : Timestamps.micros(Timestamps.parse(obs.listItem().get("updated_at")));
        String listFingerprint = obs.listItem() == null ? null : Fingerprints.of(obs.listItem());
        Instant observedAt = Timestamps.micros(obs.observedAt());
        if (rec == null) {
            rec = new TaskRecord();
            rec.id = obs.id();
            rec.agentId = doc.path("agent_id").asText(null);
            rec.document = doc;
            rec.redactedPaths = paths(red.paths());
            rec.fingerprint = fingerprint;
            rec.observedAt = observedAt;
            rec.syncedAt = observedAt;
            rec.syncState = "synced";
            rec.remoteUpdatedAt = listUpdatedAt;
            rec.listFingerprint = listFingerprint;
            rec.deriveColumns();
            rec.updatedAt = listUpdatedAt != null ? listUpdatedAt : latestTimestamp(rec, null);
            if (rec.agentId == null) {
                LOG.warnf("Remote task %s has no agent_id; skipped", obs.id());
                return Outcome.STALE;
            }
            rec.persist();
            return Outcome.INSERTED;
        }
        boolean olderObservation = rec.observedAt != null && observedAt.isBefore(rec.observedAt);
        boolean olderRemote = listUpdatedAt != null && rec.remoteUpdatedAt != null
                && listUpdatedAt.isBefore(rec.remoteUpdatedAt);
        if (olderObservation || olderRemote) {
            LOG.debugf("Ignoring stale observation of task %s", obs.id());
            return Outcome.STALE;
        }
        boolean changed = !fingerprint.equals(rec.fingerprint) || rec.isDeleted();
        if (listUpdatedAt != null && (rec.remoteUpdatedAt == null || listUpdatedAt.isAfter(rec.remoteUpdatedAt))) {
            rec.remoteUpdatedAt = listUpdatedAt;
            if (!listUpdatedAt.equals(rec.updatedAt)) {
                changed = true;
            }
        }
        // Assign bookkeeping fields only when they differ: an unchanged task must not be rewritten.
        if (listFingerprint != null && !listFingerprint.equals(rec.listFingerprint)) {
            rec.listFingerprint = listFingerprint;
        }
        if (rec.missingSince != null || rec.missingCheckedAt != null) {
            rec.missingSince = null;
            rec.missingCheckedAt = null;
        }
        if (!changed) {
            return Outcome.UNCHANGED;
        }
        rec.observedAt = observedAt;
        rec.syncedAt = observedAt;
        if (rec.isDeleted()) {
            LOG.infof("Task %s reappeared on the remote after being tombstoned", rec.id);
            rec.deletedAt = null;
            rec.deletionReason = null;
        }
        rec.document = doc;
        rec.redactedPaths = paths(red.paths());
        rec.fingerprint = fingerprint;
        rec.deriveColumns();
        rec.updatedAt = rec.remoteUpdatedAt != null && !rec.remoteUpdatedAt.isBefore(latestTimestamp(rec, null))
                ? rec.remoteUpdatedAt
                : latestTimestamp(rec, rec.updatedAt);
        return Outcome.UPDATED;
    }

    /** Marks a task deleted after the remote answered 404 to a GET issued at {@code observedAt}. */
    @Transactional
    public boolean tombstone(String id, Instant observedAt, String reason) {
        TaskRecord rec = TaskRecord.findById(id);
        if (rec == null || rec.isDeleted()) {
            return false;
        }
        if (rec.observedAt != null && observedAt.isBefore(rec.observedAt)) {
            return false;
        }
        if (rec.syncedAt == null) {
            return false;
        }
        rec.deletedAt = Timestamps.micros(observedAt);
        rec.deletionReason = reason;
        rec.observedAt = Timestamps.micros(observedAt);
        rec.updatedAt = Timestamps.micros(observedAt);
        LOG.infof("Task %s tombstoned (%s)", id, reason);
        return true;
    }

    /** Records that a task absent from a complete remote list was confirmed present by a GET. */
    @Transactional
    public void markMissingChecked(Collection<String> ids, Instant at) {
        if (ids.isEmpty()) {
            return;
        }
        em.createQuery("update TaskRecord t set t.missingSince = coalesce(t.missingSince, :at), "
                + "t.missingCheckedAt = :at where t.id in :ids")
                .setParameter("at", Timestamps.micros(at))
                .setParameter("ids", ids)
                .executeUpdate();
    }

    @Transactional
    public List<LocalSummary> summaries(String scopeKind, String refId) {
        String field = "agent".equals(scopeKind) ? "agentId" : "userId";
        return em.createQuery("select new dev.taskmirror.task.LocalSummary(t.id, t.status, t.remoteUpdatedAt, "
                + "t.listFingerprint, t.deletedAt, t.missingSince, t.missingCheckedAt, t.syncState, t.syncedAt) "
                + "from TaskRecord t where t." + field + " = :ref", LocalSummary.class)
                .setParameter("ref", refId)
                .getResultList();
    }

    /** Live tasks of a scope whose served status is not terminal. */
    @Transactional
    public List<String> unfinishedIds(String scopeKind, String refId) {
        String field = "agent".equals(scopeKind) ? "agentId" : "userId";
        return em.createQuery("select t.id from TaskRecord t where t." + field + " = :ref and t.status in :st "
                + "and t.deletedAt is null and t.syncedAt is not null", String.class)
                .setParameter("ref", refId)
                .setParameter("st", TaskStatus.UNFINISHED)
                .getResultList();
    }

    @Transactional
    public Optional<TaskRecord> find(String id) {
        return Optional.ofNullable(TaskRecord.findById(id));
    }

    private Map<String, TaskRecord> load(List<String> ids) {
        Map<String, TaskRecord> map = new HashMap<>();
        List<String> unique = ids.stream().distinct().toList();
        for (int i = 0; i < unique.size(); i += 500) {
            List<TaskRecord> found = TaskRecord.list("id in ?1", unique.subList(i, Math.min(unique.size(), i + 500)));
            for (TaskRecord r : found) {
                map.put(r.id, r);
            }
        }
        return map;
    }

    private ArrayNode paths(List<String> paths) {
        if (paths.isEmpty()) {
            return null;
        }
        ArrayNode a = mapper.createArrayNode();
        paths.forEach(a::add);
        return a;
    }

    /** Latest lifecycle timestamp of the document: the best "last remote change" when no list item says. */
    private static Instant latestTimestamp(TaskRecord rec, Instant floor) {
        Instant latest = rec.createdAt;
        for (Instant t : new Instant[] { rec.startedAt, rec.pausedAt, rec.finishedAt, floor }) {
            if (t != null && (latest == null || t.isAfter(latest))) {
                latest = t;
            }
        }
        return latest;
    }

    public static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path("id").asText()));
        return out;
    }
}
