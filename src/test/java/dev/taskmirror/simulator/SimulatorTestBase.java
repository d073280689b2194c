package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Vertx;

/** Starts a simulator and its HTTP server on a random port; talks real HTTP to it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SimulatorTestBase {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
    static final String KEY = SimulatorOptions.DEFAULT_API_KEY;
    static final String ORG = SimulatorOptions.DEFAULT_ORGANIZATION_ID;

    Vertx vertx;
    XpanderSimulator sim;
    SimulatorHttpServer server;
    HttpClient http;
    String base;

    /** Options used by {@link #resetSimulator()} before each test. */
    SimulatorOptions options() {
        return SimulatorOptions.builder().tasks(30).build();
    }

    @BeforeAll
    void startServer() {
        vertx = Vertx.vertx();
        sim = new XpanderSimulator(options());
        server = new SimulatorHttpServer(vertx, sim);
        server.start();
        base = server.baseUrl();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    void stopServer() {
        server.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void resetSimulator() {
        sim.reset(options());
    }

    String agent(int i) {
        return sim.agentIds().get(i);
    }

    // ------------------------------------------------------------------ HTTP helpers

    record Resp(int status, HttpResponse<String> raw) {
        String body() {
            return raw.body();
        }

        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ObjectNode object() {
            return (ObjectNode) json();
        }

        ArrayNode array() {
            return (ArrayNode) json();
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Resp send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Resp get(String path) {
        return send("GET", path, null, "x-api-key", KEY);
    }

    Resp post(String path, String body) {
        return send("POST", path, body, "x-api-key", KEY);
    }

    Resp patch(String path, String body) {
        return send("PATCH", path, body, "x-api-key", KEY);
    }

    Resp delete(String path) {
        return send("DELETE", path, null, "x-api-key", KEY);
    }

    ObjectNode getTask(String id) {
        Resp r = get("/agent-execution/" + id + "/status");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.object();
    }

    ArrayNode list(String agentId, String query) {
        Resp r = get("/agent-execution/executions/history/" + agentId + (query == null ? "" : "?" + query));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.array();
    }

    /** The create body the Python SDK sends: every key, nulls for unset values. */
    static ObjectNode sdkCreateBody(String text) {
        ObjectNode b = JSON.createObjectNode();
        b.putNull("id");
        ObjectNode input = b.putObject("input");
        input.put("text", text);
        input.putArray("files");
        input.putNull("user");
        b.putNull("payload_extension");
        b.putNull("source");
        b.putNull("worker_id");
        b.putNull("output_format");
        b.putNull("output_schema");
        b.put("run_locally", false);
        b.put("events_streaming", false);
        b.putNull("additional_context");
        b.putNull("instructions_override");
        b.putNull("test_run_node_id");
        b.putNull("user_oidc_token");
        b.putNull("expected_output");
        b.putArray("mcp_servers");
        b.putNull("triggering_agent_id");
        b.putNull("title");
        b.put("think_mode", "default");
        b.put("disable_attachment_injection", false);
        b.putNull("user_tokens");
        b.put("return_metrics", false);
        return b;
    }

    ObjectNode createViaHttp(String agentId, ObjectNode body) {
        Resp r = post("/agent-execution/" + agentId, body.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.object();
    }

    // ------------------------------------------------------------------ SSE helper

    /** Reads an event stream line by line on a background thread. */
    final class SseStream implements AutoCloseable {
        static final String END = "\u0000END";
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final HttpResponse<Stream<String>> response;
        private final Stream<String> body;
        private final Thread reader;

        SseStream(String path, String... headers) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Accept", "text/event-stream").header("Cache-Control", "no-store");
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            CompletableFuture<HttpResponse<Stream<String>>> f = http.sendAsync(b.GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            try {
                response = f.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            body = response.body();
            reader = new Thread(() -> {
                try (Stream<String> s = body) {
                    s.forEach(lines::add);
                } catch (RuntimeException e) {
                    lines.add("\u0000ERROR " + e);
                } finally {
                    lines.add(END);
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        String contentType() {
            return response.headers().firstValue("content-type").orElse("");
        }

        /** Next line, or null on timeout. */
        String next(Duration timeout) {
            try {
                return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /** Next {@code data:} payload as JSON (skipping comments and blank lines), or null at end / timeout. */
        JsonNode nextEvent(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String line = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (line == null || line.equals(END)) {
                    return null;
                }
                if (line.startsWith("data: ")) {
                    try {
                        return JSON.readTree(line.substring(6));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            return null;
        }

        /** All remaining events until the server closes the stream (fails on timeout). */
        List<JsonNode> eventsUntilClosed(Duration timeout) {
            List<JsonNode> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                assertThat(left).as("stream did not close in time; got " + out).isPositive();
                String line = next(Duration.ofNanos(left));
                assertThat(line).as("stream did not close in time; got " + out).isNotNull();
                if (line.equals(END)) {
                    return out;
                }
                if (line.startsWith("data: ")) {
                    try {
                        out.add(JSON.readTree(line.substring(6)));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (RuntimeException ignored) {
                // already closed
            }
            reader.interrupt();
        }
    }
}
