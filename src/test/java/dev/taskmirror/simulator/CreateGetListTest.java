package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class CreateGetListTest extends SimulatorTestBase {

    static final List<String> TASK_FIELDS = List.of("id", "agent_id", "organization_id", "input", "status",
            "internal_status", "last_executed_node_id", "agent_version", "created_at", "started_at", "paused_at",
            "finished_at", "result", "parent_execution", "sub_executions", "is_manually_stopped", "payload_extension",
            "hitl_request", "pending_eca_request", "source", "voice_id", "output_format", "output_schema",
            "events_streaming", "is_orchestration", "additional_context", "instructions_override", "test_run_node_id",
            "user_oidc_token", "expected_output", "mcp_servers", "triggering_agent_id", "title", "think_mode",
            "disable_attachment_injection", "user_tokens", "deep_planning", "execution_attempts", "return_metrics",
            "tokens", "used_tools", "duration",
            // server-only fields (§3.1.2)
            "worker_id", "finished_sub_executions", "used_mutating_tools", "is_continuous", "llm_model_provider",
            "llm_model_name", "llm_reasoning_effort");

    static final List<String> LIST_FIELDS = List.of("id", "agent_id", "user_id", "parent_task_id",
            "triggering_agent_id", "organization_id", "status", "created_at", "updated_at", "source_node_type",
            "result", "title");

    @Test
    void createEchoesTheRequestAndReturnsACompleteTask() {
        ObjectNode body = sdkCreateBody("Summarize the attached report");
        ObjectNode input = (ObjectNode) body.get("input");
        input.putArray("files").add("https://files.example.com/q3.pdf");
        ObjectNode user = input.putObject("user");
        user.put("id", "user-42").put("first_name", "Dana").putNull("last_name").put("email", "dana@example.com")
                .putNull("additional_attributes").put("timezone", "Europe/Berlin");
        body.put("source", "sdk");
        body.put("events_streaming", true);
        body.put("title", "Q3 summary");
        body.put("user_oidc_token", "oidc-secret");
        body.putObject("user_tokens").put("node-1", "sk-secret");
        body.putObject("payload_extension").put("tenant", "t1");
        body.put("think_mode", "harder");
        body.put("expected_output", "bullets");
        body.put("return_metrics", true);
        ObjectNode mcp = body.putArray("mcp_servers").addObject();
        mcp.put("name", "crm").put("url", "https://mcp.example.com").put("auth_type", "api_key")
                .put("api_key", "mcp-secret").putObject("headers").put("X-Token", "hdr-secret");
        body.put("unknown_future_key", 1);

        Resp r = send("POST", "/agent-execution/" + agent(0), body.toString(), "x-api-key", KEY,
                "x-agent-version", "3");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        ObjectNode task = r.object();

        List<String> names = new ArrayList<>();
        task.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsAll(TASK_FIELDS).doesNotContain("run_locally", "unknown_future_key", "updated_at");
        assertThat(task.get("id").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(task.get("agent_id").asText()).isEqualTo(agent(0));
        assertThat(task.get("organization_id").asText()).isEqualTo(ORG);
        assertThat(task.get("status").asText()).isEqualTo("pending");
        assertThat(task.get("agent_version").asText()).isEqualTo("3");
        assertThat(task.get("created_at").asText()).matches(TIMESTAMP).isEqualTo("2026-03-02T09:00:00.000000Z");
        assertThat(task.get("started_at").isNull()).isTrue();
        assertThat(task.get("finished_at").isNull()).isTrue();
        assertThat(task.get("output_format").asText()).isEqualTo("text");
        assertThat(task.get("input").get("user").get("display_name").asText()).isEqualTo("Dana");
        assertThat(task.get("input").get("files").get(0).asText()).isEqualTo("https://files.example.com/q3.pdf");
        assertThat(task.get("events_streaming").asBoolean()).isTrue();
        assertThat(task.get("title").asText()).isEqualTo("Q3 summary");
        assertThat(task.get("user_oidc_token").asText()).isEqualTo("oidc-secret");
        assertThat(task.get("user_tokens").get("node-1").asText()).isEqualTo("sk-secret");
        assertThat(task.get("payload_extension").get("tenant").asText()).isEqualTo("t1");
        assertThat(task.get("think_mode").asText()).isEqualTo("harder");
        assertThat(task.get("expected_output").asText()).isEqualTo("bullets");
        assertThat(task.get("return_metrics").asBoolean()).isTrue();
        JsonNode server = task.get("mcp_servers").get(0);
        assertThat(server.get("api_key").asText()).isEqualTo("mcp-secret");
        assertThat(server.get("headers").get("X-Token").asText()).isEqualTo("hdr-secret");
        assertThat(server.get("type").asText()).isEqualTo("remote");
        assertThat(server.get("transport").asText()).isEqualTo("streamable-http");
        assertThat(server.get("share_user_token_across_other_agents").asBoolean()).isTrue();
        assertThat(task.get("deep_planning")).isEqualTo(JSON.createObjectNode().put("enabled", false)
                .put("enforce", false).put("started", false).put("question_raised", false)
                .set("tasks", JSON.createArrayNode()));
        assertThat(task.get("execution_attempts").asInt()).isEqualTo(1);
        assertThat(task.get("tokens").isNull()).isTrue();
        assertThat(task.get("sub_executions").isArray()).isTrue();
        assertThat(task.get("is_manually_stopped").asBoolean()).isFalse();

        assertThat(getTask(task.get("id").asText())).isEqualTo(task);
    }

    @Test
    void everySeededTaskHasAllFieldsAndWellFormedTimestamps() {
        for (String agentId : sim.agentIds()) {
            for (JsonNode item : list(agentId, null)) {
                ObjectNode task = getTask(item.get("id").asText());
                List<String> names = new ArrayList<>();
                task.fieldNames().forEachRemaining(names::add);
                assertThat(names).containsAll(TASK_FIELDS);
                for (String ts : List.of("created_at", "started_at", "paused_at", "finished_at")) {
                    JsonNode v = task.get(ts);
                    if (!v.isNull()) {
                        assertThat(v.asText()).matches(TIMESTAMP);
                    }
                }
                JsonNode user = task.get("input").get("user");
                if (!user.isNull()) {
                    assertThat(user.get("email").isTextual()).isTrue();
                    assertThat(user.get("display_name").isTextual()).isTrue();
                }
                if (List.of("completed", "failed", "error").contains(task.get("status").asText())) {
                    assertThat(task.get("tokens").get("total_tokens").asLong()).isEqualTo(
                            task.get("tokens").get("prompt_tokens").asLong()
                                    + task.get("tokens").get("completion_tokens").asLong());
                    assertThat(task.get("finished_at").isNull()).isFalse();
                }
            }
        }
    }

    @Test
    void listIsABareArrayOfTwelveFieldItemsNewestFirst() {
        ObjectNode created = createViaHttp(agent(0), sdkCreateBody("newest"));
        Resp r = get("/agent-execution/executions/history/" + agent(0));
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.body()).startsWith("[");
        ArrayNode items = r.array();
        assertThat(items).isNotEmpty();
        assertThat(items.get(0).get("id").asText()).isEqualTo(created.get("id").asText());
        String previous = null;
        for (JsonNode item : items) {
            List<String> names = new ArrayList<>();
            item.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactlyElementsOf(LIST_FIELDS);
            assertThat(item.get("created_at").asText()).matches(TIMESTAMP);
            assertThat(item.get("updated_at").asText()).matches(TIMESTAMP);
            assertThat(item.get("updated_at").asText()).isGreaterThanOrEqualTo(item.get("created_at").asText());
            assertThat(item.get("status").isTextual()).isTrue();
            assertThat(item.get("agent_id").asText()).isEqualTo(agent(0));
            if (previous != null) {
                assertThat(item.get("created_at").asText()).isLessThanOrEqualTo(previous);
            }
            previous = item.get("created_at").asText();
            assertThat(sim.listItem(item.get("id").asText())).contains((ObjectNode) item);
        }
        assertThat(items.size()).isEqualTo(sim.taskIds(agent(0)).size());
    }

    @Test
    void sourceNodeTypeIsDerivedFromSource() {
        ObjectNode slack = sdkCreateBody("a");
        slack.put("source", "slack");
        ObjectNode api = sdkCreateBody("b");
        api.put("source", "api");
        String slackId = createViaHttp(agent(2), slack).get("id").asText();
        String apiId = createViaHttp(agent(2), api).get("id").asText();
        String nullId = createViaHttp(agent(2), sdkCreateBody("c")).get("id").asText();
        assertThat(sim.listItem(slackId).orElseThrow().get("source_node_type").asText()).isEqualTo("slack");
        assertThat(sim.listItem(apiId).orElseThrow().get("source_node_type").asText()).isEqualTo("sdk");
        assertThat(sim.listItem(nullId).orElseThrow().get("source_node_type").asText()).isEqualTo("sdk");
        assertThat(getTask(apiId).get("source").asText()).isEqualTo("api");
    }

    @Test
    void emptyQueryValuesAreIgnoredAndFiltersCombine() {
        String all = get("/agent-execution/executions/history/" + agent(0)).body();
        assertThat(get("/agent-execution/executions/history/" + agent(0)
                + "?status=&user_id=&parent_task_id=&triggering_agent_id=&internal_status=&other=1").body())
                .isEqualTo(all);

        ObjectNode body = sdkCreateBody("filtered");
        ((ObjectNode) body.get("input")).putObject("user").put("id", "filter-user").put("email", "f@example.com");
        body.put("triggering_agent_id", agent(1));
        String id = createViaHttp(agent(0), body).get("id").asText();
        patch("/agent-execution/" + id + "/update", "{\"internal_status\":\"reviewed\"}");

        assertThat(ids(list(agent(0), "user_id=filter-user"))).containsExactly(id);
        assertThat(ids(list(agent(0), "user_id=filter-user&status=pending&internal_status=reviewed")))
                .containsExactly(id);
        assertThat(list(agent(0), "user_id=filter-user&status=completed")).isEmpty();
        assertThat(ids(list(agent(0), "triggering_agent_id=" + agent(1)))).contains(id);
        for (JsonNode item : list(agent(0), "status=completed")) {
            assertThat(item.get("status").asText()).isEqualTo("completed");
        }
        for (JsonNode item : list(agent(0), "internal_status=reviewed")) {
            assertThat(getTask(item.get("id").asText()).get("internal_status").asText()).isEqualTo("reviewed");
        }

        Resp bad = get("/agent-execution/executions/history/" + agent(0) + "?status=AgentExecutionStatus.Completed");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"query\",\"status\"]");
    }

    @Test
    void userListSpansAgentsOfTheOrganization() {
        ObjectNode body = sdkCreateBody("mine");
        ((ObjectNode) body.get("input")).putObject("user").put("id", "u-77").put("email", "u77@example.com");
        String a = createViaHttp(agent(0), body).get("id").asText();
        sim.advance(Duration.ofSeconds(1));
        String b = createViaHttp(agent(1), body).get("id").asText();
        Resp r = get("/agent-execution/executions/history/user/u-77");
        assertThat(r.status()).isEqualTo(200);
        assertThat(ids(r.array())).containsExactly(b, a);
        assertThat(ids(get("/agent-execution/executions/history/user/u-77?status=&internal_status=").array()))
                .containsExactly(b, a);
        assertThat(get("/agent-execution/executions/history/user/u-77?status=completed").array()).isEmpty();
        assertThat(get("/agent-execution/executions/history/user/nobody").array()).isEmpty();
        assertThat(get("/agent-execution/executions/history/user/u-77?status=bogus").status()).isEqualTo(422);
    }

    @Test
    void validationErrorsUseTheFastApiShape() {
        int before = sim.taskCount();
        Resp missing = post("/agent-execution/" + agent(0), "{\"title\":\"no input\"}");
        assertThat(missing.status()).isEqualTo(422);
        JsonNode error = missing.json().get("detail").get(0);
        assertThat(error.get("loc").toString()).isEqualTo("[\"body\",\"input\"]");
        assertThat(error.get("msg").asText()).isEqualTo("field required");
        assertThat(error.get("type").asText()).isEqualTo("value_error.missing");

        assertThat(post("/agent-execution/" + agent(0), "{\"input\":null}").status()).isEqualTo(422);
        assertThat(post("/agent-execution/" + agent(0), "{not json").status()).isEqualTo(422);
        assertThat(post("/agent-execution/" + agent(0), "").status()).isEqualTo(422);
        assertThat(post("/agent-execution/" + agent(0), "[1]").status()).isEqualTo(422);

        ObjectNode badFormat = sdkCreateBody("x");
        badFormat.put("output_format", "html");
        Resp format = post("/agent-execution/" + agent(0), badFormat.toString());
        assertThat(format.status()).isEqualTo(422);
        assertThat(format.json().get("detail").get(0).get("type").asText()).isEqualTo("type_error.enum");
        assertThat(format.json().get("detail").get(0).get("loc").toString())
                .isEqualTo("[\"body\",\"output_format\"]");

        ObjectNode badThink = sdkCreateBody("x");
        badThink.put("think_mode", "hardest");
        assertThat(post("/agent-execution/" + agent(0), badThink.toString()).status()).isEqualTo(422);

        ObjectNode badMcp = sdkCreateBody("x");
        badMcp.putArray("mcp_servers").addObject().put("transport", "carrier-pigeon");
        Resp mcp = post("/agent-execution/" + agent(0), badMcp.toString());
        assertThat(mcp.status()).isEqualTo(422);
        assertThat(mcp.json().get("detail").get(0).get("loc").toString())
                .isEqualTo("[\"body\",\"mcp_servers\",0,\"transport\"]");

        ObjectNode noEmail = sdkCreateBody("x");
        ((ObjectNode) noEmail.get("input")).putObject("user").put("id", "u1");
        assertThat(post("/agent-execution/" + agent(0), noEmail.toString()).status()).isEqualTo(422);

        assertThat(sim.taskCount()).as("nothing was created").isEqualTo(before);
    }

    @Test
    void clientChosenIdCreatesThenContinuesTheThread() {
        ObjectNode body = sdkCreateBody("first turn");
        body.put("id", "thread-async-456");
        body.put("title", "Thread");
        ObjectNode first = createViaHttp(agent(0), body);
        assertThat(first.get("id").asText()).isEqualTo("thread-async-456");
        int listSize = list(agent(0), null).size();

        sim.finish("thread-async-456", "completed", "first answer");
        sim.advance(Duration.ofSeconds(5));
        ObjectNode next = sdkCreateBody("second turn");
        next.put("id", "thread-async-456");
        ObjectNode second = createViaHttp(agent(0), next);
        assertThat(second.get("id").asText()).isEqualTo("thread-async-456");
        assertThat(second.get("status").asText()).isEqualTo("pending");
        assertThat(second.get("input").get("text").asText()).isEqualTo("second turn");
        assertThat(second.get("title").asText()).as("a null title keeps the thread title").isEqualTo("Thread");
        assertThat(second.get("result").isNull()).isTrue();
        assertThat(second.get("finished_at").isNull()).isTrue();
        assertThat(second.get("tokens").isNull()).isTrue();
        assertThat(second.get("created_at")).isEqualTo(first.get("created_at"));
        assertThat(list(agent(0), null)).hasSize(listSize);
        assertThat(sim.listItem("thread-async-456").orElseThrow().get("updated_at").asText())
                .isEqualTo("2026-03-02T09:00:05.000000Z");

        Resp conflict = post("/agent-execution/" + agent(1), next.toString());
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("detail").isTextual()).isTrue();
    }

    @Test
    void unknownAgentIs404UnlessAutoRegistered() {
        Resp r = post("/agent-execution/no-such-agent", sdkCreateBody("x").toString());
        assertThat(r.status()).isEqualTo(404);
        assertThat(get("/agent-execution/executions/history/no-such-agent").status()).isEqualTo(404);
        assertThat(get("/agent-execution/nope/status").json().get("detail").asText()).isEqualTo("Task not found");

        sim.reset(options().toBuilder().autoRegisterAgents(true).build());
        assertThat(get("/agent-execution/executions/history/bench-agent").array()).isEmpty();
        ObjectNode created = createViaHttp("bench-agent-2", sdkCreateBody("x"));
        assertThat(created.get("agent_id").asText()).isEqualTo("bench-agent-2");
        assertThat(sim.agentIds()).contains("bench-agent", "bench-agent-2");
    }

    @Test
    void parentExecutionLinksSubTasks() {
        String parent = sim.createTask(agent(0), r -> r.put("title", "parent")).get("id").asText();
        ObjectNode child = sdkCreateBody("child");
        child.put("parent_execution_id", parent);
        child.put("triggering_agent_id", agent(0));
        String childId = createViaHttp(agent(1), child).get("id").asText();
        assertThat(getTask(childId).get("parent_execution").asText()).isEqualTo(parent);
        assertThat(getTask(parent).get("sub_executions").toString()).contains(childId);
        assertThat(ids(list(agent(1), "parent_task_id=" + parent))).containsExactly(childId);
        assertThat(sim.listItem(childId).orElseThrow().get("parent_task_id").asText()).isEqualTo(parent);
    }

    @Test
    void javaApiCreateAndCustomize() {
        ObjectNode t = sim.createTask(agent(2), r -> {
            r.put("title", "custom");
            r.put("events_streaming", true);
            r.put("agent_version", "7");
            ((ObjectNode) r.get("input")).put("text", "custom prompt");
        });
        assertThat(t.get("title").asText()).isEqualTo("custom");
        assertThat(t.get("agent_version").asText()).isEqualTo("7");
        assertThat(getTask(t.get("id").asText())).isEqualTo(t);
        assertThat(sim.tasks(agent(2)).get(0).get("id")).isEqualTo(t.get("id"));
        assertThat(sim.task("missing")).isEmpty();
    }

    static List<String> ids(ArrayNode items) {
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = items.elements(); it.hasNext();) {
            out.add(it.next().get("id").asText());
        }
        Set<String> unique = new LinkedHashSet<>(out);
        assertThat(unique).hasSameSizeAs(out);
        return out;
    }
}
