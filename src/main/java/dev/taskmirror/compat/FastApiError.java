package dev.taskmirror.compat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error in xpander's own shape (FastAPI): {@code {"detail": "..."}}, or for validation errors
 * {@code {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}} (contract 5.8).
 */
public class FastApiError extends RuntimeException {

    private final int status;
    private final JsonNode body;

    public FastApiError(int status, String detail) {
        super(detail);
        this.status = status;
        this.body = JsonNodeFactory.instance.objectNode().put("detail", detail);
    }

    private FastApiError(int status, String message, JsonNode body) {
        super(message);
        this.status = status;
        this.body = body;
    }

    /** 422 with one validation error at {@code loc} (e.g. ["body", "input"]). */
    public static FastApiError validation(List<Object> loc, String msg, String type) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode details = body.putArray("detail");
        ObjectNode d = details.addObject();
        ArrayNode l = d.putArray("loc");
        loc.forEach(p -> {
            if (p instanceof Integer i) {
                l.add(i);
            } else {
                l.add(String.valueOf(p));
            }
        });
        d.put("msg", msg);
        d.put("type", type);
        return new FastApiError(422, msg, body);
    }

    /** An error with xpander's own body, relayed as is. */
    public static FastApiError of(int status, JsonNode body) {
        return new FastApiError(status, body.path("detail").asText("error"), body);
    }

    public static FastApiError notFound() {
        return new FastApiError(404, "Task not found");
    }

    public int status() {
        return status;
    }

    public JsonNode body() {
        return body;
    }
}
