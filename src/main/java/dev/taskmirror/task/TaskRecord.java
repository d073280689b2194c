package dev.taskmirror.task;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.OptimisticLock;
import org.hibernate.type.SqlTypes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.attachment.AttachmentCategory;
import dev.taskmirror.attachment.Attachments;
import dev.taskmirror.common.Timestamps;
import dev.taskmirror.result.DerivedBackfill;
import dev.taskmirror.result.ResultCheck;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * One mirrored task. The queryable columns are derived from the served state (the remote document with
 * pending local saves applied); the document itself keeps everything the remote sent, minus secrets.
 * Bookkeeping columns are excluded from optimistic locking, so they never bump {@link #version} and never
 * move the task in the change feed.
 */
@Entity
@Table(name = "task")
public class TaskRecord extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "agent_id", nullable = false)
    public String agentId;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(nullable = false)
    public String status;
    @Column(name = "internal_status")
    public String internalStatus;
    public String title;
    public String source;
    @Column(name = "user_id")
    public String userId;
    @Column(name = "user_email")
    public String userEmail;
    @Column(name = "parent_task_id")
    public String parentTaskId;
    @Column(name = "triggering_agent_id")
    public String triggeringAgentId;
    @Column(name = "agent_version")
    public String agentVersion;
    @Column(name = "output_format")
    public String outputFormat;
    @Column(name = "is_manually_stopped", nullable = false)
    public boolean manuallyStopped;
    @Column(name = "events_streaming", nullable = false)
    public boolean eventsStreaming;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "paused_at")
    public Instant pausedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
    public String result;
    @Column(name = "prompt_tokens")
    public Long promptTokens;
    @Column(name = "completion_tokens")
    public Long completionTokens;
    @Column(name = "total_tokens")
    public Long totalTokens;
    // Attachments and structured result (V3): derived from input.files and the result in deriveColumns().
    @Column(name = "attachment_count", nullable = false)
    public int attachmentCount;
    @Column(name = "attachments_document", nullable = false)
    public int attachmentsDocument;
    @Column(name = "attachments_image", nullable = false)
    public int attachmentsImage;
    @Column(name = "attachments_text", nullable = false)
    public int attachmentsText;
    @Column(name = "attachments_audio", nullable = false)
    public int attachmentsAudio;
    @Column(name = "attachments_other", nullable = false)
    public int attachmentsOther;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "result_json", columnDefinition = "jsonb")
    public JsonNode resultJson;
    @Column(name = "result_valid")
    public Boolean resultValid;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "result_errors", columnDefinition = "jsonb")
    public ArrayNode resultErrors;
    @OptimisticLock(excluded = true)
    @Column(name = "derived_rev", nullable = false)
    public int derivedRev;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    public ObjectNode document;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public ObjectNode overlay;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "redacted_paths", columnDefinition = "jsonb")
    public ArrayNode redactedPaths;

    @OptimisticLock(excluded = true)
    @Column(name = "remote_updated_at")
    public Instant remoteUpdatedAt;
    @OptimisticLock(excluded = true)
    @Column(name = "list_fingerprint")
    public String listFingerprint;
    @Column(nullable = false)
    public String fingerprint;
    @OptimisticLock(excluded = true)
    @Column(name = "observed_at", nullable = false)
    public Instant observedAt;
    @OptimisticLock(excluded = true)
    @Column(name = "synced_at")
    public Instant syncedAt;
    @Column(name = "sync_state", nullable = false)
    public String syncState;
    @Column(name = "sync_error")
    public String syncError;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public ArrayNode conflicts;
    @OptimisticLock(excluded = true)
    @Column(name = "missing_since")
    public Instant missingSince;
    @OptimisticLock(excluded = true)
    @Column(name = "missing_checked_at")
    public Instant missingCheckedAt;
    @Column(name = "deleted_at")
    public Instant deletedAt;
    @Column(name = "deletion_reason")
    public String deletionReason;

    @Version
    public long version;

    public boolean isDeleted() {
        return deletedAt != null;
    }

    public boolean isTerminal() {
        return TaskStatus.isTerminal(status);
    }

    /** The served state: the document with pending local saves applied. */
    public ObjectNode served() {
        ObjectNode served = document.deepCopy();
        if (overlay != null) {
            served.setAll(overlay);
        }
        return served;
    }

    /** Recomputes the queryable columns from the served state. */
    public void deriveColumns() {
        // Read-only here: without an overlay the document itself is the served state (no copy).
        ObjectNode s = overlay == null ? document : served();
        agentId = text(s, "agent_id", agentId);
        organizationId = text(s, "organization_id", null);
        status = text(s, "status", "pending");
        internalStatus = text(s, "internal_status", null);
        title = text(s, "title", null);
        source = text(s, "source", null);
        JsonNode user = s.path("input").path("user");
        userId = text(user, "id", null);
        userEmail = text(user, "email", null);
        parentTaskId = text(s, "parent_execution", null);
        triggeringAgentId = text(s, "triggering_agent_id", null);
        agentVersion = text(s, "agent_version", null);
        outputFormat = text(s, "output_format", null);
        manuallyStopped = s.path("is_manually_stopped").asBoolean(false);
        eventsStreaming = s.path("events_streaming").asBoolean(false);
        Instant created = Timestamps.parse(s.get("created_at"));
        if (created != null || createdAt == null) {
            createdAt = Timestamps.micros(created != null ? created : Instant.now());
        }
        startedAt = Timestamps.micros(Timestamps.parse(s.get("started_at")));
        pausedAt = Timestamps.micros(Timestamps.parse(s.get("paused_at")));
        finishedAt = Timestamps.micros(Timestamps.parse(s.get("finished_at")));
        result = text(s, "result", null);
        JsonNode tokens = s.get("tokens");
        if (tokens != null && tokens.isObject()) {
            promptTokens = longOrNull(tokens.get("prompt_tokens"));
            completionTokens = longOrNull(tokens.get("completion_tokens"));
            Long total = longOrNull(tokens.get("total_tokens"));
            if (total == null && (promptTokens != null || completionTokens != null)) {
                total = (promptTokens == null ? 0 : promptTokens) + (completionTokens == null ? 0 : completionTokens);
            }
            totalTokens = total;
        } else {
            promptTokens = null;
            completionTokens = null;
            totalTokens = null;
        }
        deriveAttachmentsAndResult(s);
    }

    /** Attachment counts by category and the structured-result check (see Attachments, ResultCheck). */
    private void deriveAttachmentsAndResult(ObjectNode s) {
        Attachments.Counts files = Attachments.count(s.path("input").path("files"));
        attachmentCount = files.total();
        attachmentsDocument = files.of(AttachmentCategory.DOCUMENT);
        attachmentsImage = files.of(AttachmentCategory.IMAGE);
        attachmentsText = files.of(AttachmentCategory.TEXT);
        attachmentsAudio = files.of(AttachmentCategory.AUDIO);
        attachmentsOther = files.of(AttachmentCategory.OTHER);
        ResultCheck check = ResultCheck.of(outputFormat, status, s.get("output_schema"), result);
        if (!ResultCheck.sameJson(resultJson, check.json())) {
            resultJson = check.json();
        }
        resultValid = check.valid();
        resultErrors = check.errorsNode();
        derivedRev = DerivedBackfill.REVISION;
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return fallback;
        }
        return v.isValueNode() ? v.asText() : fallback;
    }

    private static Long longOrNull(JsonNode v) {
        return v != null && v.isNumber() ? v.asLong() : null;
    }
}
