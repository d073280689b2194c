package dev.taskmirror.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.jboss.resteasy.reactive.RestResponse;

import io.smallrye.mutiny.Uni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

import dev.taskmirror.common.Errors;
import io.smallrye.faulttolerance.api.CircuitBreakerName;

/**
 * One remote call attempt behind the shared circuit breaker {@code xpander}: classifies the outcome into
 * a parsed JSON body, "absent" (404), a transient failure or a rejection. Only transient failures count
 * against the breaker; 404 and 4xx rejections are answers, not outages.
 */
@ApplicationScoped
class XpanderCalls {

    static final String BREAKER = "xpander";
    private static final int MAX_ERROR_BODY = 500;

    private final ObjectMapper mapper;
    private final MeterRegistry registry;

    XpanderCalls(ObjectMapper mapper, MeterRegistry registry) {
        this.mapper = mapper;
        this.registry = registry;
    }

    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10_000, successThreshold = 2,
            failOn = RemoteUnavailableException.class, skipOn = RemoteRejectedException.class)
    @CircuitBreakerName(BREAKER)
    Optional<JsonNode> execute(String operation, Supplier<Uni<RestResponse<byte[]>>> call, Duration deadline) {
        RestResponse<byte[]> response;
        try {
            response = call.get().await().atMost(deadline);
        } catch (io.smallrye.mutiny.TimeoutException e) {
            count(operation, "timeout");
            throw new RemoteUnavailableException(operation + ": no complete answer within " + deadline, 0, null, e);
        } catch (RuntimeException e) {
            count(operation, "io_error");
            throw new RemoteUnavailableException(operation + ": no response (" + Errors.describe(e) + ")", 0, null, e);
        }
        int status = response.getStatus();
        byte[] body = bodyOf(response, operation);
        if (status == 404) {
            count(operation, "404");
            return Optional.empty();
        }
        if (status >= 200 && status < 300) {
            String contentType = response.getHeaderString("Content-Type");
            if (contentType == null || !contentType.toLowerCase().contains("json")) {
                count(operation, "malformed");
                throw new RemoteUnavailableException(operation + ": " + status + " without a JSON content type ("
                        + contentType + ")", status, null, null);
            }
            try {
                JsonNode node = mapper.readTree(body == null ? new byte[0] : body);
                if (node == null || node.isMissingNode()) {
                    throw new IOException("empty body");
                }
                count(operation, Integer.toString(status));
                return Optional.of(node);
            } catch (IOException e) {
                count(operation, "malformed");
                throw new RemoteUnavailableException(operation + ": malformed JSON body (" + e.getMessage() + ")",
                        status, null, e);
            }
        }
        count(operation, Integer.toString(status));
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        if (text.length() > MAX_ERROR_BODY) {
            text = text.substring(0, MAX_ERROR_BODY) + "…";
        }
        if (status == 408 || status == 429 || status >= 500) {
            throw new RemoteUnavailableException(operation + ": HTTP " + status + " " + text, status,
                    retryAfter(response.getHeaderString("Retry-After")), null);
        }
        throw new RemoteRejectedException(operation + ": HTTP " + status + " " + text, status, text);
    }

    /** For error statuses the client hands over an unread stream instead of the converted entity. */
    private static byte[] bodyOf(RestResponse<byte[]> response, String operation) {
        try {
            Object entity = ((RestResponse<?>) response).getEntity();
            if (entity == null || entity instanceof byte[]) {
                return (byte[]) entity;
            }
            if (entity instanceof java.io.InputStream in) {
                try (in) {
                    return in.readAllBytes();
                }
            }
            return entity.toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new RemoteUnavailableException(operation + ": body could not be read (" + Errors.describe(e) + ")",
                    response.getStatus(), null, e);
        }
    }

    private void count(String operation, String outcome) {
        registry.counter("mirror.remote.calls", "operation", operation, "outcome", outcome).increment();
    }

    /** Retry-After as delta-seconds or an HTTP date (RFC 9110 10.2.3). */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return Duration.ofSeconds(Math.max(0, seconds));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
