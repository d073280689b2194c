package dev.taskmirror.remote;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.client.api.ClientLogger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.task.Redaction;
import io.quarkus.arc.Unremovable;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * The REST client's request/response logging ({@code quarkus.rest-client.logging.scope=request-response}, at
 * DEBUG in category {@code org.jboss.resteasy.reactive.client.logging}) without secrets: the {@code x-api-key}
 * header and other credentials are masked, and bodies are logged only as JSON with the task secrets
 * ({@code user_oidc_token}, {@code user_tokens}, MCP credentials) replaced by {@code [REDACTED]}. Quarkus's
 * default logger would print the upstream key and the secrets of every create and every task read.
 */
@ApplicationScoped
@Unremovable
public class RedactingClientLogger implements ClientLogger {

    private static final Logger LOG = Logger.getLogger("org.jboss.resteasy.reactive.client.logging");
    private static final Set<String> ALWAYS_MASKED = Set.of("x-api-key", "authorization", "proxy-authorization",
            "cookie", "set-cookie");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private volatile int bodySize;
    private volatile Set<String> masked = ALWAYS_MASKED;

    @Override
    public void setBodySize(int bodySize) {
        this.bodySize = bodySize;
    }

    @Override
    public void setMaskedHeaders(Set<String> headers) {
        Set<String> all = new HashSet<>(ALWAYS_MASKED);
        if (headers != null) {
            headers.forEach(h -> all.add(h.toLowerCase(Locale.ROOT)));
        }
        masked = Set.copyOf(all);
    }

    @Override
    public void logRequest(HttpClientRequest request, Buffer body, boolean omitBody) {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        LOG.debugf("Request: %s %s Headers[%s], %s", request.getMethod(), request.absoluteURI(),
                headers(request.headers()), omitBody ? "Body omitted" : body(body));
    }

    @Override
    public void logResponse(HttpClientResponse response, boolean redirect) {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        response.bodyHandler(body -> LOG.debugf("%s: %s %s, Status[%d %s], Headers[%s], %s",
                redirect ? "Redirect" : "Response", response.request().getMethod(), response.request().absoluteURI(),
                response.statusCode(), response.statusMessage(), headers(response.headers()), body(body)));
    }

    private String headers(MultiMap headers) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> h : headers) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(h.getKey()).append('=')
                    .append(masked.contains(h.getKey().toLowerCase(Locale.ROOT)) ? "****" : h.getValue());
        }
        return sb.toString();
    }

    /** The body as redacted JSON, truncated to the configured size; anything else only by its length. */
    String body(Buffer body) {
        if (body == null || body.length() == 0) {
            return "Empty body";
        }
        String text;
        try {
            text = redact(MAPPER.readTree(body.toString(StandardCharsets.UTF_8))).toString();
        } catch (Exception e) {
            return "Body: (" + body.length() + " bytes, not JSON: not logged)";
        }
        if (bodySize > 0 && text.length() > bodySize) {
            text = text.substring(0, bodySize) + "…";
        }
        return "Body:\n" + text;
    }

    static JsonNode redact(JsonNode node) {
        if (node instanceof ObjectNode o) {
            return Redaction.redact(o).document();
        }
        if (node instanceof ArrayNode a) {
            ArrayNode out = a.arrayNode();
            a.forEach(item -> out.add(redact(item)));
            return out;
        }
        return node;
    }
}
