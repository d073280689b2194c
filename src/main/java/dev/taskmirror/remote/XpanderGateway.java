package dev.taskmirror.remote;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.client.ClientRequestFilter;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;

/**
 * The only way into the remote xpander Tasks API. Owns the fault-tolerance policy: retries with
 * exponential backoff and full jitter on transient failures only (I/O, timeouts, 408, 429, 5xx,
 * malformed bodies), honouring {@code Retry-After}; a shared circuit breaker; 404 mapped to "absent".
 * Never call it inside a database transaction.
 */
@ApplicationScoped
public class XpanderGateway {

    private static final Logger LOG = Logger.getLogger(XpanderGateway.class);

    private final RemoteEndpoint endpoint;
    private final XpanderConfig config;
    private final XpanderCalls calls;
    private final ObjectMapper mapper;
    private volatile XpanderTasksApi api;
    private volatile URI apiRoot;

    XpanderGateway(RemoteEndpoint endpoint, XpanderConfig config, XpanderCalls calls, ObjectMapper mapper) {
        this.endpoint = endpoint;
        this.config = config;
        this.calls = calls;
        this.mapper = mapper;
    }

    /** E2. Empty when the remote answers 404. */
    public Optional<ObjectNode> getTask(String taskId) {
        return call("get", () -> api().get(taskId), XpanderGateway::object);
    }

    /** E3: all tasks of an agent (a bare array, no paging on this surface). */
    public ArrayNode listAgentTasks(String agentId, Map<String, String> filters) {
        return call("list_agent", () -> api().listByAgent(agentId, clean(filters)), XpanderGateway::array)
                .orElseGet(mapper::createArrayNode);
    }

    /** E4: all tasks of an end user across agents. */
    public ArrayNode listUserTasks(String userId, Map<String, String> filters) {
        return call("list_user", () -> api().listByUser(userId, clean(filters)), XpanderGateway::array)
                .orElseGet(mapper::createArrayNode);
    }

    /**
     * E1. A 404 (unknown agent) is a rejection. Never retried here: a create is not idempotent on the remote
     * (a repeated id continues the task), so after an ambiguous failure the caller must look the task up
     * before creating it again.
     */
    public ObjectNode createTask(String agentId, String agentVersion, ObjectNode body) {
        byte[] bytes = bytes(body);
        return call("create", () -> api().create(agentId, agentVersion, bytes), XpanderGateway::object, 0)
                .orElseThrow(() -> new RemoteRejectedException("create: HTTP 404 (unknown agent " + agentId + ")",
                        404, "agent not found"));
    }

    /** E5 (merge of the keys present). Empty when the task is unknown. */
    public Optional<ObjectNode> updateTask(String taskId, ObjectNode body) {
        byte[] bytes = bytes(body);
        return call("update", () -> api().update(taskId, bytes), XpanderGateway::object);
    }

    /** E6. Idempotent on the remote. Empty when the task is unknown. */
    public Optional<ObjectNode> stopTask(String taskId) {
        return call("stop", () -> api().stop(taskId), XpanderGateway::object);
    }

    /** E9. Empty when the task/agent pair is unknown. */
    public Optional<ObjectNode> activityLog(String agentId, String taskId) {
        return call("activity", () -> api().activity(agentId, taskId), XpanderGateway::object);
    }

    /** E10. */
    public ObjectNode reportTask(String agentId, ObjectNode body) {
        byte[] bytes = bytes(body);
        return call("report", () -> api().reportTask(agentId, bytes), XpanderGateway::object)
                .orElseThrow(() -> new RemoteRejectedException("report: HTTP 404", 404, "agent not found"));
    }

    /**
     * Runs one call with the retry policy. {@code shape} checks the parsed body and throws
     * {@link RemoteUnavailableException} when it is not what the contract promises (retried like a
     * malformed body).
     */
    private <T> Optional<T> call(String operation, Supplier<Uni<RestResponse<byte[]>>> request,
            BiFunction<JsonNode, String, T> shape) {
        return call(operation, request, shape, config.retry().maxRetries());
    }

    private <T> Optional<T> call(String operation, Supplier<Uni<RestResponse<byte[]>>> request,
            BiFunction<JsonNode, String, T> shape, int maxRetries) {
        XpanderConfig.Retry retry = config.retry();
        for (int attempt = 0;; attempt++) {
            try {
                Optional<JsonNode> body = calls.execute(operation, request, config.readTimeout());
                return body.map(n -> shape.apply(n, operation));
            } catch (CircuitBreakerOpenException e) {
                throw new RemoteUnavailableException(operation + ": circuit breaker open, remote considered down",
                        0, null, e);
            } catch (RemoteUnavailableException e) {
                if (attempt >= maxRetries) {
                    throw e;
                }
                long delayMs;
                if (e.retryAfter().isPresent()) {
                    if (e.retryAfter().get().compareTo(retry.maxRetryAfter()) > 0) {
                        throw e;
                    }
                    delayMs = e.retryAfter().get().toMillis();
                } else {
                    long cap = Math.min(retry.maxDelay().toMillis(), retry.initialDelay().toMillis() << Math.min(attempt, 20));
                    delayMs = ThreadLocalRandom.current().nextLong(cap + 1);
                }
                LOG.debugf("%s failed (%s), retry %d in %d ms", operation, e.getMessage(), attempt + 1, delayMs);
                sleep(delayMs);
            }
        }
    }

    private XpanderTasksApi api() {
        URI root = endpoint.restRoot();
        XpanderTasksApi current = api;
        if (current == null || !root.equals(apiRoot)) {
            synchronized (this) {
                if (api == null || !root.equals(apiRoot)) {
                    String key = endpoint.apiKey();
                    ClientRequestFilter auth = ctx -> ctx.getHeaders().putSingle("x-api-key", key);
                    api = QuarkusRestClientBuilder.newBuilder()
                            .baseUri(root)
                            .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                            .readTimeout(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                            .followRedirects(false)
                            .property("microprofile.rest.client.disable.default.mapper", true)
                            .register(auth)
                            .build(XpanderTasksApi.class);
                    apiRoot = root;
                }
                current = api;
            }
        }
        return current;
    }

    private static Map<String, String> clean(Map<String, String> filters) {
        Map<String, String> out = new LinkedHashMap<>();
        if (filters != null) {
            filters.forEach((k, v) -> {
                if (v != null && !v.isEmpty()) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }

    private byte[] bytes(ObjectNode body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot serialise request body", e);
        }
    }

    private static ObjectNode object(JsonNode node, String operation) {
        if (node instanceof ObjectNode o && o.hasNonNull("id")) {
            return o;
        }
        throw new RemoteUnavailableException(operation + ": expected a task object, got " + node.getNodeType(), 200,
                null, null);
    }

    private static ArrayNode array(JsonNode node, String operation) {
        if (node instanceof ArrayNode a) {
            return a;
        }
        throw new RemoteUnavailableException(operation + ": expected a JSON array, got " + node.getNodeType(), 200,
                null, null);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteUnavailableException("interrupted while backing off", 0, null, e);
        }
    }
}
