package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ActivityAndReportTest extends SimulatorTestBase {

    @Override
    SimulatorOptions options() {
        return SimulatorOptions.builder().tasks(10).build();
    }

    @Test
    void activityThreadOfAFinishedTask() {
        ObjectNode body = sdkCreateBody("Summarize the attached report");
        ((ObjectNode) body.get("input")).putArray("files").add("https://files.example.com/q3.pdf");
        ((ObjectNode) body.get("input")).putObject("user").put("id", "u1").put("email", "u1@example.com")
                .put("first_name", "Uma");
        String id = createViaHttp(agent(1), body).get("id").asText();

        ObjectNode pending = get("/activity/" + agent(1) + "/" + id).object();
        assertThat(pending.get("id").asText()).isEqualTo(id);
        assertThat(pending.get("messages")).hasSize(1);

        sim.advance(Duration.ofMinutes(2));
        ObjectNode finished = getTask(id);
        Resp r = get("/activity/" + agent(1) + "/" + id);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        ObjectNode thread = r.object();
        assertThat(thread.get("created_at").asText()).matches(TIMESTAMP).isEqualTo(finished.get("created_at").asText());
        assertThat(thread.get("user").get("email").asText()).isEqualTo("u1@example.com");
        List<JsonNode> messages = new ArrayList<>();
        thread.get("messages").forEach(messages::add);
        JsonNode first = messages.get(0);
        assertThat(first.get("role").asText()).isEqualTo("user");
        assertThat(first.get("content").get("text").asText()).isEqualTo("Summarize the attached report");
        assertThat(first.get("content").get("files").get(0).asText()).endsWith("q3.pdf");
        JsonNode last = messages.get(messages.size() - 1);
        assertThat(last.get("role").asText()).isEqualTo("agent");
        assertThat(last.get("content").get("text").asText()).isEqualTo(finished.get("result").asText());
        assertThat(messages).anyMatch(m -> m.has("type") && m.get("type").asText().equals("think")
                && m.has("confidence") && m.has("title"));
        String previous = "";
        for (JsonNode m : messages) {
            assertThat(m.get("id").isTextual()).isTrue();
            assertThat(m.get("created_at").asText()).matches(TIMESTAMP).isGreaterThanOrEqualTo(previous);
            previous = m.get("created_at").asText();
            if (m.has("tool_name")) {
                assertThat(m.has("payload")).isTrue();
                assertThat(m.get("is_error").isBoolean()).isTrue();
            }
        }
        assertThat(get("/" + ORG + "/activity/" + agent(1) + "/" + id).body()).isEqualTo(r.body());
    }

    @Test
    void activityNotFoundCases() {
        String id = sim.taskIds(agent(0)).get(0);
        assertThat(get("/activity/" + agent(1) + "/" + id).status()).isEqualTo(404);
        assertThat(get("/activity/" + agent(0) + "/unknown").status()).isEqualTo(404);
        assertThat(get("/activity/" + agent(0) + "/" + id).status()).isEqualTo(200);
    }

    @Test
    void reportTaskCreatesAFinishedTask() {
        String body = "{\"id\":\"ext-1\",\"input\":\"What is 2+2?\",\"llm_response\":{\"raw\":true},"
                + "\"tokens\":{\"completion_tokens\":5,\"prompt_tokens\":10,\"total_tokens\":15},"
                + "\"is_success\":true,\"result\":\"4\",\"duration\":2.5,\"used_tools\":[\"calculator\"]}";
        Resp r = post("/agent-execution/" + agent(0) + "/report_task", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        ObjectNode task = r.object();
        assertThat(task.get("id").asText()).isEqualTo("ext-1");
        assertThat(task.get("agent_id").asText()).isEqualTo(agent(0));
        assertThat(task.get("input").get("text").asText()).isEqualTo("What is 2+2?");
        assertThat(task.get("status").asText()).isEqualTo("completed");
        assertThat(task.get("result").asText()).isEqualTo("4");
        assertThat(task.get("source").asText()).isEqualTo("sdk");
        assertThat(task.get("finished_at").asText()).isEqualTo("2026-03-02T09:00:00.000000Z");
        assertThat(task.get("started_at").asText()).isEqualTo("2026-03-02T08:59:57.500000Z");
        assertThat(task.get("tokens").get("total_tokens").asInt()).isEqualTo(15);
        assertThat(task.get("used_tools").get(0).asText()).isEqualTo("calculator");
        assertThat(getTask("ext-1")).isEqualTo(task);
        assertThat(CreateGetListTest.ids(list(agent(0), null))).contains("ext-1");

        String failed = "{\"id\":null,\"input\":null,\"llm_response\":null,\"tokens\":null,\"is_success\":false,"
                + "\"result\":null,\"duration\":0,\"used_tools\":[]}";
        ObjectNode f = post("/agent-execution/" + agent(0) + "/report_task", failed).object();
        assertThat(f.get("status").asText()).isEqualTo("failed");
        assertThat(f.get("id").asText()).hasSize(36);

        assertThat(post("/agent-execution/" + agent(1) + "/report_task", body).status()).isEqualTo(409);
        assertThat(post("/agent-execution/" + agent(0) + "/report_task", "{\"duration\":\"long\"}").status())
                .isEqualTo(422);
        assertThat(post("/agent-execution/unknown-agent/report_task", "{}").status()).isEqualTo(404);
    }

    @Test
    void metricsAreAccepted() {
        String body = "{\"execution_id\":\"t1\",\"source\":\"sdk\",\"sub_executions\":[],\"memory_thread_id\":\"t1\","
                + "\"task\":\"hi\",\"triggered_by\":\"N/A\",\"skills\":[],\"status\":\"completed\","
                + "\"internal_status\":null,\"duration\":0.0,\"ai_model\":\"xpander\",\"worker\":null,"
                + "\"ai_employee_id\":null,\"api_calls_made\":[],\"result\":\"ok\",\"llm_tokens\":{\"inner\":"
                + "{\"completion_tokens\":1,\"prompt_tokens\":2,\"total_tokens\":3},\"worker\":"
                + "{\"completion_tokens\":0,\"prompt_tokens\":0,\"total_tokens\":0}}}";
        Resp r = post("/agents-metrics/" + agent(0) + "/execution", body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo("{}");
        assertThat(sim.metricsReports()).hasSize(1);
        assertThat(sim.metricsReports().get(0).get("execution_id").asText()).isEqualTo("t1");
        assertThat(sim.requestCount(RouteKind.METRICS)).isEqualTo(1);
        assertThat(post("/agents-metrics/" + agent(0) + "/execution", "nope").status()).isEqualTo(422);
    }
}
