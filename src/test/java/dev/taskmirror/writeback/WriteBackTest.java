package dev.taskmirror.writeback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.Fault;
import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Saves: local commit + outbox, then the relay against the simulator. */
@QuarkusTest
class WriteBackTest {

    @Inject
    MirrorFixture fx;

    XpanderSimulator sim;
    String agent;

    @BeforeEach
    void setUp() {
        sim = fx.reset(2, 10);
        sim.setLifecycleEnabled(false);
        agent = sim.agentIds().get(0);
        fx.sync(CycleKind.FULL);
    }

    private String createBody() {
        return """
                {"agent_id": "%s", "prompt": "Summarize the attached report",
                 "file_urls": ["https://files.example.com/q3.pdf"],
                 "user_details": {"id": "user-42", "first_name": "Dana", "email": "dana@example.com", "timezone": "Europe/Berlin"},
                 "agent_version": "3", "output_format": "markdown", "title": "Q3 summary", "events_streaming": true,
                 "user_oidc_token": "oidc-SECRET-9",
                 "mcp_servers": [{"name": "crm", "url": "https://mcp.example.com", "auth_type": "api_key", "api_key": "key-SECRET-8"}]}
                """.formatted(agent);
    }

    @Test
    void createIsStoredAtOnceThenReachesTheRemote() {
        JsonPath created = given().contentType(ContentType.JSON).body(createBody()).post("/tasks").then()
                .statusCode(201)
                .header("Location", containsString("/tasks/"))
                .body("mirror.sync_state", equalTo("pending"))
                .body("status", equalTo("pending"))
                .body("title", equalTo("Q3 summary"))
                .extract().jsonPath();
        String id = created.getString("id");
        assertThat(sim.task(id)).as("not pushed yet").isEmpty();
        assertThat(fx.text("select payload::text || coalesce(sealed, '') from outbox where task_id = ?1", id))
                .doesNotContain("SECRET");

        assertThat(fx.drainOutbox()).isEqualTo(1);

        ObjectNode remote = sim.task(id).orElseThrow();
        assertThat(remote.get("input").get("text").asText()).isEqualTo("Summarize the attached report");
        assertThat(remote.get("agent_version").asText()).isEqualTo("3");
        assertThat(remote.get("user_oidc_token").asText()).as("secrets reach the remote").isEqualTo("oidc-SECRET-9");
        assertThat(remote.get("mcp_servers").get(0).get("api_key").asText()).isEqualTo("key-SECRET-8");
        String served = given().get("/tasks/" + id).then().statusCode(200)
                .body("mirror.sync_state", equalTo("synced"))
                .body("organization_id", equalTo(sim.organizationId()))
                .extract().asString();
        assertThat(served).doesNotContain("SECRET");
        assertThat(fx.count("select count(*) from outbox")).isZero();
        // The pending task was stamped by this clock, xpander's answer by the simulator's, months behind:
        // updated_at still never goes backwards.
        assertThat(Instant.parse(JsonPath.from(served).getString("updated_at")))
                .isAfter(Instant.parse(created.getString("updated_at")));
    }

    @Test
    void idempotencyKeyMakesRetriesSafe() {
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", "k-1").body(createBody())
                .post("/tasks").then().statusCode(201).extract().path("id");
        String second = given().contentType(ContentType.JSON).header("Idempotency-Key", "k-1").body(createBody())
                .post("/tasks").then().statusCode(200).extract().path("id");
        assertThat(second).isEqualTo(first);
        given().contentType(ContentType.JSON).header("Idempotency-Key", "k-1")
                .body(createBody().replace("Q3 summary", "other")).post("/tasks").then().statusCode(422)
                .contentType("application/problem+json");

        fx.drainOutbox();
        assertThat(sim.requestCount(RouteKind.CREATE)).isEqualTo(1);
    }

    @Test
    void ambiguousCreateIsNotSentTwice() {
        sim.enqueueFault(Fault.on(RouteKind.CREATE).reset().afterApply().build());
        String id = given().contentType(ContentType.JSON).body(createBody()).post("/tasks").then().statusCode(201)
                .extract().path("id");

        fx.drainOutbox();
        given().get("/tasks/" + id).then().body("mirror.sync_state", equalTo("pending"));
        fx.makeOutboxDue();
        fx.drainOutbox();

        assertThat(sim.requestCount(RouteKind.CREATE)).as("the remote had it: looked up, not re-created").isEqualTo(1);
        assertThat(sim.tasks(agent).stream().filter(t -> t.get("title").asText("").equals("Q3 summary")).count())
                .isEqualTo(1);
        given().get("/tasks/" + id).then().body("mirror.sync_state", equalTo("synced"));
    }

    @Test
    void saveIsPendingThenMirroredFromTheRemotesAnswer() {
        String id = sim.taskIds(agent).get(0);
        given().contentType(ContentType.JSON).body("{\"internal_status\": \"reviewed\", \"title\": \"checked\"}")
                .patch("/tasks/" + id).then().statusCode(202)
                .body("internal_status", equalTo("reviewed"))
                .body("title", equalTo("checked"))
                .body("mirror.sync_state", equalTo("pending"));
        assertThat(sim.task(id).orElseThrow().get("internal_status").isNull()
                || !sim.task(id).orElseThrow().get("internal_status").asText().equals("reviewed")).isTrue();

        fx.drainOutbox();

        ObjectNode remote = sim.task(id).orElseThrow();
        assertThat(remote.get("internal_status").asText()).isEqualTo("reviewed");
        assertThat(remote.get("title").asText()).isEqualTo("checked");
        given().get("/tasks/" + id).then().body("mirror.sync_state", equalTo("synced"))
                .body("internal_status", equalTo("reviewed"));
        String sent = sim.journal().stream().filter(r -> r.kind() == RouteKind.UPDATE).findFirst().orElseThrow().body();
        assertThat(JsonPath.from(sent).getMap("")).containsOnlyKeys("internal_status", "title");
    }

    @Test
    void payloadExtensionIsSentUnderTheSdkName() {
        String id = sim.taskIds(agent).get(0);
        given().contentType(ContentType.JSON).body("{\"payload_extension\": {\"trace\": \"abc\"}}")
                .patch("/tasks/" + id).then().statusCode(202);
        fx.drainOutbox();
        String sent = sim.journal().stream().filter(r -> r.kind() == RouteKind.UPDATE).findFirst().orElseThrow().body();
        assertThat(sent).contains("tool_call_payload_extension");
        assertThat(sim.task(id).orElseThrow().get("payload_extension").get("trace").asText()).isEqualTo("abc");
    }

    @Test
    void statusStaysRemoteOwnedWhenTheRemoteMovedMeanwhile() {
        ObjectNode task = sim.createTask(agent, r -> r.put("title", "race"));
        String id = task.get("id").asText();
        sim.mutate(id, t -> t.put("status", "executing"));
        fx.sync(CycleKind.FULL);

        given().contentType(ContentType.JSON).body("{\"status\": \"completed\", \"result\": \"mine\", \"title\": \"t2\"}")
                .patch("/tasks/" + id).then().statusCode(202).body("status", equalTo("completed"));
        sim.stop(id);
        fx.drainOutbox();

        ObjectNode remote = sim.task(id).orElseThrow();
        assertThat(remote.get("status").asText()).isEqualTo("stopped");
        assertThat(remote.get("title").asText()).as("user-editable field still saved").isEqualTo("t2");
        given().get("/tasks/" + id).then()
                .body("status", equalTo("stopped"))
                .body("mirror.sync_state", equalTo("synced"))
                .body("mirror.conflicts.field", hasItem("status"));
    }

    @Test
    void stopShowsStoppedAtOnceAndStopsTheRemote() {
        ObjectNode task = sim.createTask(agent, r -> r.put("title", "to stop"));
        String id = task.get("id").asText();
        fx.sync(CycleKind.FULL);

        given().post("/tasks/" + id + "/stop").then().statusCode(202)
                .body("status", equalTo("stopped"))
                .body("is_manually_stopped", equalTo(true))
                .body("mirror.sync_state", equalTo("pending"));
        fx.drainOutbox();

        assertThat(sim.task(id).orElseThrow().get("status").asText()).isEqualTo("stopped");
        given().get("/tasks/" + id).then().body("status", equalTo("stopped"))
                .body("finished_at", notNullValue())
                .body("mirror.sync_state", equalTo("synced"));
    }

    @Test
    void staleIfMatchIsRefused() {
        String id = sim.taskIds(agent).get(0);
        String etag = given().get("/tasks/" + id).then().extract().header("ETag");
        given().contentType(ContentType.JSON).header("If-Match", etag).body("{\"title\": \"a\"}")
                .patch("/tasks/" + id).then().statusCode(202);
        given().contentType(ContentType.JSON).header("If-Match", etag).body("{\"title\": \"b\"}")
                .patch("/tasks/" + id).then().statusCode(412).contentType("application/problem+json");
    }

    @Test
    void rejectedSaveIsParkedVisiblyAndCanBeRetried() {
        String id = sim.taskIds(agent).get(0);
        sim.enqueueFault(Fault.on(RouteKind.UPDATE).target(id).status(422).build());
        given().contentType(ContentType.JSON).body("{\"title\": \"refused once\"}").patch("/tasks/" + id).then()
                .statusCode(202);

        fx.drainOutbox();

        given().get("/tasks/" + id).then()
                .body("mirror.sync_state", equalTo("error"))
                .body("mirror.sync_error", containsString("422"))
                .body("title", org.hamcrest.Matchers.not(equalTo("refused once")));
        JsonPath failed = given().queryParam("state", "failed").get("/outbox").then().statusCode(200).extract().jsonPath();
        assertThat(failed.getList("items.task_id", String.class)).containsExactly(id);
        long itemId = failed.getLong("items[0].id");

        given().post("/outbox/" + itemId + "/retry").then().statusCode(200);
        fx.drainOutbox();

        assertThat(sim.task(id).orElseThrow().get("title").asText()).isEqualTo("refused once");
        given().get("/tasks/" + id).then().body("mirror.sync_state", equalTo("synced"));
    }

    @Test
    void transientFailuresAreRetriedWithBackoff() {
        String id = sim.taskIds(agent).get(0);
        sim.enqueueFault(Fault.on(RouteKind.UPDATE).target(id).status(503).times(4).build());
        given().contentType(ContentType.JSON).body("{\"title\": \"eventually\"}").patch("/tasks/" + id).then()
                .statusCode(202);

        fx.drainOutbox();
        assertThat(fx.count("select count(*) from outbox where state = 'pending' and next_attempt_at > now()"))
                .as("rescheduled, not dropped").isEqualTo(1);
        fx.makeOutboxDue();
        fx.drainOutbox();

        assertThat(sim.task(id).orElseThrow().get("title").asText()).isEqualTo("eventually");
    }

    @Test
    void concurrentSavesOfDifferentFieldsBothLand() throws Exception {
        String id = sim.taskIds(agent).get(0);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        var a = pool.submit(() -> given().contentType(ContentType.JSON).body("{\"title\": \"from client A\"}")
                .patch("/tasks/" + id).statusCode());
        var b = pool.submit(() -> given().contentType(ContentType.JSON).body("{\"internal_status\": \"from client B\"}")
                .patch("/tasks/" + id).statusCode());
        assertThat(a.get()).isEqualTo(202);
        assertThat(b.get()).isEqualTo(202);
        pool.shutdown();
        fx.drainOutbox();
        ObjectNode remote = sim.task(id).orElseThrow();
        assertThat(remote.get("title").asText()).isEqualTo("from client A");
        assertThat(remote.get("internal_status").asText()).isEqualTo("from client B");
        given().get("/tasks/" + id).then().body("title", equalTo("from client A"))
                .body("internal_status", equalTo("from client B")).body("mirror.sync_state", equalTo("synced"));
    }

    @Test
    void rejectedCredentialsPauseDeliveryInsteadOfDroppingSaves() {
        String id = sim.taskIds(agent).get(0);
        sim.enqueueFault(Fault.on(RouteKind.UPDATE).target(id).status(403).times(2).build());
        given().contentType(ContentType.JSON).body("{\"title\": \"after the key is fixed\"}").patch("/tasks/" + id)
                .then().statusCode(202);

        fx.drainOutbox();
        assertThat(fx.count("select count(*) from outbox where state = 'pending'")).as("kept, not parked").isEqualTo(1);
        fx.makeOutboxDue();
        fx.drainOutbox();
        fx.makeOutboxDue();
        fx.drainOutbox();

        assertThat(sim.task(id).orElseThrow().get("title").asText()).isEqualTo("after the key is fixed");
        assertThat(fx.count("select count(*) from outbox")).isZero();
    }

    @Test
    void invalidSavesAreProblems() {
        String id = sim.taskIds(agent).get(0);
        given().contentType(ContentType.JSON).body("{\"status\": \"done\"}").patch("/tasks/" + id).then()
                .statusCode(422).contentType("application/problem+json")
                .body("invalid_params[0].name", equalTo("status"));
        given().contentType(ContentType.JSON).body("{\"internal_status\": \"" + "x".repeat(256) + "\"}")
                .patch("/tasks/" + id).then().statusCode(422).body("invalid_params[0].name", equalTo("internal_status"));
        given().contentType(ContentType.JSON).body("{\"title\": 5}").patch("/tasks/" + id).then().statusCode(422);
        given().contentType(ContentType.JSON).body("{}").patch("/tasks/" + id).then().statusCode(422);
        given().contentType(ContentType.JSON).body("{\"title\": ").patch("/tasks/" + id).then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"title\": \"x\"}").patch("/tasks/nope").then().statusCode(404)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of("prompt", "no agent")).post("/tasks").then().statusCode(422)
                .body("invalid_params.name", hasItem("agent_id"));
        given().contentType(ContentType.JSON).body(Map.of("agent_id", agent, "output_format", "pdf")).post("/tasks")
                .then().statusCode(422).body("invalid_params.name", hasItem("output_format"));
        given().contentType(ContentType.JSON)
                .body("{\"agent_id\": \"" + agent + "\", \"user_details\": {\"id\": \"u\"}}").post("/tasks")
                .then().statusCode(422).body("invalid_params.name", hasItem("user_details.email"));
        given().contentType(ContentType.JSON).body("{\"agent_id\": [1]}").post("/tasks").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType(ContentType.TEXT).body("hello").post("/tasks").then().statusCode(415)
                .contentType("application/problem+json");
        assertThat(fx.count("select count(*) from outbox")).isZero();
    }

    @Test
    void createForAnUnknownAgentIsParkedAsFailed() {
        String id = given().contentType(ContentType.JSON).body(Map.of("agent_id", "no-such-agent", "prompt", "x"))
                .post("/tasks").then().statusCode(201).extract().path("id");
        fx.drainOutbox();
        given().get("/tasks/" + id).then().body("mirror.sync_state", equalTo("error"))
                .body("mirror.sync_error", containsString("404"));
    }
}
