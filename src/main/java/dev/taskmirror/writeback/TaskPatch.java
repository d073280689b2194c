package dev.taskmirror.writeback;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.ApiProblem.InvalidParam;
import dev.taskmirror.task.TaskStatus;

/**
 * A task save (merge patch): only the fields present change; an explicit {@code null} clears a field.
 * Fields are typed as JSON nodes so that "absent" and "null" stay distinguishable.
 */
@Schema(name = "TaskPatch", description = "Fields to change; absent fields stay as they are, null clears")
public record TaskPatch(
        @Schema(implementation = String.class, enumeration = { "pending", "executing", "paused", "error", "failed",
                "completed", "stopped" }) JsonNode status,
        @Schema(implementation = String.class) JsonNode result,
        @Schema(implementation = String.class, maxLength = 255) JsonNode internalStatus,
        @Schema(implementation = String.class, maxLength = 1000) JsonNode title,
        @Schema(implementation = String.class, maxLength = 255) JsonNode source,
        @Schema(implementation = Object.class, description = "Tool-call payload extension (object or null)") JsonNode payloadExtension,
        @Schema(implementation = Object.class, description = "Alias of payload_extension, as the SDK sends it") JsonNode toolCallPayloadExtension,
        @Schema(implementation = String.class) JsonNode lastExecutedNodeId) {

    /** Fields whose authority is the remote: a save of them is dropped if the remote changed them meanwhile. */
    public static final List<String> REMOTE_OWNED = List.of("status", "result");

    /**
     * Validates and returns the changes keyed by Task field name.
     *
     * @throws ApiProblem 422 listing every invalid field
     */
    public ObjectNode toChanges() {
        List<InvalidParam> errors = new ArrayList<>();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (status != null) {
            if (!status.isTextual() || TaskStatus.fromWire(status.asText()).isEmpty()) {
                errors.add(new InvalidParam("status", "must be one of " + TaskStatus.VALUES));
            } else {
                out.set("status", status);
            }
        }
        text("result", result, 10_000_000, true, errors, out);
        text("internal_status", internalStatus, 255, true, errors, out);
        text("title", title, 1000, true, errors, out);
        text("source", source, 255, true, errors, out);
        text("last_executed_node_id", lastExecutedNodeId, 255, true, errors, out);
        if (payloadExtension != null && toolCallPayloadExtension != null && !payloadExtension.equals(toolCallPayloadExtension)) {
            errors.add(new InvalidParam("payload_extension", "differs from its alias tool_call_payload_extension"));
        }
        JsonNode ext = payloadExtension != null ? payloadExtension : toolCallPayloadExtension;
        if (ext != null) {
            if (!ext.isObject() && !ext.isNull()) {
                errors.add(new InvalidParam("payload_extension", "must be an object or null"));
            } else {
                out.set("payload_extension", ext);
            }
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid("The save has invalid fields", errors);
        }
        if (out.isEmpty()) {
            throw ApiProblem.invalid("body", "names no field to change (status, result, internal_status, title, "
                    + "source, payload_extension, last_executed_node_id)");
        }
        return out;
    }

    private static void text(String name, JsonNode v, int max, boolean nullable, List<InvalidParam> errors,
            ObjectNode out) {
        if (v == null) {
            return;
        }
        if (v.isNull()) {
            if (nullable) {
                out.putNull(name);
            } else {
                errors.add(new InvalidParam(name, "must not be null"));
            }
        } else if (!v.isTextual()) {
            errors.add(new InvalidParam(name, "must be a string"));
        } else if (v.asText().length() > max) {
            errors.add(new InvalidParam(name, "must be at most " + max + " characters"));
        } else {
            out.set(name, v);
        }
    }
}
