package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class LifecycleTest extends SimulatorTestBase {

    private static final Set<String> TERMINAL = Set.of("completed", "failed", "error", "stopped");

    @Override
    SimulatorOptions options() {
        return SimulatorOptions.builder().tasks(100).build();
    }

    @Test
    void createdTasksProgressToTerminalStatesWithResultsAndTokens() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(createViaHttp(agent(i % 3), sdkCreateBody("task " + i)).get("id").asText());
        }
        sim.advance(Duration.ofSeconds(1).minusMillis(1));
        assertThat(getTask(ids.get(0)).get("status").asText()).isEqualTo("pending");

        Set<String> seen = new HashSet<>();
        for (int step = 0; step < 200; step++) {
            sim.advance(Duration.ofMillis(500));
            for (String id : ids) {
                seen.add(sim.task(id).orElseThrow().get("status").asText());
            }
        }
        assertThat(seen).contains("pending", "executing", "completed");
        Set<String> finals = new HashSet<>();
        for (String id : ids) {
            ObjectNode t = getTask(id);
            String status = t.get("status").asText();
            finals.add(status);
            assertThat(TERMINAL).contains(status);
            String created = t.get("created_at").asText();
            String started = t.get("started_at").asText();
            String finished = t.get("finished_at").asText();
            assertThat(started).matches(TIMESTAMP).isGreaterThan(created);
            assertThat(finished).matches(TIMESTAMP).isGreaterThan(started);
            assertThat(t.get("worker_id").isTextual()).isTrue();
            assertThat(t.get("tokens").get("total_tokens").asInt()).isPositive();
            if (status.equals("completed")) {
                assertThat(t.get("result").asText()).isNotBlank();
            }
            assertThat(sim.listItem(id).orElseThrow().get("updated_at").asText()).isGreaterThanOrEqualTo(finished);
        }
        assertThat(finals).contains("completed");
    }

    @Test
    void seededRunningTasksFinishAndPausesHappen() {
        sim.reset(options().toBuilder().pauseProbability(1.0).build());
        List<String> running = new java.util.ArrayList<>();
        for (String agentId : sim.agentIds()) {
            for (JsonNode item : list(agentId, null)) {
                if (!TERMINAL.contains(item.get("status").asText())) {
                    running.add(item.get("id").asText());
                }
            }
        }
        assertThat(running).isNotEmpty();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 240; i++) {
            sim.advance(Duration.ofMillis(500));
            for (String id : running) {
                ObjectNode t = sim.task(id).orElseThrow();
                String status = t.get("status").asText();
                seen.add(status);
                boolean waiting = t.get("hitl_request").hasNonNull("wait_node_id")
                        || t.get("pending_eca_request").hasNonNull("auth_url");
                assertThat(waiting).as("paused tasks wait for HITL or ECA: " + t).isEqualTo(status.equals("paused"));
            }
        }
        assertThat(seen).contains("paused");
        for (String id : running) {
            ObjectNode t = sim.task(id).orElseThrow();
            assertThat(TERMINAL).contains(t.get("status").asText());
        }
    }

    @Test
    void jsonOutputTasksProduceJsonStringsOrGarbage() {
        int valid = 0;
        int notJson = 0;
        int invalid = 0;
        sim.reset(options().toBuilder().tasks(0).build());
        for (int i = 0; i < 60; i++) {
            ObjectNode body = sdkCreateBody("json " + i);
            body.put("output_format", "json");
            body.putObject("output_schema").put("type", "object").putArray("required").add("answer");
            ((ObjectNode) body.get("output_schema")).putObject("properties").putObject("answer").put("type", "string");
            createViaHttp(agent(0), body);
        }
        sim.advance(Duration.ofMinutes(5));
        for (JsonNode item : list(agent(0), "status=completed")) {
            String result = item.get("result").asText();
            try {
                JsonNode parsed = JSON.readTree(result);
                if (parsed.has("answer") && parsed.get("answer").isTextual()) {
                    valid++;
                } else {
                    invalid++;
                }
            } catch (java.io.IOException e) {
                notJson++;
            }
        }
        assertThat(valid).isPositive();
        assertThat(invalid).isPositive();
        assertThat(notJson).isPositive();
    }

    @Test
    void frozenLifecycleDoesNotMove() {
        String id = createViaHttp(agent(0), sdkCreateBody("frozen")).get("id").asText();
        sim.setLifecycleEnabled(false);
        sim.advance(Duration.ofHours(1));
        assertThat(getTask(id).get("status").asText()).isEqualTo("pending");
        assertThat(sim.now()).isEqualTo(SimulatorOptions.DEFAULT_START.plus(Duration.ofHours(1)));
        assertThat(sim.tick()).isZero();
        sim.setLifecycleEnabled(true);
        assertThat(sim.tick()).isPositive();
        assertThat(getTask(id).get("status").asText()).isEqualTo("executing");
        assertThat(getTask(id).get("started_at").asText()).isEqualTo("2026-03-02T10:00:00.000000Z");
    }

    @Test
    void arrivalsAndRemoteEditsHappenAtTheConfiguredRate() {
        sim.reset(options().toBuilder().tasks(20).arrivalsPerMinute(30).remoteEditsPerMinute(30).build());
        int before = sim.taskCount();
        java.util.Map<String, String> updated = new java.util.HashMap<>();
        for (String agentId : sim.agentIds()) {
            for (JsonNode item : list(agentId, null)) {
                updated.put(item.get("id").asText(), item.get("updated_at").asText());
            }
        }
        sim.advance(Duration.ofMinutes(10));
        int arrived = sim.taskCount() - before;
        assertThat(arrived).isBetween(200, 400);
        long editedOld = updated.entrySet().stream()
                .filter(e -> !sim.listItem(e.getKey()).orElseThrow().get("updated_at").asText().equals(e.getValue()))
                .count();
        assertThat(editedOld).isPositive();
        boolean someUsers = false;
        boolean someFiles = false;
        for (String agentId : sim.agentIds()) {
            for (ObjectNode t : sim.tasks(agentId)) {
                someUsers |= t.get("input").get("user").isObject();
                someFiles |= t.get("input").get("files").size() > 0;
            }
        }
        assertThat(someUsers).isTrue();
        assertThat(someFiles).isTrue();
    }

    @Test
    void realTimeClockFollowsTheWallClockPlusOffset() {
        sim.reset(options().toBuilder().manualClock(false).tasks(5).build());
        java.time.Instant before = java.time.Instant.now();
        assertThat(sim.now()).isBetween(before.minusSeconds(1), before.plusSeconds(5));
        sim.advance(Duration.ofHours(2));
        assertThat(sim.now()).isAfter(before.plus(Duration.ofMinutes(119)));
        for (JsonNode item : list(agent(0), null)) {
            assertThat(TERMINAL).contains(item.get("status").asText());
        }
    }
}
