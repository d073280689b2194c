package dev.taskmirror.api;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A body announced larger than {@code quarkus.http.limits.max-body-size} gets its 413 in the API's error
 * shape (problem+json, or {@code {"detail": ...}} on the xpander-compatible surface) instead of Quarkus's
 * bare 413, and the connection is closed as Quarkus does (after reading the rest of a moderately oversized
 * body, see below). Runs after authentication, before the body is read.
 */
@ApplicationScoped
public class BodyLimitFilter {

    /** Below the API-key filter (100), above Quarkus's own limit check (route order -2). */
    private static final int PRIORITY = 90;

    private final long limit;

    BodyLimitFilter(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> max) {
        this.limit = max.map(MemorySize::asLongValue).orElse(-1L);
    }

    void register(@Observes Filters filters) {
        if (limit >= 0) {
            filters.register(this::filter, PRIORITY);
        }
    }

    void filter(RoutingContext rc) {
        String length = rc.request().getHeader("Content-Length");
        long announced;
        try {
            announced = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            announced = -1; // Vert.x refuses a malformed Content-Length itself
        }
        if (announced <= limit) {
            rc.next();
            return;
        }
        String path = rc.normalizedPath();
        String detail = "The request body (" + announced + " bytes) exceeds the limit of " + limit + " bytes";
        String body;
        String type;
        if (path.equals("/xpander") || path.startsWith("/xpander/")) {
            body = new JsonObject().put("detail", detail).encode();
            type = "application/json";
        } else {
            body = new JsonObject().put("type", Problem.TYPE_BASE + "payload-too-large").put("title", "Payload too large")
                    .put("status", 413).put("detail", detail).put("instance", path).encode();
            type = Problem.MEDIA_TYPE;
        }
        HttpServerRequest request = rc.request();
        rc.response().setStatusCode(413).putHeader("Content-Type", type).putHeader("Connection", "close");
        if (announced > DRAIN_FACTOR * limit || request.headers().contains("Expect", "100-continue", true)) {
            rc.response().endHandler(v -> request.connection().close()).end(body);
            return;
        }
        // Closing while the client is still sending makes its TCP stack discard our answer (a reset): it would
        // see a broken connection instead of the 413. A body at most a few times the limit is read and
        // discarded first, then the connection is closed.
        request.handler(chunk -> {
        });
        request.endHandler(v -> request.connection().close());
        request.exceptionHandler(e -> request.connection().close());
        rc.response().end(body);
        request.resume();
    }

    /** Bodies announced up to this many times the limit are drained before the connection is closed. */
    private static final int DRAIN_FACTOR = 4;
}
