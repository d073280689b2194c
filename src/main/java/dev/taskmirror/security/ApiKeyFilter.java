package dev.taskmirror.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.taskmirror.security.ApiKeys.Client;
import dev.taskmirror.security.ApiKeys.Role;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates every HTTP request by API key and checks its role before any route runs (REST resources,
 * metrics, the xpander-compatible surface). The local API answers 401/403 as problem+json; the
 * xpander-compatible surface answers 403 {@code {"detail": "Invalid API key"}} like xpander itself.
 */
@ApplicationScoped
public class ApiKeyFilter {

    /** Routing-context key under which the authenticated client is stored. */
    public static final String CLIENT = "task-mirror.client";
    /** Runs before the REST layer and the metrics route. */
    private static final int PRIORITY = 100;

    private final ApiKeys keys;
    private final SecurityConfig config;

    ApiKeyFilter(ApiKeys keys, SecurityConfig config) {
        this.keys = keys;
        this.config = config;
    }

    void register(@Observes Filters filters) {
        filters.register(this::filter, PRIORITY);
    }

    void filter(RoutingContext rc) {
        String path = rc.normalizedPath();
        HttpMethod method = rc.request().method();
        if (method == HttpMethod.OPTIONS || open(path)) {
            rc.next();
            return;
        }
        String key = key(rc);
        if (path.equals("/xpander") || path.startsWith("/xpander/")) {
            Optional<Client> client = keys.authenticate(key);
            Role needed = method == HttpMethod.GET || method == HttpMethod.HEAD ? Role.READ : Role.WRITE;
            if (client.isEmpty() || !client.get().has(needed)) {
                rc.response().setStatusCode(403).putHeader("Content-Type", "application/json")
                        .end("{\"detail\":\"Invalid API key\"}");
                return;
            }
            rc.put(CLIENT, client.get());
            rc.next();
            return;
        }
        Optional<Client> client = key == null ? keys.anonymous() : keys.authenticate(key);
        if (client.isEmpty()) {
            problem(rc, 401, "unauthorized", "Authentication required", key == null
                    ? "Send an API key as X-API-Key (or Authorization: Bearer)"
                    : "The API key is not valid");
            return;
        }
        Role needed = required(path, method);
        if (!client.get().has(needed)) {
            problem(rc, 403, "forbidden", "Forbidden", "This API key lacks the " + needed.name().toLowerCase()
                    + " role needed for " + method.name() + " " + path);
            return;
        }
        rc.put(CLIENT, client.get());
        rc.next();
    }

    private boolean open(String path) {
        return path.equals("/q/health") || path.startsWith("/q/health/")
                || path.startsWith("/q/openapi") || path.startsWith("/q/swagger-ui") || path.startsWith("/q/dev")
                || (config.metricsPublic() && path.startsWith("/q/metrics"));
    }

    /** The role an operation needs: reads need read, saves need write, operating the mirror needs admin. */
    static Role required(String path, HttpMethod method) {
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
        if (path.startsWith("/q/metrics")) {
            return Role.METRICS;
        }
        if (path.equals("/sync") || path.startsWith("/sync/") || path.equals("/outbox") || path.startsWith("/outbox/")) {
            return read ? Role.READ : Role.ADMIN;
        }
        if (path.equals("/tasks/batch-get")) {
            return Role.READ;
        }
        return read ? Role.READ : Role.WRITE;
    }

    private static String key(RoutingContext rc) {
        String key = rc.request().getHeader("X-API-Key");
        if (key == null) {
            String auth = rc.request().getHeader("Authorization");
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = auth.substring(7).trim();
            }
        }
        return key == null || key.isBlank() ? null : key;
    }

    private static void problem(RoutingContext rc, int status, String type, String title, String detail) {
        String body = new JsonObject()
                .put("type", "https://task-mirror.dev/problems/" + type)
                .put("title", title)
                .put("status", status)
                .put("detail", detail)
                .put("instance", rc.normalizedPath())
                .encode();
        var resp = rc.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json");
        if (status == 401) {
            resp.putHeader("WWW-Authenticate", "ApiKey realm=\"task-mirror\"");
        }
        resp.end(body);
    }
}
