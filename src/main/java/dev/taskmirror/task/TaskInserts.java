package dev.taskmirror.task;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import org.hibernate.Session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Inserts new tasks (most of a backfill) in JDBC batches on the caller's transaction connection. The ORM's
 * batched insert spent more on binding (value breakdown, binding-group lookups, JSON through the format
 * mapper) than the statement itself: about a quarter of the service's CPU in a backfill. Writes exactly the
 * columns {@link TaskRecord} maps, with the version an ORM insert gives (0); {@code TaskInsertsTest} holds the
 * two together.
 */
@ApplicationScoped
public class TaskInserts {

    /** The mapped columns of {@link TaskRecord}, in binding order. */
    static final List<String> COLUMNS = List.of("id", "agent_id", "organization_id", "status", "internal_status",
            "title", "source", "user_id", "user_email", "parent_task_id", "triggering_agent_id", "agent_version",
            "output_format", "is_manually_stopped", "events_streaming", "created_at", "started_at", "paused_at",
            "finished_at", "updated_at", "result", "prompt_tokens", "completion_tokens", "total_tokens",
            "attachment_count", "attachments_document", "attachments_image", "attachments_text",
            "attachments_audio", "attachments_other", "result_json", "result_valid", "result_errors", "derived_rev",
            "document", "overlay", "redacted_paths", "remote_updated_at", "list_fingerprint", "fingerprint",
            "observed_at", "synced_at", "sync_state", "sync_error", "conflicts", "missing_since",
            "missing_checked_at", "deleted_at", "deletion_reason", "version");

    private static final String SQL = "insert into task (" + String.join(", ", COLUMNS) + ") values ("
            + String.join(", ", COLUMNS.stream().map(c -> "?").toList()) + ")";

    private final EntityManager em;
    private final ObjectMapper mapper;

    TaskInserts(EntityManager em, ObjectMapper mapper) {
        this.em = em;
        this.mapper = mapper;
    }

    /** Inserts the records in the current transaction (the driver sends a batch as multi-row inserts). */
    public void insert(List<TaskRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        em.unwrap(Session.class).doWork(c -> insert(c, records));
    }

    private void insert(Connection c, List<TaskRecord> records) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            for (TaskRecord r : records) {
                bind(ps, r);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void bind(PreparedStatement ps, TaskRecord r) throws SQLException {
        int i = 0;
        ps.setString(++i, r.id);
        ps.setString(++i, r.agentId);
        ps.setString(++i, r.organizationId);
        ps.setString(++i, r.status);
        ps.setString(++i, r.internalStatus);
        ps.setString(++i, r.title);
        ps.setString(++i, r.source);
        ps.setString(++i, r.userId);
        ps.setString(++i, r.userEmail);
        ps.setString(++i, r.parentTaskId);
        ps.setString(++i, r.triggeringAgentId);
        ps.setString(++i, r.agentVersion);
        ps.setString(++i, r.outputFormat);
        ps.setBoolean(++i, r.manuallyStopped);
        ps.setBoolean(++i, r.eventsStreaming);
        time(ps, ++i, r.createdAt);
        time(ps, ++i, r.startedAt);
        time(ps, ++i, r.pausedAt);
        time(ps, ++i, r.finishedAt);
        time(ps, ++i, r.updatedAt);
        ps.setString(++i, r.result);
        number(ps, ++i, r.promptTokens);
        number(ps, ++i, r.completionTokens);
        number(ps, ++i, r.totalTokens);
        ps.setInt(++i, r.attachmentCount);
        ps.setInt(++i, r.attachmentsDocument);
        ps.setInt(++i, r.attachmentsImage);
        ps.setInt(++i, r.attachmentsText);
        ps.setInt(++i, r.attachmentsAudio);
        ps.setInt(++i, r.attachmentsOther);
        json(ps, ++i, r.resultJson);
        if (r.resultValid == null) {
            ps.setNull(++i, Types.BOOLEAN);
        } else {
            ps.setBoolean(++i, r.resultValid);
        }
        json(ps, ++i, r.resultErrors);
        ps.setInt(++i, r.derivedRev);
        json(ps, ++i, r.document);
        json(ps, ++i, r.overlay);
        json(ps, ++i, r.redactedPaths);
        time(ps, ++i, r.remoteUpdatedAt);
        ps.setString(++i, r.listFingerprint);
        ps.setString(++i, r.fingerprint);
        time(ps, ++i, r.observedAt);
        time(ps, ++i, r.syncedAt);
        ps.setString(++i, r.syncState);
        ps.setString(++i, r.syncError);
        json(ps, ++i, r.conflicts);
        time(ps, ++i, r.missingSince);
        time(ps, ++i, r.missingCheckedAt);
        time(ps, ++i, r.deletedAt);
        ps.setString(++i, r.deletionReason);
        ps.setLong(++i, r.version);
    }

    private static void time(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        }
    }

    private static void number(PreparedStatement ps, int i, Long n) throws SQLException {
        if (n == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, n);
        }
    }

    /** JSON as an untyped parameter: PostgreSQL takes it as the column's jsonb (a JSON null stays one). */
    private void json(PreparedStatement ps, int i, JsonNode node) throws SQLException {
        if (node == null) {
            ps.setNull(i, Types.OTHER);
            return;
        }
        try {
            ps.setObject(i, mapper.writeValueAsString(node), Types.OTHER);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a task's JSON", e);
        }
    }
}
