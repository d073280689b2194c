package dev.taskmirror.process;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;
import io.restassured.http.ContentType;

/**
 * A save answered before the service dies (SIGKILL) reaches the remote after a restart: the outbox row was
 * committed with the local change.
 */
class PendingSaveSurvivesRestartIT {

    SimulatorProcess remote;

    @BeforeEach
    void setUp() throws Exception {
        ItDatabase.truncate();
        remote = new SimulatorProcess(SimulatorOptions.builder().agents(1).tasks(5).build());
    }

    @AfterEach
    void tearDown() {
        remote.close();
    }

    private Map<String, String> env(boolean relay) {
        Map<String, String> env = new HashMap<>(remote.env());
        env.put("MIRROR_OUTBOX_ENABLED", Boolean.toString(relay));
        env.put("MIRROR_SYNC_INTERVAL", "1s");
        return env;
    }

    @Test
    void savesCommittedBeforeAKillArePushedAfterRestart() throws Exception {
        String agent = remote.sim().agentIds().get(0);
        String taskId = remote.sim().taskIds(agent).get(0);
        String createdId;
        try (AppProcess app = new AppProcess("restart-1", env(false)).start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().baseUri(app.baseUrl())
                    .get("/tasks/" + taskId).then().statusCode(200));
            given().baseUri(app.baseUrl()).contentType(ContentType.JSON).body("{\"title\": \"saved before the crash\"}")
                    .patch("/tasks/" + taskId).then().statusCode(202).body("mirror.sync_state", equalTo("pending"));
            createdId = given().baseUri(app.baseUrl()).contentType(ContentType.JSON)
                    .body("{\"agent_id\": \"" + agent + "\", \"prompt\": \"created before the crash\"}")
                    .post("/tasks").then().statusCode(201).extract().path("id");
            app.kill();
        }
        assertThat(ItDatabase.count("select count(*) from outbox where state = 'pending'")).isEqualTo(2);
        assertThat(remote.sim().task(createdId)).isEmpty();

        try (AppProcess app = new AppProcess("restart-2", env(true)).start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(remote.sim().task(taskId).orElseThrow().get("title").asText())
                        .isEqualTo("saved before the crash");
                assertThat(remote.sim().task(createdId)).isPresent();
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                given().baseUri(app.baseUrl()).get("/tasks/" + taskId).then()
                        .body("mirror.sync_state", equalTo("synced")).body("title", equalTo("saved before the crash"));
                given().baseUri(app.baseUrl()).get("/tasks/" + createdId).then()
                        .body("mirror.sync_state", equalTo("synced"));
            });
            assertThat(ItDatabase.count("select count(*) from outbox")).isZero();
        }
    }
}
