package dev.taskmirror.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.query.ServedTask;
import dev.taskmirror.query.TaskQueries;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** GET /tasks and GET /tasks/{id} over the real database. */
@QuarkusTest
class TaskQueryApiTest {

    @Inject
    MirrorFixture fx;

    @Inject
    TaskQueries queries;

    XpanderSimulator sim;

    @BeforeEach
    void setUp() {
        sim = fx.reset(3, 90);
        sim.setLifecycleEnabled(false);
        fx.sync(CycleKind.FULL);
    }

    @Test
    void listIsNewestFirstAndPagesWithACursorWithoutGapsOrDuplicates() {
        List<String> seen = new ArrayList<>();
        List<String> created = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var req = given().queryParam("limit", 25);
            if (cursor != null) {
                req.queryParam("cursor", cursor);
            }
            JsonPath page = req.get("/tasks").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.id", String.class));
            created.addAll(page.getList("items.created_at", String.class));
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(4);
        assertThat(seen).hasSize(90).doesNotHaveDuplicates();
        List<Instant> times = created.stream().map(Instant::parse).toList();
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i)).isBeforeOrEqualTo(times.get(i - 1));
        }
    }

    @Test
    void filtersCombine() {
        String agent = sim.agentIds().get(1);
        long expected = sim.tasks(agent).stream().filter(t -> t.get("status").asText().equals("completed")).count();
        given().queryParam("agent_id", agent).queryParam("status", "completed").queryParam("limit", 500)
                .get("/tasks").then().statusCode(200)
                .body("items", hasSize((int) expected))
                .body("items.agent_id", everyItem(equalTo(agent)))
                .body("items.status", everyItem(equalTo("completed")));

        long anyTwo = sim.tasks(agent).stream().filter(t -> Set.of("completed", "failed").contains(t.get("status").asText()))
                .count();
        given().queryParam("agent_id", agent).queryParam("status", "completed,failed").queryParam("limit", 500)
                .get("/tasks").then().body("items", hasSize((int) anyTwo));
    }

    @Test
    void filterByUserParentTriggeringAndCreationRange() {
        ObjectNode parent = sim.createTask(sim.agentIds().get(0), r -> r.put("title", "parent"));
        ObjectNode child = sim.createTask(sim.agentIds().get(1), r -> {
            r.put("parent_execution_id", parent.get("id").asText());
            r.put("triggering_agent_id", sim.agentIds().get(0));
            ((ObjectNode) r.get("input")).putObject("user").put("id", "user-filter-1").put("email", "f@example.com");
        });
        fx.sync(CycleKind.FULL);
        String childId = child.get("id").asText();

        given().queryParam("user_id", "user-filter-1").get("/tasks").then().body("items.id", equalTo(List.of(childId)));
        given().queryParam("parent_task_id", parent.get("id").asText()).get("/tasks").then()
                .body("items.id", equalTo(List.of(childId)));
        given().queryParam("triggering_agent_id", sim.agentIds().get(0)).get("/tasks").then()
                .body("items.id", org.hamcrest.Matchers.hasItem(childId));
        String createdAt = child.get("created_at").asText();
        given().queryParam("created_after", createdAt).queryParam("limit", 500).get("/tasks").then()
                .body("items.id", org.hamcrest.Matchers.hasItem(childId));
        given().queryParam("created_before", createdAt).queryParam("limit", 500).get("/tasks").then()
                .body("items.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(childId)));
    }

    @Test
    void getServesTheDocumentWithMirrorSectionAndEtag() {
        String id = sim.taskIds(sim.agentIds().get(0)).get(0);
        given().get("/tasks/" + id).then().statusCode(200)
                .header("ETag", notNullValue())
                .body("id", equalTo(id))
                .body("mirror.sync_state", equalTo("synced"))
                .body("mirror.version", notNullValue())
                .body("mirror.synced_at", notNullValue())
                .body("updated_at", notNullValue());
    }

    @Test
    void readsInOneStatementServeWhatSingleReadsServe() {
        List<String> ids = new ArrayList<>(sim.taskIds(sim.agentIds().get(0)));
        ids.add("does-not-exist");
        Map<String, ServedTask> all = queries.getAll(ids);
        assertThat(all).hasSize(ids.size() - 1).doesNotContainKey("does-not-exist");
        for (String id : ids) {
            assertThat(Optional.ofNullable(all.get(id))).isEqualTo(queries.get(id));
        }
    }

    @Test
    void concurrentReadsEachGetTheirOwnTask() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String agent : sim.agentIds()) {
            ids.addAll(sim.taskIds(agent));
        }
        List<String> requests = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            requests.addAll(ids);
            requests.add("unknown-" + round);
        }
        Collections.shuffle(requests, new Random(7));
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (String id : requests) {
                answers.add(clients.submit(() -> {
                    var r = given().get("/tasks/" + id);
                    return r.statusCode() == 200 ? r.jsonPath().getString("id") + " " + r.header("ETag")
                            : r.statusCode() + " " + r.contentType();
                }));
            }
            for (int i = 0; i < requests.size(); i++) {
                String id = requests.get(i);
                String expected = id.startsWith("unknown-") ? "404 application/problem+json"
                        : id + " " + queries.get(id).orElseThrow().etag();
                assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).as(id).isEqualTo(expected);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void refreshReadsTheRemoteFirstAndMirrorsUnknownTasks() {
        ObjectNode fresh = sim.createTask(sim.agentIds().get(0), r -> r.put("title", "not synced yet"));
        String id = fresh.get("id").asText();
        given().get("/tasks/" + id).then().statusCode(404);
        given().queryParam("refresh", "true").get("/tasks/" + id).then().statusCode(200)
                .body("title", equalTo("not synced yet"));
    }

    @Test
    void unknownTaskIsProblem404() {
        given().get("/tasks/does-not-exist").then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("title", equalTo("Task not found"))
                .body("instance", equalTo("/tasks/does-not-exist"));
    }

    @Test
    void badParametersAreProblem400() {
        for (String[] bad : new String[][] { { "limit", "0" }, { "limit", "501" }, { "limit", "ten" },
                { "status", "done" }, { "created_after", "yesterday" }, { "sort", "title" },
                { "include_deleted", "maybe" }, { "cursor", "garbage" } }) {
            given().queryParam(bad[0], bad[1]).get("/tasks").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("invalid_params[0].name", equalTo(bad[0]));
        }
    }

    @Test
    void tamperedOrForeignCursorIsRefused() {
        String cursor = given().queryParam("limit", 10).get("/tasks").then().extract().path("next_cursor");
        String tampered = cursor.substring(0, 5) + (cursor.charAt(5) == 'A' ? 'B' : 'A') + cursor.substring(6);
        given().queryParam("limit", 10).queryParam("cursor", tampered).get("/tasks").then().statusCode(400)
                .body("detail", containsString("cursor"));
        given().queryParam("limit", 10).queryParam("status", "completed").queryParam("cursor", cursor).get("/tasks")
                .then().statusCode(400).body("detail", containsString("different query"));
    }

    @Test
    void lastPageHasNoCursor() {
        given().queryParam("limit", 500).get("/tasks").then().body("next_cursor", nullValue()).body("items", hasSize(90));
        Set<String> unique = new HashSet<>(given().queryParam("limit", 500).get("/tasks").then().extract()
                .jsonPath().getList("items.id", String.class));
        assertThat(unique).hasSize(90);
    }
}
