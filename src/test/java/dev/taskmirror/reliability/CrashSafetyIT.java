package dev.taskmirror.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.Invariants;
import dev.taskmirror.support.Invariants.AckedSave;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;
import io.restassured.http.ContentType;

/**
 * The service is killed (the process halts as under SIGKILL) at named points — after a save's local commit,
 * after xpander acknowledged a save but before the outbox row was marked done, in the middle of applying a
 * sync page — then restarted; the invariants hold and nothing is lost or duplicated.
 */
class CrashSafetyIT {

    SimulatorProcess remote;
    String agent;

    @BeforeEach
    void setUp() throws Exception {
        ItDatabase.truncate();
        remote = new SimulatorProcess(SimulatorOptions.builder().agents(1).tasks(30).build());
        remote.sim().setLifecycleEnabled(false);
        agent = remote.sim().agentIds().get(0);
    }

    @AfterEach
    void tearDown() {
        remote.close();
    }

    private Map<String, String> env(String crashAt) {
        Map<String, String> env = new HashMap<>(remote.env());
        env.put("MIRROR_SYNC_INTERVAL", "1s");
        env.put("MIRROR_SYNC_BATCH_SIZE", "10");
        env.put("MIRROR_OUTBOX_CLAIM_TTL", "2s");
        env.put("XPANDER_READ_TIMEOUT", "1s");
        env.put("MIRROR_OUTBOX_BACKOFF_INITIAL", "200ms");
        if (crashAt != null) {
            env.put("MIRROR_TESTING_CRASH_AT", crashAt);
        }
        return env;
    }

    private void awaitMirrored(AppProcess app, int n) {
        await().atMost(Duration.ofSeconds(40)).until(() -> ItDatabase.count("select count(*) from task") >= n);
    }

    private void awaitExit(AppProcess app) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !app.alive());
    }

    @Test
    void saveCommittedThenCrashIsPushedAfterRestart() throws Exception {
        String id = remote.sim().taskIds(agent).get(0);
        try (AppProcess app = new AppProcess("crash-after-commit", env("save.after-commit")).start()) {
            awaitMirrored(app, 30);
            try {
                given().baseUri(app.baseUrl()).contentType(ContentType.JSON).body("{\"internal_status\": \"after-commit\"}")
                        .patch("/tasks/" + id);
            } catch (Exception e) {
                // the process died before answering
            }
            awaitExit(app);
        }
        assertThat(ItDatabase.count("select count(*) from outbox where state = 'pending'")).isEqualTo(1);
        try (AppProcess app = new AppProcess("crash-after-commit-restart", env(null)).start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> "after-commit".equals(
                    remote.sim().task(id).orElseThrow().path("internal_status").asText(null)));
            Invariants inv = new Invariants(remote.sim(), app.baseUrl());
            inv.quiesce(null);
            inv.assertAll(List.of(new AckedSave(id, "internal_status", "after-commit")), Set.of());
        }
    }

    @Test
    void crashAfterTheRemoteAppliedASaveResendsItOnce() throws Exception {
        String id = remote.sim().taskIds(agent).get(1);
        try (AppProcess app = new AppProcess("crash-after-ack", env("relay.after-remote-ack")).start()) {
            awaitMirrored(app, 30);
            given().baseUri(app.baseUrl()).contentType(ContentType.JSON).body("{\"internal_status\": \"after-ack\"}")
                    .patch("/tasks/" + id).then().statusCode(202);
            awaitExit(app);
        }
        assertThat(remote.sim().task(id).orElseThrow().get("internal_status").asText()).isEqualTo("after-ack");
        assertThat(ItDatabase.count("select count(*) from outbox where state = 'pending'")).isEqualTo(1);
        remote.sim().resetCounters();
        try (AppProcess app = new AppProcess("crash-after-ack-restart", env(null)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ItDatabase.count("select count(*) from outbox where state = 'pending'") == 0);
            assertThat(remote.sim().requestCount(RouteKind.UPDATE)).as("re-sent once (an idempotent merge)").isEqualTo(1);
            Invariants inv = new Invariants(remote.sim(), app.baseUrl());
            inv.quiesce(null);
            inv.assertAll(List.of(new AckedSave(id, "internal_status", "after-ack")), Set.of());
        }
    }

    @Test
    void ambiguousCreateIsNotCreatedTwice() throws Exception {
        try (AppProcess app = new AppProcess("crash-after-create", env("relay.after-remote-ack")).start()) {
            awaitMirrored(app, 30);
            try {
                given().baseUri(app.baseUrl()).contentType(ContentType.JSON)
                        .body("{\"agent_id\": \"" + agent + "\", \"prompt\": \"ambiguous\", \"title\": \"create-once\"}")
                        .post("/tasks").then().statusCode(201);
            } catch (Exception e) {
                // the relay may push (and the process halt) before the answer is written
            }
            awaitExit(app);
        }
        String created = ItDatabase.text("select id from task where title = 'create-once'");
        assertThat(created).as("the create was committed before the crash").isNotNull();
        assertThat(remote.sim().task(created)).as("xpander created it before the crash").isPresent();
        remote.sim().resetCounters();

        try (AppProcess app = new AppProcess("crash-after-create-restart", env(null)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ItDatabase.count("select count(*) from outbox where state = 'pending'") == 0);
            assertThat(remote.sim().requestCount(RouteKind.CREATE)).as("looked up, not created again").isZero();
            Invariants inv = new Invariants(remote.sim(), app.baseUrl());
            inv.quiesce(null);
            inv.assertAll(List.of(), Set.of("create-once"));
            given().baseUri(app.baseUrl()).get("/tasks/" + created).then().statusCode(200);
        }
    }

    @Test
    void crashInTheMiddleOfASyncPageAppliesNoPartialPage() throws Exception {
        try (AppProcess app = new AppProcess("crash-mid-page", env("sync.mid-page@2"))) {
            try {
                app.start();
            } catch (IllegalStateException e) {
                // it may halt before or after it reported ready
            }
            awaitExit(app);
        }
        long mirrored = ItDatabase.count("select count(*) from task");
        assertThat(mirrored).as("the first page committed, the second (interrupted) left no row").isEqualTo(10);
        try (AppProcess app = new AppProcess("crash-mid-page-restart", env(null)).start()) {
            awaitMirrored(app, 30);
            Invariants inv = new Invariants(remote.sim(), app.baseUrl());
            inv.quiesce(null);
            inv.assertAll(List.of(), Set.of());
        }
    }
}
