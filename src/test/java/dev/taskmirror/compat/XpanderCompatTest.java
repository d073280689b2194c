package dev.taskmirror.compat;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * The xpander Tasks surface served by the mirror, driven with the exact requests the SDK sends (contract
 * section 2 and the examples of section 7), responses checked field by field against the contract's models.
 */
@QuarkusTest
class XpanderCompatTest {

    static final String KEY = "test-write-key";
    static final String TS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z";
    /** Task fields the SDK models (contract 3.1.1); the first five are required. */
    static final List<String> TASK_FIELDS = List.of("id", "agent_id", "organization_id", "input", "created_at",
            "status", "internal_status", "last_executed_node_id", "agent_version", "started_at", "paused_at",
            "finished_at", "result", "parent_execution", "sub_executions", "is_manually_stopped", "payload_extension",
            "hitl_request", "pending_eca_request", "source", "output_format", "output_schema", "events_streaming",
            "additional_context", "expected_output", "mcp_servers", "triggering_agent_id", "title", "think_mode",
            "disable_attachment_injection", "user_tokens", "deep_planning", "execution_attempts", "return_metrics",
            "tokens");
    static final Set<String> LIST_FIELDS = Set.of("id", "agent_id", "user_id", "parent_task_id", "triggering_agent_id",
            "organization_id", "status", "created_at", "updated_at", "source_node_type", "result", "title");

    @Inject
    MirrorFixture fx;
    @Inject
    ObjectMapper mapper;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    XpanderSimulator sim;
    String agent;

    @BeforeEach
    void setUp() {
        sim = fx.reset(2, 10);
        sim.setLifecycleEnabled(false);
        agent = sim.agentIds().get(0);
        fx.sync(CycleKind.FULL);
    }

    static RequestSpecification sdk() {
        return given().header("x-api-key", KEY).accept("*/*");
    }

    private JsonNode json(String body) throws Exception {
        return mapper.readTree(body);
    }

    /** Contract 3.1: the fields and JSON types the SDK requires to build a Task. */
    static void assertTask(JsonNode t) {
        for (String f : TASK_FIELDS) {
            assertThat(t.has(f)).as("field " + f).isTrue();
        }
        assertThat(t.get("id").isTextual()).isTrue();
        assertThat(t.get("agent_id").isTextual()).isTrue();
        assertThat(t.get("organization_id").isTextual()).isTrue();
        assertThat(t.get("input").isObject()).isTrue();
        assertThat(t.get("created_at").asText()).matches(TS);
        for (String ts : List.of("started_at", "paused_at", "finished_at")) {
            assertThat(t.get(ts).isNull() || t.get(ts).asText().matches(TS)).as(ts).isTrue();
        }
        assertThat(t.get("sub_executions").isArray()).isTrue();
        assertThat(t.get("mcp_servers").isArray()).isTrue();
        assertThat(t.get("deep_planning").isObject()).isTrue();
        assertThat(t.get("status").asText()).isIn("pending", "executing", "paused", "error", "failed", "completed", "stopped");
        assertThat(t.has("mirror")).as("no mirror bookkeeping on the xpander surface").isFalse();
        JsonNode user = t.get("input").get("user");
        if (user != null && !user.isNull()) {
            assertThat(user.get("email").isTextual()).as("User.email is required by the SDK").isTrue();
        }
    }

    static final String CREATE_BODY = """
            {"id": null,
             "input": {"text": "Summarize the attached report", "files": ["https://files.example.com/q3.pdf"],
                       "user": {"id": "user-42", "first_name": "Dana", "last_name": null, "email": "dana@example.com",
                                "additional_attributes": null, "timezone": "Europe/Berlin"}},
             "payload_extension": null, "source": "sdk", "worker_id": null, "output_format": "markdown",
             "output_schema": null, "run_locally": false, "events_streaming": true, "additional_context": null,
             "instructions_override": null, "test_run_node_id": null, "user_oidc_token": null,
             "expected_output": null, "mcp_servers": [], "triggering_agent_id": null, "title": "Q3 summary",
             "think_mode": "default", "disable_attachment_injection": false, "user_tokens": null,
             "return_metrics": false}
            """;

    @Test
    void createAsTheSdkSendsItReturnsXpandersAnswer() throws Exception {
        String body = sdk().contentType(ContentType.JSON).header("x-agent-version", "3").body(CREATE_BODY)
                .post("/xpander/agent-execution/" + agent).then().statusCode(200)
                .contentType(ContentType.JSON).extract().asString();
        JsonNode t = json(body);
        assertTask(t);
        assertThat(t.get("status").asText()).isEqualTo("pending");
        assertThat(t.get("agent_id").asText()).isEqualTo(agent);
        assertThat(t.get("input").get("text").asText()).isEqualTo("Summarize the attached report");
        assertThat(t.get("events_streaming").asBoolean()).isTrue();
        assertThat(t.get("agent_version").asText()).isEqualTo("3");
        String id = t.get("id").asText();
        assertThat(sim.task(id)).as("created on xpander at once").isPresent();
        assertThat(t.get("created_at").asText()).isEqualTo(sim.task(id).orElseThrow().get("created_at").asText());
        given().get("/tasks/" + id).then().body("mirror.sync_state", equalTo("synced"));
        assertThat(fx.count("select count(*) from outbox")).isZero();
    }

    @Test
    void getIsServedFromTheMirrorAndReadsThroughOnAMiss() throws Exception {
        String known = sim.taskIds(agent).get(0);
        sim.resetCounters();
        JsonNode t = json(sdk().get("/xpander/agent-execution/" + known + "/status").then().statusCode(200)
                .extract().asString());
        assertTask(t);
        assertThat(sim.requestCount(RouteKind.GET)).as("answered by the mirror").isZero();

        String fresh = sim.createTask(agent, r -> r.put("title", "not mirrored yet")).get("id").asText();
        JsonNode f = json(sdk().get("/xpander/agent-execution/" + fresh + "/status").then().statusCode(200)
                .extract().asString());
        assertThat(f.get("title").asText()).isEqualTo("not mirrored yet");
        given().get("/tasks/" + fresh).then().statusCode(200);

        sdk().get("/xpander/agent-execution/no-such-task/status").then().statusCode(404)
                .contentType(ContentType.JSON).body("detail", equalTo("Task not found"));
    }

    @Test
    void listsAreBareArraysOfListItemsWithTheSdksFilters() throws Exception {
        ArrayNode all = (ArrayNode) json(sdk().get("/xpander/agent-execution/executions/history/" + agent
                + "?status=&user_id=").then().statusCode(200).contentType(ContentType.JSON).extract().asString());
        assertThat(all).hasSize(sim.tasks(agent).size());
        List<Instant> created = new ArrayList<>();
        for (JsonNode item : all) {
            Set<String> keys = new java.util.HashSet<>();
            item.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).isEqualTo(LIST_FIELDS);
            assertThat(item.get("status").isTextual()).isTrue();
            created.add(Instant.parse(item.get("created_at").asText()));
        }
        for (int i = 1; i < created.size(); i++) {
            assertThat(created.get(i)).isBeforeOrEqualTo(created.get(i - 1));
        }
        long completed = sim.tasks(agent).stream().filter(t -> t.get("status").asText().equals("completed")).count();
        assertThat(json(sdk().get("/xpander/agent-execution/executions/history/" + agent + "?status=completed")
                .then().statusCode(200).extract().asString())).hasSize((int) completed);
        sdk().get("/xpander/agent-execution/executions/history/" + agent + "?status=AgentExecutionStatus.Completed")
                .then().statusCode(422).body("detail[0].loc", equalTo(List.of("query", "status")));

        JsonNode item = all.get(0);
        String user = sim.task(item.get("id").asText()).orElseThrow().path("input").path("user").path("id").asText(null);
        if (user != null) {
            sim.resetCounters();
            ArrayNode mine = (ArrayNode) json(sdk().get("/xpander/agent-execution/executions/history/user/" + user)
                    .then().statusCode(200).extract().asString());
            assertThat(mine).isNotEmpty();
            assertThat(sim.requestCount(RouteKind.LIST_USER)).as("user lists outside the mirror are relayed").isEqualTo(1);
        }
    }

    @Test
    void partialUpdateAsTasksUpdateSendsIt() throws Exception {
        String id = sim.createTask(agent, r -> r.put("title", "partial")).get("id").asText();
        fx.sync(CycleKind.FULL);
        JsonNode t = json(sdk().contentType(ContentType.JSON)
                .body("{\"status\": \"executing\", \"source\": \"sdk\", \"tool_call_payload_extension\": {\"trace\": \"t-1\"}}")
                .patch("/xpander/agent-execution/" + id + "/update").then().statusCode(200).extract().asString());
        assertTask(t);
        assertThat(t.get("status").asText()).isEqualTo("executing");
        ObjectNode remote = sim.task(id).orElseThrow();
        assertThat(remote.get("status").asText()).isEqualTo("executing");
        assertThat(remote.get("started_at").isNull()).isFalse();
        assertThat(remote.get("payload_extension").get("trace").asText()).isEqualTo("t-1");
        sdk().contentType(ContentType.JSON).body("{\"status\": \"done\"}")
                .patch("/xpander/agent-execution/" + id + "/update").then().statusCode(422)
                .body("detail[0].loc", equalTo(List.of("body", "status")));
        sdk().contentType(ContentType.JSON).body("{\"status\": ").patch("/xpander/agent-execution/" + id + "/update")
                .then().statusCode(422).contentType(ContentType.JSON);
    }

    @Test
    void wholeObjectSaveForwardsOnlyWhatChangedAndNeverARedactedSecret() throws Exception {
        String id = sim.createTask(agent, r -> {
            r.put("user_oidc_token", "oidc-SECRET");
            ObjectNode mcp = r.putArray("mcp_servers").addObject();
            mcp.put("type", "remote").put("name", "crm").put("url", "https://mcp.example.com").put("transport", "sse")
                    .put("auth_type", "api_key").put("api_key", "key-SECRET");
            mcp.putObject("headers").put("Authorization", "Bearer SECRET");
        }).get("id").asText();
        fx.sync(CycleKind.FULL);
        ObjectNode held = (ObjectNode) json(sdk().get("/xpander/agent-execution/" + id + "/status").then()
                .statusCode(200).extract().asString());
        assertThat(held.toString()).doesNotContain("SECRET");

        // What Task.save sends: the object as the client holds it (timestamps re-serialised, client metrics
        // added, fields it does not model dropped), with one change.
        held.put("internal_status", "reviewed");
        held.put("created_at", held.get("created_at").asText().replace("Z", "+00:00"));
        held.putArray("used_tools").add("web_search");
        held.put("duration", 0.0);
        for (String dropped : List.of("worker_id", "finished_sub_executions", "used_mutating_tools", "is_continuous",
                "updated_at")) {
            held.remove(dropped);
        }
        sim.resetCounters();
        JsonNode saved = json(sdk().contentType(ContentType.JSON).body(held.toString())
                .patch("/xpander/agent-execution/" + id + "/update").then().statusCode(200).extract().asString());
        assertThat(saved.get("internal_status").asText()).isEqualTo("reviewed");

        String sent = sim.journal().stream().filter(r -> r.kind() == RouteKind.UPDATE).findFirst().orElseThrow().body();
        JsonNode forwarded = json(sent);
        List<String> keys = new ArrayList<>();
        forwarded.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("internal_status", "used_tools");
        ObjectNode remote = sim.task(id).orElseThrow();
        assertThat(remote.get("user_oidc_token").asText()).isEqualTo("oidc-SECRET");
        assertThat(remote.get("mcp_servers").get(0).get("api_key").asText()).isEqualTo("key-SECRET");
        assertThat(remote.get("internal_status").asText()).isEqualTo("reviewed");
    }

    @Test
    void quirkValuesOfTheSdkAreIgnored() throws Exception {
        String id = sim.taskIds(agent).get(1);
        String before = sim.task(id).orElseThrow().get("title").asText(null);
        sim.resetCounters();
        sdk().contentType(ContentType.JSON)
                .body("{\"title\": [null], \"expected_output\": [null], \"mcp_servers\": [[]], \"triggering_agent_id\": [null]}")
                .patch("/xpander/agent-execution/" + id + "/update").then().statusCode(200);
        assertThat(sim.requestCount(RouteKind.UPDATE)).as("nothing changed, nothing sent").isZero();
        assertThat(sim.task(id).orElseThrow().get("title").asText(null)).isEqualTo(before);
    }

    @Test
    void stopReturnsXpandersAnswer() throws Exception {
        String id = sim.createTask(agent, r -> r.put("title", "to stop")).get("id").asText();
        fx.sync(CycleKind.FULL);
        JsonNode t = json(sdk().delete("/xpander/agent-execution/" + id).then().statusCode(200).extract().asString());
        assertTask(t);
        assertThat(t.get("status").asText()).isEqualTo("stopped");
        assertThat(t.get("is_manually_stopped").asBoolean()).isTrue();
        assertThat(t.get("finished_at").asText()).matches(TS);
        assertThat(sim.task(id).orElseThrow().get("status").asText()).isEqualTo("stopped");
        sdk().delete("/xpander/agent-execution/" + id).then().statusCode(200).body("status", equalTo("stopped"));
        sdk().delete("/xpander/agent-execution/no-such-task").then().statusCode(404).body("detail", equalTo("Task not found"));
    }

    @Test
    void activityLogIsStoredWithItsTask() throws Exception {
        String id = sim.taskIds(agent).get(0);
        sim.resetCounters();
        JsonNode log = json(sdk().get("/xpander/activity/" + agent + "/" + id).then().statusCode(200).extract().asString());
        assertThat(log.get("id").asText()).isEqualTo(id);
        assertThat(log.get("messages").isArray()).isTrue();
        sdk().get("/xpander/activity/" + agent + "/" + id).then().statusCode(200);
        assertThat(sim.requestCount(RouteKind.ACTIVITY)).as("second read from the mirror").isEqualTo(1);

        sim.mutate(id, t -> t.put("title", "changed"));
        fx.sync(CycleKind.FULL);
        sdk().get("/xpander/activity/" + agent + "/" + id).then().statusCode(200);
        assertThat(sim.requestCount(RouteKind.ACTIVITY)).as("the task changed: read again").isEqualTo(2);
        sdk().get("/xpander/activity/" + agent + "/no-such-task").then().statusCode(404);
    }

    @Test
    void reportTaskThroughTheWritePath() throws Exception {
        String body = """
                {"id": "external-run-1", "input": "Classify the ticket", "llm_response": {"label": "billing"},
                 "tokens": {"completion_tokens": 12, "prompt_tokens": 40, "total_tokens": 52},
                 "is_success": true, "result": "billing", "duration": 1.5, "used_tools": []}
                """;
        JsonNode t = json(sdk().contentType(ContentType.JSON).body(body)
                .post("/xpander/agent-execution/" + agent + "/report_task").then().statusCode(200).extract().asString());
        assertTask(t);
        assertThat(t.get("status").asText()).isEqualTo("completed");
        assertThat(sim.task("external-run-1").orElseThrow().get("result").asText()).isEqualTo("billing");
        given().get("/tasks/external-run-1").then().body("mirror.sync_state", equalTo("synced"));
    }

    @Test
    void everyRouteAlsoAnswersWithTheOrganizationSegment() {
        String id = sim.taskIds(agent).get(0);
        sdk().get("/xpander/" + sim.organizationId() + "/agent-execution/" + id + "/status").then().statusCode(200)
                .body("id", equalTo(id));
        sdk().get("/xpander/" + sim.organizationId() + "/agent-execution/executions/history/" + agent).then()
                .statusCode(200);
        sdk().get("/xpander/some-other-org/agent-execution/" + id + "/status").then().statusCode(404);
    }

    @Test
    void eventStreamIsRelayedWithKeepAlives() throws Exception {
        String id = sim.createTask(agent, r -> r.put("events_streaming", true)).get("id").asText();
        fx.sync(CycleKind.FULL);
        HttpResponse<java.io.InputStream> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + port + "/xpander/" + sim.organizationId() + "/agent-execution/" + id + "/events"))
                .header("x-api-key", KEY).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
                lines.add("<end>");
            } catch (Exception e) {
                lines.add("<error>");
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.contains("\"task_created\"")));
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.startsWith(": keep-alive")));
        sim.finish(id, "completed", "streamed");
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.contains("<end>"));
        assertThat(lines.stream().filter(l -> l.startsWith("data:")).map(l -> l.substring(5).trim()).toList())
                .allSatisfy(d -> assertThat(json(d).has("type")).isTrue())
                .anySatisfy(d -> assertThat(json(d).get("type").asText()).isEqualTo("task_finished"));
    }

    @Test
    void endToEndCreateProgressListGetStop() throws Exception {
        sim.setLifecycleEnabled(true);
        String id = json(sdk().contentType(ContentType.JSON).body(CREATE_BODY.replace("Q3 summary", "e2e"))
                .post("/xpander/agent-execution/" + agent).then().statusCode(200).extract().asString()).get("id").asText();
        sim.advance(Duration.ofSeconds(6));
        assertThat(sim.task(id).orElseThrow().get("status").asText()).isNotEqualTo("pending");
        fx.sync(CycleKind.HOT);

        ArrayNode list = (ArrayNode) json(sdk().get("/xpander/agent-execution/executions/history/" + agent)
                .then().statusCode(200).extract().asString());
        JsonNode item = null;
        for (Iterator<JsonNode> it = list.iterator(); it.hasNext();) {
            JsonNode n = it.next();
            if (n.get("id").asText().equals(id)) {
                item = n;
            }
        }
        assertThat(item).isNotNull();
        String remoteStatus = sim.task(id).orElseThrow().get("status").asText();
        assertThat(item.get("status").asText()).isEqualTo(remoteStatus);
        sdk().get("/xpander/agent-execution/" + id + "/status").then().body("status", equalTo(remoteStatus));

        if (!List.of("completed", "failed", "error", "stopped").contains(remoteStatus)) {
            sdk().delete("/xpander/agent-execution/" + id).then().statusCode(200).body("status", equalTo("stopped"));
            assertThat(sim.task(id).orElseThrow().get("status").asText()).isEqualTo("stopped");
        }
        sdk().get("/xpander/agent-execution/" + id + "/status").then().body("status",
                equalTo(sim.task(id).orElseThrow().get("status").asText()));
        Map<String, Object> local = given().get("/tasks/" + id).then().extract().jsonPath().getMap("mirror");
        assertThat(local.get("sync_state")).isEqualTo("synced");
    }
}
