package dev.taskmirror.simulator;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * An HTTP error answer of the simulated API, with a FastAPI-shaped body ({@code {"detail": ...}}). The Java API
 * of {@link XpanderSimulator} throws it too, so tests can assert on {@link #status()}.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient ObjectNode body;

    public ApiException(int status, ObjectNode body) {
        super(status + " " + body);
        this.status = status;
        this.body = body;
    }

    /** {@code {"detail": "<message>"}}. */
    public static ApiException detail(int status, String message) {
        ObjectNode body = SimJson.object();
        body.set("detail", TextNode.valueOf(message));
        return new ApiException(status, body);
    }

    public static ApiException notFound(String message) {
        return detail(404, message);
    }

    public static ApiException taskNotFound() {
        return detail(404, "Task not found");
    }

    /** 422 with the FastAPI validation shape; each error is a {@code {loc, msg, type}} object. */
    public static ApiException validation(List<ObjectNode> errors) {
        ObjectNode body = SimJson.object();
        ArrayNode detail = body.putArray("detail");
        errors.forEach(detail::add);
        return new ApiException(422, body);
    }

    /** One FastAPI validation error item. */
    public static ObjectNode error(List<Object> loc, String msg, String type) {
        ObjectNode e = SimJson.object();
        ArrayNode l = e.putArray("loc");
        for (Object part : loc) {
            if (part instanceof Integer i) {
                l.add(i);
            } else {
                l.add(String.valueOf(part));
            }
        }
        e.put("msg", msg);
        e.put("type", type);
        return e;
    }

    public static ApiException validation(List<Object> loc, String msg, String type) {
        return validation(List.of(error(loc, msg, type)));
    }

    public int status() {
        return status;
    }

    /** The response body (a copy). */
    public ObjectNode body() {
        return body.deepCopy();
    }

    /** The {@code detail} member: a string, or an array of validation errors. */
    public JsonNode detail() {
        return body.get("detail");
    }
}
