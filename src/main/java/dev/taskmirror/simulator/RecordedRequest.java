package dev.taskmirror.simulator;

import java.time.Instant;
import java.util.Map;

/**
 * One entry of the request journal.
 *
 * @param sequence   position in arrival order (starts at 1; restarts after a reset)
 * @param receivedAt wall-clock time the request was received
 * @param kind       matched route, or {@code null} when no route matched
 * @param method     HTTP method
 * @param path       raw request path
 * @param query      raw query string, or {@code null}
 * @param headers    request headers (lower-case names, repeated values joined by {@code ", "}); the
 *                   {@code x-api-key} value is masked
 * @param body       request body as text (empty when none)
 * @param target     the path id the route acts on (task id, agent id or user id), or {@code null}
 * @param status     response status; 0 when the connection was closed without a response
 */
public record RecordedRequest(long sequence, Instant receivedAt, RouteKind kind, String method, String path, String query,
        Map<String, String> headers, String body, String target, int status) {
}
