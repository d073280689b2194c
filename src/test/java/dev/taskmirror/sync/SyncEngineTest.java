package dev.taskmirror.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.Fault;
import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The sync engine against the simulator over real HTTP and the real database. */
@QuarkusTest
class SyncEngineTest {

    @Inject
    MirrorFixture fx;

    XpanderSimulator sim;

    @BeforeEach
    void setUp() {
        sim = fx.reset(2, 40);
        sim.setLifecycleEnabled(false);
    }

    @Test
    void backfillMirrorsEveryTaskWithItsWholeDocument() {
        List<CycleStats> stats = fx.sync(CycleKind.FULL);

        assertThat(stats.stream().mapToInt(CycleStats::written).sum()).isEqualTo(40);
        assertThat(fx.count("select count(*) from task")).isEqualTo(40);
        assertThat(sim.requestCount(RouteKind.GET)).as("one GET per task").isEqualTo(40);
        for (String agent : sim.agentIds()) {
            for (ObjectNode remote : sim.tasks(agent)) {
                String id = remote.get("id").asText();
                JsonPath local = given().get("/tasks/" + id).then().statusCode(200).extract().jsonPath();
                assertThat(local.getString("status")).isEqualTo(remote.get("status").asText());
                assertThat(local.getString("created_at")).isEqualTo(remote.get("created_at").asText());
                assertThat(local.getString("input.text")).isEqualTo(remote.get("input").get("text").asText());
                assertThat(local.getString("mirror.sync_state")).isEqualTo("synced");
                // nothing dropped: every remote field is served
                remote.fieldNames().forEachRemaining(f -> assertThat(local.getMap("")).containsKey(f));
            }
        }
    }

    @Test
    void incrementalCycleFetchesOnlyChangedTasks() {
        fx.sync(CycleKind.FULL);
        List<String> ids = sim.taskIds(sim.agentIds().get(0));
        sim.resetCounters();

        sim.mutate(ids.get(0), t -> t.put("title", "renamed remotely"));
        sim.mutate(ids.get(1), t -> t.put("internal_status", "reviewed"));
        ObjectNode created = sim.createTask(sim.agentIds().get(1), r -> r.put("title", "brand new"));
        List<CycleStats> stats = fx.sync(CycleKind.FULL);

        assertThat(sim.requestCount(RouteKind.GET)).isEqualTo(3);
        assertThat(sim.getCount(ids.get(0))).isEqualTo(1);
        assertThat(sim.getCount(ids.get(1))).isEqualTo(1);
        assertThat(sim.getCount(created.get("id").asText())).isEqualTo(1);
        assertThat(stats.stream().mapToInt(CycleStats::written).sum()).isEqualTo(3);
        given().get("/tasks/" + ids.get(0)).then().body("title", equalTo("renamed remotely"));
        given().get("/tasks/" + ids.get(1)).then().body("internal_status", equalTo("reviewed"));
        given().get("/tasks/" + created.get("id").asText()).then().body("title", equalTo("brand new"));
    }

    @Test
    void cycleWithoutRemoteChangeWritesNoRowAndFetchesNothing() {
        fx.sync(CycleKind.FULL);
        Map<String, String> before = fx.rowVersions();
        sim.resetCounters();

        List<CycleStats> stats = fx.sync(CycleKind.FULL);

        assertThat(sim.requestCount(RouteKind.GET)).isZero();
        assertThat(sim.requestCount(RouteKind.LIST_AGENT)).isEqualTo(2);
        assertThat(stats.stream().mapToInt(CycleStats::written).sum()).isZero();
        assertThat(fx.rowVersions()).as("no task row rewritten (xmin unchanged)").isEqualTo(before);
    }

    @Test
    void unfinishedTaskIsRefreshedByTheFastCycleUntilTerminal() {
        String agent = sim.agentIds().get(0);
        ObjectNode task = sim.createTask(agent, r -> r.put("title", "long job"));
        String id = task.get("id").asText();
        fx.sync(CycleKind.FULL);
        given().get("/tasks/" + id).then().body("status", equalTo("pending"));

        sim.mutate(id, t -> t.put("status", "executing"));
        fx.sync(CycleKind.HOT);
        given().get("/tasks/" + id).then().body("status", equalTo("executing")).body("started_at", org.hamcrest.Matchers.notNullValue());

        sim.advance(Duration.ofSeconds(30));
        sim.finish(id, "completed", "## done");
        sim.resetCounters();
        fx.sync(CycleKind.HOT);

        assertThat(sim.getCount(id)).as("fetched because it left the unfinished lists").isEqualTo(1);
        JsonPath local = given().get("/tasks/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(local.getString("status")).isEqualTo("completed");
        assertThat(local.getString("result")).isEqualTo("## done");
        assertThat(local.getInt("tokens.total_tokens")).isPositive();
        assertThat(local.getString("finished_at")).isNotNull();
    }

    @Test
    void hotCycleOnlyListsUnfinishedStatuses() {
        fx.sync(CycleKind.FULL);
        sim.resetCounters();
        fx.sync(CycleKind.HOT);
        assertThat(sim.journal()).allSatisfy(r -> {
            if (r.kind() == RouteKind.LIST_AGENT) {
                assertThat(r.query()).matches("status=(pending|executing|paused)");
            }
        });
        assertThat(sim.requestCount(RouteKind.LIST_AGENT)).isEqualTo(6);
    }

    @Test
    void taskDeletedRemotelyIsTombstonedOnlyAfterA404() {
        fx.sync(CycleKind.FULL);
        List<String> ids = sim.taskIds(sim.agentIds().get(0));
        String deleted = ids.get(0);
        String hidden = ids.get(1);
        sim.delete(deleted);
        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).target(sim.agentIds().get(0)).omitIds(hidden).build());
        sim.resetCounters();

        List<CycleStats> stats = fx.sync(CycleKind.FULL);

        assertThat(sim.getCount(deleted)).isEqualTo(1);
        assertThat(sim.getCount(hidden)).as("missing from the list: confirmed by GET").isEqualTo(1);
        assertThat(stats.stream().mapToInt(CycleStats::tombstoned).sum()).isEqualTo(1);
        given().get("/tasks/" + deleted).then().statusCode(200)
                .body("mirror.deleted", equalTo(true))
                .body("mirror.deletion_reason", equalTo("remote_404"));
        given().get("/tasks/" + hidden).then().statusCode(200).body("mirror.deleted", equalTo(false));
        given().queryParam("limit", 500).get("/tasks").then()
                .body("items.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(deleted)))
                .body("items.id", org.hamcrest.Matchers.hasItem(hidden));

        // the next cycle does not re-check the hidden task again right away
        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).target(sim.agentIds().get(0)).omitIds(hidden).build());
        sim.resetCounters();
        fx.sync(CycleKind.FULL);
        assertThat(sim.getCount(hidden)).isZero();
    }

    @Test
    void reusedIdAfterDeleteBecomesANewIncarnation() {
        fx.sync(CycleKind.FULL);
        String id = sim.taskIds(sim.agentIds().get(0)).get(0);
        sim.delete(id);
        fx.sync(CycleKind.FULL);
        given().get("/tasks/" + id).then().body("mirror.deleted", equalTo(true));

        sim.advance(Duration.ofMinutes(5));
        ObjectNode again = sim.recreate(id, r -> r.put("title", "second life"));
        fx.sync(CycleKind.FULL);

        given().get("/tasks/" + id).then()
                .body("mirror.deleted", equalTo(false))
                .body("title", equalTo("second life"))
                .body("created_at", equalTo(again.get("created_at").asText()));
    }

    @Test
    void duplicatedAndStaleEntriesNeverMoveATaskBackwards() {
        fx.sync(CycleKind.FULL);
        String agent = sim.agentIds().get(0);
        String id = sim.taskIds(agent).get(0);
        sim.advance(Duration.ofSeconds(10));
        sim.mutate(id, t -> t.put("title", "newest"));
        fx.sync(CycleKind.FULL);
        given().get("/tasks/" + id).then().body("title", equalTo("newest"));
        String version = fx.text("select version from task where id = ?1", id);

        // A list serving the previous version of the task, then a duplicated entry: nothing is written.
        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).target(agent).stale(id).build());
        fx.sync(CycleKind.FULL);
        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).target(agent).duplicate(id).build());
        fx.sync(CycleKind.FULL);
        given().get("/tasks/" + id).then().body("title", equalTo("newest"));
        assertThat(fx.text("select version from task where id = ?1", id)).as("no write at all").isEqualTo(version);
        assertThat(fx.count("select count(*) from task where id = '" + id + "'")).isEqualTo(1);

        // A stale GET carries no version, and a title says nothing about order: it may be taken, but the task
        // is settled against the versioned list entry by the next full cycle.
        sim.enqueueFault(Fault.on(RouteKind.GET).target(id).stale().build());
        given().queryParam("refresh", "true").get("/tasks/" + id).then().statusCode(200);
        sim.resetCounters();
        fx.sync(CycleKind.FULL);
        given().get("/tasks/" + id).then().body("title", equalTo("newest"));
        assertThat(sim.getCount(id)).as("re-fetched once to settle it").isEqualTo(1);
        sim.resetCounters();
        fx.sync(CycleKind.FULL);
        assertThat(sim.getCount(id)).as("then left alone").isZero();
    }

    @Test
    void staleGetBehindTheMirroredLifecycleIsRefused() {
        String agent = sim.agentIds().get(0);
        String id = sim.createTask(agent, r -> r.put("title", "job")).get("id").asText();
        sim.mutate(id, t -> t.put("status", "executing"));
        sim.advance(Duration.ofSeconds(5));
        sim.finish(id, "completed", "done");
        fx.sync(CycleKind.FULL);
        given().get("/tasks/" + id).then().body("status", equalTo("completed"));
        String version = fx.text("select version from task where id = ?1", id);

        // The previous version (executing, no finished_at) served by a GET: refused, nothing written.
        sim.enqueueFault(Fault.on(RouteKind.GET).target(id).stale().build());
        given().queryParam("refresh", "true").get("/tasks/" + id).then().statusCode(200)
                .body("status", equalTo("completed")).body("result", equalTo("done"));
        assertThat(fx.text("select version from task where id = ?1", id)).isEqualTo(version);
        assertThat(fx.count("select count(*) from task where id = '" + id + "' and status = 'completed' "
                + "and finished_at is not null")).isEqualTo(1);
    }

    @Test
    void secretsAreNeitherStoredNorServed() {
        String agent = sim.agentIds().get(0);
        ObjectNode task = sim.createTask(agent, r -> {
            r.put("user_oidc_token", "oidc-SECRET-1");
            r.putObject("user_tokens").put("node-1", "tok-SECRET-2").putObject("oidc_tokens").put("aud", "tok-SECRET-3");
            ObjectNode mcp = r.putArray("mcp_servers").addObject();
            mcp.put("type", "remote").put("name", "crm").put("url", "https://mcp.example.com").put("transport", "sse")
                    .put("auth_type", "api_key").put("api_key", "key-SECRET-4").put("client_secret", "cs-SECRET-5")
                    .put("use_secrets_manager", false).put("share_user_token_across_other_agents", true);
            mcp.putObject("headers").put("Authorization", "Bearer SECRET-6");
            mcp.putObject("env_vars").put("TOKEN", "SECRET-7");
            mcp.putArray("allowed_tools");
            mcp.putArray("additional_scopes");
        });
        String id = task.get("id").asText();
        assertThat(sim.task(id).orElseThrow().toString()).contains("SECRET-4");

        fx.sync(CycleKind.FULL);

        assertThat(fx.text("select document::text || coalesce(overlay::text, '') from task where id = ?1", id))
                .doesNotContain("SECRET").contains("[REDACTED]");
        String served = given().get("/tasks/" + id).then().statusCode(200).extract().asString();
        assertThat(served).doesNotContain("SECRET");
        JsonPath json = JsonPath.from(served);
        assertThat(json.getList("mirror.redacted", String.class)).contains("/user_oidc_token",
                "/user_tokens/node-1", "/user_tokens/oidc_tokens/aud", "/mcp_servers/0/api_key",
                "/mcp_servers/0/client_secret", "/mcp_servers/0/headers/Authorization", "/mcp_servers/0/env_vars/TOKEN");
        assertThat(json.getString("mcp_servers[0].name")).isEqualTo("crm");
        String list = given().queryParam("limit", 500).get("/tasks").then().extract().asString();
        assertThat(list).doesNotContain("SECRET");
    }

    @Test
    void syncEndpointReportsEveryAgentAndRunsOnDemand() {
        given().post("/sync").then().statusCode(200)
                .body("scopes.size()", equalTo(2))
                .body("scopes[0].last_success_at", org.hamcrest.Matchers.notNullValue())
                .body("scopes[0].last_error", org.hamcrest.Matchers.nullValue())
                .body("remote.simulated", equalTo(true));
        assertThat(fx.count("select count(*) from task")).isEqualTo(40);
        given().get("/sync").then().statusCode(200)
                .body("scopes.local_count.sum()", equalTo(40));
    }

    @Test
    void remoteOutageIsRecordedAndNothingIsInferred() {
        fx.sync(CycleKind.FULL);
        String agent = sim.agentIds().get(0);
        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).target(agent).status(503).times(10).build());

        given().post("/sync?agent_id=" + agent).then().statusCode(503)
                .contentType("application/problem+json");

        given().get("/sync").then().statusCode(200)
                .body("scopes.find { it.id == '" + agent + "' }.last_error", org.hamcrest.Matchers.containsString("503"))
                .body("scopes.find { it.id == '" + agent + "' }.consecutive_failures", equalTo(1));
        assertThat(fx.count("select count(*) from task where deleted_at is not null")).isZero();
    }
}
