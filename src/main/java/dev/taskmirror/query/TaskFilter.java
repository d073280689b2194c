package dev.taskmirror.query;

import java.time.Instant;
import java.util.List;

import dev.taskmirror.task.Fingerprints;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Filters of {@code GET /tasks}; every non-null criterion must hold (AND), list values match any (OR). */
public record TaskFilter(
        List<String> agentIds,
        List<String> statuses,
        String userId,
        String parentTaskId,
        String triggeringAgentId,
        Instant createdAfter,
        Instant createdBefore,
        boolean includeDeleted) {

    public static TaskFilter none() {
        return new TaskFilter(List.of(), List.of(), null, null, null, null, null, false);
    }

    /** Identifies the query a cursor belongs to. */
    public String hash(SortSpec sort) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.putPOJO("a", agentIds);
        n.putPOJO("s", statuses);
        n.put("u", userId);
        n.put("p", parentTaskId);
        n.put("t", triggeringAgentId);
        n.put("ca", createdAfter == null ? null : createdAfter.toString());
        n.put("cb", createdBefore == null ? null : createdBefore.toString());
        n.put("d", includeDeleted);
        n.put("sort", sort.field() + (sort.descending() ? ":desc" : ":asc"));
        return Fingerprints.of(JsonNodeFactory.instance.objectNode().put("k", n.toString())).substring(0, 16);
    }
}
