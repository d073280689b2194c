package dev.taskmirror.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.CrashPoints;
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
    private final TaskInserts inserts;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final CrashPoints crashPoints;

    TaskStore(EntityManager em, TaskInserts inserts, ObjectMapper mapper, MeterRegistry registry,
            CrashPoints crashPoints) {
        this.em = em;
        this.inserts = inserts;
        this.mapper = mapper;
        this.registry = registry;
        this.crashPoints = crashPoints;
    }

    @Transactional
    public ApplyResult applyRemote(List<RemoteObservation> observations) {
        if (observations.isEmpty()) {
            return ApplyResult.EMPTY;
        }
        Map<String, TaskRecord> existing = load(observations.stream().map(RemoteObservation::id).toList());
        // New tasks (most of a backfill) are inserted in JDBC batches in this transaction (TaskInserts): no
        // persistence-context snapshots or dirty checks for rows that are only inserted.
        List<TaskRecord> pending = new ArrayList<>();
        Set<String> written = new HashSet<>();
        int inserted = 0, updated = 0, unchanged = 0, stale = 0;
        // Only with the sync.mid-page crash point armed: half the page is written to the database (not
        // committed) before the halt, so a test sees that a crash mid-page applies none of it.
        int half = crashPoints.armed(CrashPoints.SYNC_MID_PAGE) && observations.size() > 1
                ? observations.size() / 2 + 1 : -1;
        int applied = 0;
        for (RemoteObservation obs : observations) {
            if (++applied == half) {
                insert(pending, written);
                em.flush();
                crashPoints.reached(CrashPoints.SYNC_MID_PAGE);
            }
            TaskRecord rec = existing.get(obs.id());
            if (rec != null && written.contains(obs.id()) && !em.contains(rec)) {
                // Seen again after its insert: from here on it is an ordinary managed entity.
                rec = TaskRecord.findById(obs.id());
                existing.put(obs.id(), rec);
            }
            switch (apply(rec, obs, pending)) {
                case INSERTED -> {
                    inserted++;
                    existing.put(obs.id(), pending.get(pending.size() - 1));
                }
                case UPDATED -> updated++;
                case UNCHANGED -> unchanged++;
                case STALE -> stale++;
            }
        }
        insert(pending, written);
        if (stale > 0) {
            registry.counter("mirror.sync.stale.observations").increment(stale);
        }
        return new ApplyResult(inserted, updated, unchanged, stale);
    }

    private enum Outcome {
        INSERTED, UPDATED, UNCHANGED, STALE
    }

    /** Inserts the new tasks collected so far (one JDBC batch per statement-batch-size rows). */
    private void insert(List<TaskRecord> pending, Set<String> written) {
        if (pending.isEmpty()) {
            return;
        }
        inserts.insert(pending);
        pending.forEach(r -> written.add(r.id));
        pending.clear();
    }

    /** Applies one observation; a new task is added to {@code created} (inserted by the caller), not persisted. */
    private Outcome apply(TaskRecord rec, RemoteObservation obs, List<TaskRecord> created) {
        // The fetched document is used only here: redacted in place, without a copy.
        Redaction.Result red = Redaction.redactInPlace(obs.raw());
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
            created.add(rec);
            return Outcome.INSERTED;
        }
        // The remote's version of this observation: the list entry's updated_at, else the document's own
        // (E2 may carry one). A GET without either is ordered only by when it was sent.
        Instant version = listUpdatedAt != null ? listUpdatedAt
                : Timestamps.micros(Timestamps.parse(doc.get("updated_at")));
        boolean olderObservation = rec.observedAt != null && observedAt.isBefore(rec.observedAt);
        boolean olderRemote = version != null && rec.remoteUpdatedAt != null && version.isBefore(rec.remoteUpdatedAt);
        if (olderObservation || olderRemote || (version == null && lifecycleBehind(rec, doc))) {
            LOG.debugf("Ignoring stale observation of task %s", obs.id());
            return Outcome.STALE;
        }
        boolean changed = !fingerprint.equals(rec.fingerprint) || rec.isDeleted();
        if (version != null && (rec.remoteUpdatedAt == null || version.isAfter(rec.remoteUpdatedAt))) {
            rec.remoteUpdatedAt = version;
            if (!version.equals(rec.updatedAt)) {
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
        if (obs.listItem() == null) {
            // Applied from a GET alone, which may have been served by a lagging replica: forget the list
            // entry so the next full cycle fetches the task again and settles it against a versioned entry.
            // A genuine change costs nothing extra (its list entry differs anyway).
            rec.listFingerprint = null;
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
        rec.updatedAt = advance(rec.updatedAt, rec.remoteUpdatedAt != null
                && !rec.remoteUpdatedAt.isBefore(latestTimestamp(rec, null))
                        ? rec.remoteUpdatedAt
                        : latestTimestamp(rec, rec.updatedAt));
        return Outcome.UPDATED;
    }

    /**
     * Whether an unversioned document is behind the mirrored lifecycle of the same incarnation (same
     * {@code created_at}): it lacks a start or finish the mirror has, or finished earlier. A continued thread
     * legitimately clears both, but that change is applied from its (versioned) list entry, never from a GET.
     */
    private static boolean lifecycleBehind(TaskRecord rec, ObjectNode doc) {
        JsonNode mirrored = rec.document;
        if (rec.isDeleted() || mirrored == null) {
            return false;
        }
        Instant created = Timestamps.parse(doc.get("created_at"));
        if (created == null || !Timestamps.micros(created).equals(Timestamps.micros(
                Timestamps.parse(mirrored.get("created_at"))))) {
            return false;
        }
        Instant started = Timestamps.parse(doc.get("started_at"));
        Instant finished = Timestamps.parse(doc.get("finished_at"));
        Instant mirroredStarted = Timestamps.parse(mirrored.get("started_at"));
        Instant mirroredFinished = Timestamps.parse(mirrored.get("finished_at"));
        return (mirroredStarted != null && started == null)
                || (mirroredFinished != null && (finished == null || finished.isBefore(mirroredFinished)))
                || (TaskStatus.isTerminal(mirrored.path("status").asText(null))
                        && !TaskStatus.isTerminal(doc.path("status").asText(null)));
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
        rec.updatedAt = advance(rec.updatedAt, Timestamps.micros(observedAt));
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

    private static final String SUMMARY = "select new dev.taskmirror.task.LocalSummary(t.id, t.status, "
            + "t.remoteUpdatedAt, t.listFingerprint, t.deletedAt, t.missingSince, t.missingCheckedAt, t.syncState, "
            + "t.syncedAt) from TaskRecord t ";

    /** Every mirrored task of a scope (a full cycle diffs the whole list against them). */
    @Transactional
    public List<LocalSummary> summaries(String scopeKind, String refId) {
        String field = "agent".equals(scopeKind) ? "agentId" : "userId";
        return em.createQuery(SUMMARY + "where t." + field + " = :ref", LocalSummary.class)
                .setParameter("ref", refId)
                .getResultList();
    }

    /**
     * The mirrored tasks among {@code ids}. A fast cycle needs only the tasks its lists name: reading the whole
     * scope every few seconds cost as much as the rest of the cycle once a scope held thousands of tasks.
     */
    @Transactional
    public List<LocalSummary> summaries(Collection<String> ids) {
        List<String> unique = ids.stream().distinct().toList();
        List<LocalSummary> out = new ArrayList<>(unique.size());
        for (int i = 0; i < unique.size(); i += 500) {
            out.addAll(em.createQuery(SUMMARY + "where t.id in :ids", LocalSummary.class)
                    .setParameter("ids", unique.subList(i, Math.min(unique.size(), i + 500)))
                    .getResultList());
        }
        return out;
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
    /**
     * The served {@code updated_at} after a change: the remote's time when it is later than the previous value,
     * else one microsecond past it. A task's times come from two clocks (a local save or tombstone is stamped
     * here, a remote change by xpander); under clock skew the remote's time can be earlier than the local one,
     * and {@code updated_at} must still never go backwards, nor stay put on a change ({@code updated_after}).
     */
    static Instant advance(Instant previous, Instant candidate) {
        if (previous == null || (candidate != null && candidate.isAfter(previous))) {
            return candidate;
        }
        return previous.plus(1, java.time.temporal.ChronoUnit.MICROS);
    }

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
