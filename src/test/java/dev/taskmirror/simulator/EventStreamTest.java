package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class EventStreamTest extends SimulatorTestBase {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    SimulatorOptions options() {
        return SimulatorOptions.builder().tasks(10).sseKeepAlive(Duration.ofMillis(150)).pauseProbability(0).build();
    }

    private String streamingTask() {
        ObjectNode body = sdkCreateBody("stream me");
        body.put("events_streaming", true);
        return createViaHttp(agent(0), body).get("id").asText();
    }

    private String eventsPath(String id) {
        return "/" + ORG + "/agent-execution/" + id + "/events";
    }

    @Test
    void replaysTheLogThenLiveEventsAndClosesAfterTaskFinished() {
        String id = streamingTask();
        try (SseStream stream = new SseStream(eventsPath(id), "x-api-key", KEY)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            JsonNode created = stream.nextEvent(WAIT);
            assertThat(created).isNotNull();
            assertThat(created.get("type").asText()).isEqualTo("task_created");
            assertThat(created.get("task_id").asText()).isEqualTo(id);
            assertThat(created.get("organization_id").asText()).isEqualTo(ORG);
            assertThat(created.get("time").asText()).matches(TIMESTAMP);
            assertThat(created.get("data").get("id").asText()).isEqualTo(id);
            assertThat(created.get("data").get("status").asText()).isEqualTo("pending");

            sim.advance(Duration.ofMinutes(2));
            List<JsonNode> rest = stream.eventsUntilClosed(WAIT);
            List<String> types = rest.stream().map(e -> e.get("type").asText()).toList();
            assertThat(types.get(0)).isEqualTo("task_updated");
            assertThat(types).contains("think").last().isEqualTo("task_finished");
            JsonNode finished = rest.get(rest.size() - 1).get("data");
            assertThat(List.of("completed", "failed", "error")).contains(finished.get("status").asText());
            assertThat(finished).isEqualTo(getTask(id));
            for (JsonNode e : rest) {
                assertThat(e.get("task_id").asText()).isEqualTo(id);
                assertThat(e.has("data")).isTrue();
                assertThat(Validation.EVENT_TYPES).contains(e.get("type").asText());
            }
        }
        assertThat(sim.subscriberCount(id)).isZero();
    }

    @Test
    void finishedTaskReplaysEverythingAndCloses() {
        String id = streamingTask();
        sim.advance(Duration.ofMinutes(2));
        try (SseStream stream = new SseStream("/agent-execution/" + id + "/events", "x-api-key", KEY)) {
            List<JsonNode> events = stream.eventsUntilClosed(WAIT);
            assertThat(events.get(0).get("type").asText()).isEqualTo("task_created");
            assertThat(events.get(events.size() - 1).get("type").asText()).isEqualTo("task_finished");
            assertThat(events).hasSize(sim.events(id).size());
        }
    }

    @Test
    void seededStreamingTasksGetASynthesizedHistory() {
        sim.reset(options().toBuilder().tasks(300).build());
        String id = null;
        for (String agentId : sim.agentIds()) {
            for (ObjectNode t : sim.tasks(agentId)) {
                if (t.get("events_streaming").asBoolean() && t.get("status").asText().equals("completed")) {
                    id = t.get("id").asText();
                }
            }
        }
        assertThat(id).isNotNull();
        try (SseStream stream = new SseStream(eventsPath(id), "x-api-key", KEY)) {
            List<String> types = stream.eventsUntilClosed(WAIT).stream().map(e -> e.get("type").asText()).toList();
            assertThat(types).startsWith("task_created", "task_updated").contains("chunk").endsWith("task_finished");
        }
    }

    @Test
    void keepAliveCommentsWhileWaiting() {
        sim.setLifecycleEnabled(false);
        String id = streamingTask();
        try (SseStream stream = new SseStream(eventsPath(id), "x-api-key", KEY)) {
            assertThat(stream.nextEvent(WAIT).get("type").asText()).isEqualTo("task_created");
            int keepAlives = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (keepAlives < 2 && System.nanoTime() < deadline) {
                String line = stream.next(Duration.ofSeconds(2));
                if (": keep-alive".equals(line)) {
                    keepAlives++;
                }
            }
            assertThat(keepAlives).isEqualTo(2);
            assertThat(sim.subscriberCount(id)).isEqualTo(1);

            Resp stop = delete("/agent-execution/" + id);
            assertThat(stop.status()).isEqualTo(200);
            List<JsonNode> rest = stream.eventsUntilClosed(WAIT);
            assertThat(rest).hasSize(1);
            assertThat(rest.get(0).get("type").asText()).isEqualTo("task_finished");
            assertThat(rest.get(0).get("data").get("status").asText()).isEqualTo("stopped");
        }
    }

    @Test
    void pushedEventsAreAppendedAndFannedOut() {
        sim.setLifecycleEnabled(false);
        String id = streamingTask();
        String before = sim.listItem(id).orElseThrow().get("updated_at").asText();
        try (SseStream stream = new SseStream(eventsPath(id), "x-api-key", KEY)) {
            assertThat(stream.nextEvent(WAIT).get("type").asText()).isEqualTo("task_created");
            String push = "[{\"type\":\"auth_event\",\"task_id\":\"" + id + "\",\"organization_id\":\"" + ORG
                    + "\",\"time\":\"2026-03-02T09:15:06.000100Z\",\"data\":{\"type\":\"login_required\","
                    + "\"data\":{\"url\":\"https://auth.example.com/login\",\"server_url\":\"https://mcp\","
                    + "\"server_name\":\"crm\"}}}]";
            Resp r = post("/agent-execution/" + id + "/events/push", push);
            assertThat(r.status()).isEqualTo(200);
            JsonNode auth = stream.nextEvent(WAIT);
            assertThat(auth.get("type").asText()).isEqualTo("auth_event");
            assertThat(auth.get("data").get("data").get("server_name").asText()).isEqualTo("crm");
            assertThat(sim.listItem(id).orElseThrow().get("updated_at").asText()).isEqualTo(before);

            post("/agent-execution/" + id + "/events/push", "[{\"type\":\"task_compactization\",\"data\":"
                    + "{\"type\":\"retry\",\"data\":{\"is_retry\":true}}}]");
            JsonNode compaction = stream.nextEvent(WAIT);
            assertThat(compaction.get("task_id").asText()).as("missing envelope fields are filled").isEqualTo(id);
            assertThat(compaction.get("organization_id").asText()).isEqualTo(ORG);
            assertThat(sim.listItem(id).orElseThrow().get("updated_at").asText()).isGreaterThan(before);

            sim.pushEvent(id, "chunk", JSON.getNodeFactory().textNode("hello"));
            assertThat(stream.nextEvent(WAIT).get("data").asText()).isEqualTo("hello");
        }
        assertThat(post("/agent-execution/" + id + "/events/push", "{}").status()).isEqualTo(422);
        assertThat(post("/agent-execution/" + id + "/events/push", "[{\"type\":\"nonsense\"}]").status())
                .isEqualTo(422);
        assertThat(post("/agent-execution/unknown/events/push", "[{\"type\":\"chunk\",\"data\":\"x\"}]").status())
                .isEqualTo(404);
        assertThat(sim.events(id)).extracting(e -> e.get("type").asText())
                .containsExactly("task_created", "auth_event", "task_compactization", "chunk");
    }

    @Test
    void errorsOnTheEventRoute() {
        String plain = createViaHttp(agent(0), sdkCreateBody("no streaming")).get("id").asText();
        Resp notStreaming = get(eventsPath(plain));
        assertThat(notStreaming.status()).isEqualTo(400);
        assertThat(notStreaming.header("content-type")).isEqualTo("application/json");
        assertThat(get(eventsPath("unknown")).status()).isEqualTo(404);
        assertThat(send("GET", eventsPath(streamingTask()), null).status()).isEqualTo(403);
        assertThat(get("/None/agent-execution/" + streamingTask() + "/events").status()).isEqualTo(404);
    }

    @Test
    void continuationStartsANewEventLog() {
        String id = streamingTask();
        sim.advance(Duration.ofMinutes(2));
        ObjectNode next = sdkCreateBody("second");
        next.put("id", id);
        next.put("events_streaming", true);
        createViaHttp(agent(0), next);
        List<ObjectNode> events = sim.events(id);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("type").asText()).isEqualTo("task_created");
        assertThat(events.get(0).get("data").get("input").get("text").asText()).isEqualTo("second");
    }
}
