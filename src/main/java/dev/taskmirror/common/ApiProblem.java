package dev.taskmirror.common;

import java.util.List;

/**
 * A client error rendered as {@code application/problem+json} (RFC 9457). Services throw it; the API
 * layer renders it.
 */
public class ApiProblem extends RuntimeException {

    /** One invalid input: where (a JSON pointer or parameter name) and why. */
    public record InvalidParam(String name, String reason) {
    }

    private final int status;
    private final String type;
    private final String title;
    private final List<InvalidParam> invalidParams;

    public ApiProblem(int status, String type, String title, String detail) {
        this(status, type, title, detail, List.of());
    }

    public ApiProblem(int status, String type, String title, String detail, List<InvalidParam> invalidParams) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.invalidParams = List.copyOf(invalidParams);
    }

    public static ApiProblem notFound(String what, String id) {
        return new ApiProblem(404, "not-found", what + " not found", what + " '" + id + "' does not exist");
    }

    public static ApiProblem badRequest(String detail, List<InvalidParam> params) {
        return new ApiProblem(400, "bad-request", "Bad request", detail, params);
    }

    public static ApiProblem invalid(String detail, List<InvalidParam> params) {
        return new ApiProblem(422, "validation-failed", "Invalid input", detail, params);
    }

    public static ApiProblem invalid(String name, String reason) {
        return invalid(name + ": " + reason, List.of(new InvalidParam(name, reason)));
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public List<InvalidParam> invalidParams() {
        return invalidParams;
    }
}
