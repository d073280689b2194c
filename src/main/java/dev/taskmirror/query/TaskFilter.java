package dev.taskmirror.query;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.task.Fingerprints;

/**
 * Filters of task queries (list, stats, export). Every non-null criterion must hold (AND); list values
 * match any of them (OR). Time ranges are {@code [after, before)}.
 */
public record TaskFilter(
        List<String> ids,
        List<String> agentIds,
        List<String> statuses,
        String userId,
        String parentTaskId,
        String triggeringAgentId,
        List<String> sources,
        String internalStatus,
        List<String> outputFormats,
        Boolean hasResult,
        Boolean manuallyStopped,
        Instant createdAfter,
        Instant createdBefore,
        Instant updatedAfter,
        Instant updatedBefore,
        Instant finishedAfter,
        Instant finishedBefore,
        String q,
        boolean includeDeleted,
        Boolean hasAttachments,
        List<String> attachmentCategories,
        Boolean resultValid) {

    public static TaskFilter none() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Identifies the query a cursor or a cached result belongs to. */
    public String hash(String salt) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.putPOJO("f", List.of(String.valueOf(ids), String.valueOf(agentIds), String.valueOf(statuses),
                String.valueOf(userId), String.valueOf(parentTaskId), String.valueOf(triggeringAgentId),
                String.valueOf(sources), String.valueOf(internalStatus), String.valueOf(outputFormats),
                String.valueOf(hasResult), String.valueOf(manuallyStopped), String.valueOf(createdAfter),
                String.valueOf(createdBefore), String.valueOf(updatedAfter), String.valueOf(updatedBefore),
                String.valueOf(finishedAfter), String.valueOf(finishedBefore), String.valueOf(q),
                String.valueOf(includeDeleted), String.valueOf(hasAttachments), String.valueOf(attachmentCategories),
                String.valueOf(resultValid), salt));
        return Fingerprints.of(n).substring(0, 16);
    }

    /** Builder, so callers only name the criteria they use. */
    public static final class Builder {
        private List<String> ids = List.of();
        private List<String> agentIds = List.of();
        private List<String> statuses = List.of();
        private String userId;
        private String parentTaskId;
        private String triggeringAgentId;
        private List<String> sources = List.of();
        private String internalStatus;
        private List<String> outputFormats = List.of();
        private Boolean hasResult;
        private Boolean manuallyStopped;
        private Instant createdAfter;
        private Instant createdBefore;
        private Instant updatedAfter;
        private Instant updatedBefore;
        private Instant finishedAfter;
        private Instant finishedBefore;
        private String q;
        private boolean includeDeleted;
        private Boolean hasAttachments;
        private List<String> attachmentCategories = List.of();
        private Boolean resultValid;

        public Builder ids(List<String> v) { ids = v; return this; }
        public Builder agentIds(List<String> v) { agentIds = v; return this; }
        public Builder statuses(List<String> v) { statuses = v; return this; }
        public Builder userId(String v) { userId = v; return this; }
        public Builder parentTaskId(String v) { parentTaskId = v; return this; }
        public Builder triggeringAgentId(String v) { triggeringAgentId = v; return this; }
        public Builder sources(List<String> v) { sources = v; return this; }
        public Builder internalStatus(String v) { internalStatus = v; return this; }
        public Builder outputFormats(List<String> v) { outputFormats = v; return this; }
        public Builder hasResult(Boolean v) { hasResult = v; return this; }
        public Builder manuallyStopped(Boolean v) { manuallyStopped = v; return this; }
        public Builder createdAfter(Instant v) { createdAfter = v; return this; }
        public Builder createdBefore(Instant v) { createdBefore = v; return this; }
        public Builder updatedAfter(Instant v) { updatedAfter = v; return this; }
        public Builder updatedBefore(Instant v) { updatedBefore = v; return this; }
        public Builder finishedAfter(Instant v) { finishedAfter = v; return this; }
        public Builder finishedBefore(Instant v) { finishedBefore = v; return this; }
        public Builder q(String v) { q = v; return this; }
        public Builder includeDeleted(boolean v) { includeDeleted = v; return this; }
        public Builder hasAttachments(Boolean v) { hasAttachments = v; return this; }
        /** Tasks with at least one file of any of these categories (wire names, see AttachmentCategory). */
        public Builder attachmentCategories(List<String> v) { attachmentCategories = v; return this; }
        public Builder resultValid(Boolean v) { resultValid = v; return this; }

        public TaskFilter build() {
            return new TaskFilter(ids, agentIds, statuses, userId, parentTaskId, triggeringAgentId, sources,
                    internalStatus, outputFormats, hasResult, manuallyStopped, createdAfter, createdBefore,
                    updatedAfter, updatedBefore, finishedAfter, finishedBefore, q, includeDeleted, hasAttachments,
                    attachmentCategories, resultValid);
        }
    }
}
