package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class UpdateTest extends SimulatorTestBase {

    @Override
    SimulatorOptions options() {
        return SimulatorOptions.builder().tasks(10).driveCreatedTasks(false).build();
    }

    private String newTask() {
        return sim.createTask(agent(0), r -> r.put("title", "original").put("source", "webhook")).get("id").asText();
    }

    @Test
    void partialUpdateMergesOnlyPresentKeys() {
        String id = newTask();
        ObjectNode before = getTask(id);
        Instant updatedBefore = sim.updatedAt(id).orElseThrow();
        sim.advance(Duration.ofSeconds(2));

        Resp r = patch("/agent-execution/" + id + "/update", "{\"source\":\"sdk\",\"status\":\"executing\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        ObjectNode after = r.object();
        assertThat(after.get("status").asText()).isEqualTo("executing");
        assertThat(after.get("source").asText()).isEqualTo("sdk");
        assertThat(after.get("started_at").asText()).isEqualTo("2026-03-02T09:00:02.000000Z");
        assertThat(after.get("title").asText()).isEqualTo("original");
        assertThat(after.get("input")).isEqualTo(before.get("input"));
        assertThat(after.get("created_at")).isEqualTo(before.get("created_at"));
        assertThat(sim.updatedAt(id).orElseThrow()).isAfter(updatedBefore);
        assertThat(getTask(id)).isEqualTo(after);

        ObjectNode ext = patch("/agent-execution/" + id + "/update",
                "{\"tool_call_payload_extension\":{\"k\":1},\"last_executed_node_id\":\"node-9\",\"result\":\"r\"}")
                .object();
        assertThat(ext.get("payload_extension").get("k").asInt()).isEqualTo(1);
        assertThat(ext.get("last_executed_node_id").asText()).isEqualTo("node-9");
        assertThat(ext.get("result").asText()).isEqualTo("r");
        assertThat(ext.has("tool_call_payload_extension")).isFalse();

        ObjectNode nulled = patch("/agent-execution/" + id + "/update", "{\"result\":null,\"title\":null}").object();
        assertThat(nulled.get("result").isNull()).as("explicit nulls overwrite").isTrue();
        assertThat(nulled.get("title").isNull()).isTrue();
        assertThat(nulled.get("payload_extension").get("k").asInt()).isEqualTo(1);
    }

    @Test
    void fullObjectStyleWithSdkQuirksAndServerOnlyFieldsSurviving() {
        String id = newTask();
        sim.mutate(id, t -> t.put("worker_id", "worker-1").put("status", "executing"));
        ObjectNode sdkCopy = getTask(id);
        // the SDK drops fields it does not model and echoes the rest
        for (String serverOnly : new String[] {"worker_id", "finished_sub_executions", "used_mutating_tools",
                "is_continuous", "llm_model_provider", "llm_model_name", "llm_reasoning_effort", "deep_planning"}) {
            sdkCopy.remove(serverOnly);
        }
        if (sdkCopy.get("input").get("user") instanceof ObjectNode user) {
            user.remove("display_name");
        }
        sdkCopy.putArray("title").addNull();
        sdkCopy.putArray("expected_output").addNull();
        sdkCopy.putArray("triggering_agent_id").addNull();
        sdkCopy.putArray("mcp_servers").addArray();
        sdkCopy.put("status", "completed");
        sdkCopy.put("internal_status", "reviewed");
        sdkCopy.put("result", "{\"ok\":true}");
        sdkCopy.putNull("finished_at");
        sdkCopy.put("id", "tampered");
        sdkCopy.put("agent_id", "tampered");
        sdkCopy.put("created_at", "2020-01-01T00:00:00Z");
        sdkCopy.putObject("tokens").put("completion_tokens", 3).put("prompt_tokens", 4).put("total_tokens", 99);
        sdkCopy.putArray("used_tools").add("web_search");
        sdkCopy.put("duration", 1.5);
        sim.advance(Duration.ofSeconds(3));

        ObjectNode saved = patch("/agent-execution/" + id + "/update", sdkCopy.toString()).object();
        assertThat(saved.get("id").asText()).isEqualTo(id);
        assertThat(saved.get("agent_id").asText()).isEqualTo(agent(0));
        assertThat(saved.get("created_at").asText()).isEqualTo("2026-03-02T09:00:00.000000Z");
        assertThat(saved.get("title").asText()).as("[null] quirk ignored").isEqualTo("original");
        assertThat(saved.get("expected_output").isNull()).isTrue();
        assertThat(saved.get("mcp_servers").isArray()).isTrue();
        assertThat(saved.get("worker_id").asText()).as("server-only field survives").isEqualTo("worker-1");
        assertThat(saved.get("deep_planning").get("enabled").isBoolean()).isTrue();
        assertThat(saved.get("status").asText()).isEqualTo("completed");
        assertThat(saved.get("internal_status").asText()).isEqualTo("reviewed");
        assertThat(saved.get("finished_at").asText()).isEqualTo("2026-03-02T09:00:03.000000Z");
        assertThat(saved.get("tokens").get("total_tokens").asInt()).isEqualTo(7);
        assertThat(saved.get("used_tools").get(0).asText()).isEqualTo("web_search");
        assertThat(saved.get("duration").asDouble()).isEqualTo(1.5);
        assertThat(saved.get("input").get("user").isNull() || saved.get("input").get("user").has("display_name"))
                .isTrue();
        assertThat(sim.task("tampered")).isEmpty();
    }

    @Test
    void timestampsEchoedInOtherIsoFormsAreNormalized() {
        String id = newTask();
        ObjectNode r = patch("/agent-execution/" + id + "/update",
                "{\"started_at\":\"2026-03-02T08:00:00+00:00\",\"paused_at\":\"2026-03-02T08:30:00.5\"}").object();
        assertThat(r.get("started_at").asText()).isEqualTo("2026-03-02T08:00:00.000000Z");
        assertThat(r.get("paused_at").asText()).isEqualTo("2026-03-02T08:30:00.500000Z");
        assertThat(patch("/agent-execution/" + id + "/update", "{\"started_at\":\"yesterday\"}").status())
                .isEqualTo(422);
    }

    @Test
    void stoppedTaskCanBePatchedBackToPaused() {
        String id = newTask();
        assertThat(delete("/agent-execution/" + id).object().get("status").asText()).isEqualTo("stopped");
        sim.advance(Duration.ofSeconds(1));
        ObjectNode paused = patch("/agent-execution/" + id + "/update", "{\"status\":\"paused\"}").object();
        assertThat(paused.get("status").asText()).isEqualTo("paused");
        assertThat(paused.get("paused_at").asText()).isEqualTo("2026-03-02T09:00:01.000000Z");
    }

    @Test
    void validationFailuresAre422AndChangeNothing() {
        String id = newTask();
        ObjectNode before = getTask(id);
        Instant updated = sim.updatedAt(id).orElseThrow();

        Resp tooLong = patch("/agent-execution/" + id + "/update",
                "{\"internal_status\":\"" + "x".repeat(256) + "\"}");
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.json().get("detail").get(0).get("loc").toString())
                .isEqualTo("[\"body\",\"internal_status\"]");
        assertThat(patch("/agent-execution/" + id + "/update", "{\"internal_status\":\"" + "x".repeat(255) + "\"}")
                .status()).isEqualTo(200);
        sim.mutate(id, t -> t.putNull("internal_status"));
        before = getTask(id);
        updated = sim.updatedAt(id).orElseThrow();

        Resp badStatus = patch("/agent-execution/" + id + "/update", "{\"status\":\"done\"}");
        assertThat(badStatus.status()).isEqualTo(422);
        JsonNode error = badStatus.json().get("detail").get(0);
        assertThat(error.get("type").asText()).isEqualTo("type_error.enum");
        assertThat(error.get("msg").asText()).contains("'completed'");
        assertThat(patch("/agent-execution/" + id + "/update", "{\"output_format\":\"pdf\"}").status()).isEqualTo(422);
        assertThat(patch("/agent-execution/" + id + "/update", "{\"events_streaming\":\"yes\"}").status())
                .isEqualTo(422);
        assertThat(patch("/agent-execution/" + id + "/update", "{\"input\":null}").status()).isEqualTo(422);
        assertThat(patch("/agent-execution/" + id + "/update", "{\"status\":").status()).isEqualTo(422);
        assertThat(patch("/agent-execution/" + id + "/update", "[]").status()).isEqualTo(422);

        assertThat(getTask(id)).isEqualTo(before);
        assertThat(sim.updatedAt(id)).contains(updated);
        assertThat(patch("/agent-execution/unknown/update", "{\"status\":\"paused\"}").status()).isEqualTo(404);
    }

    @Test
    void updatedAtStrictlyIncreasesEvenWithoutClockMovement() {
        String id = newTask();
        String previous = sim.listItem(id).orElseThrow().get("updated_at").asText();
        for (int i = 0; i < 5; i++) {
            patch("/agent-execution/" + id + "/update", "{\"internal_status\":\"step-" + i + "\"}");
            String now = sim.listItem(id).orElseThrow().get("updated_at").asText();
            assertThat(now).matches(TIMESTAMP).isGreaterThan(previous);
            previous = now;
        }
        patch("/agent-execution/" + id + "/update", "{}");
        assertThat(sim.listItem(id).orElseThrow().get("updated_at").asText()).isGreaterThan(previous);
    }

    @Test
    void javaPatchAndMutate() {
        String id = newTask();
        ObjectNode patched = sim.patch(id, JSON.createObjectNode().put("status", "failed"));
        assertThat(patched.get("finished_at").isNull()).isFalse();
        ObjectNode mutated = sim.mutate(id, t -> t.put("title", "edited remotely").put("brand_new_field", 5));
        assertThat(mutated.get("title").asText()).isEqualTo("edited remotely");
        assertThat(getTask(id).get("brand_new_field").asInt()).as("unknown fields survive").isEqualTo(5);
        assertThat(sim.listItem(id).orElseThrow().get("title").asText()).isEqualTo("edited remotely");
    }
}
