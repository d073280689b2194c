package dev.taskmirror.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.simulator.Fault;
import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;
import io.restassured.http.ContentType;

/**
 * SIGTERM while the packaged service is busy (a slow remote, a backfill in progress, a save being pushed):
 * it stops taking cycles, abandons the page being fetched, lets the push finish, gives its leases back and
 * exits well within the pod's termination grace period.
 */
class GracefulShutdownIT {

    static final int TASKS = 120;
    static final int PAGE = 10;
    /** quarkus.shutdown.delay + quarkus.shutdown.timeout + the two wind-down timeouts below + JVM exit. */
    static final Duration BOUND = Duration.ofSeconds(1 + 10 + 10 + 8 + 3);

    SimulatorProcess remote;

    @BeforeEach
    void setUp() throws Exception {
        ItDatabase.truncate();
        remote = new SimulatorProcess(SimulatorOptions.builder().agents(1).tasks(TASKS).build());
        // Every task read takes 300 ms: the backfill needs about 18 s, so it is in progress at SIGTERM.
        remote.sim().enqueueFault(Fault.on(RouteKind.GET).delayMillis(300).times(1_000_000).build());
    }

    @AfterEach
    void tearDown() {
        remote.close();
    }

    @Test
    void sigtermWindsDownInOrderWithinTheGracePeriod() throws Exception {
        Map<String, String> env = new HashMap<>(remote.env());
        env.put("MIRROR_SYNC_BATCH_SIZE", Integer.toString(PAGE));
        env.put("MIRROR_SYNC_FETCH_CONCURRENCY", "2");
        env.put("MIRROR_SYNC_INITIAL_DELAY", "0s");
        env.put("MIRROR_SYNC_SHUTDOWN_TIMEOUT", "10s");
        env.put("MIRROR_OUTBOX_SHUTDOWN_TIMEOUT", "8s");
        env.put("QUARKUS_SHUTDOWN_DELAY", "1s");
        String agent = remote.sim().agentIds().get(0);

        AppProcess app = new AppProcess("graceful-shutdown", env);
        Files.deleteIfExists(app.log());
        app.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> ItDatabase.count("select count(*) from task") >= PAGE);
            String taskId = text("select id from task order by id limit 1");
            remote.sim().enqueueFault(Fault.on(RouteKind.UPDATE).target(taskId).delayMillis(4000).build());
            given().baseUri(app.baseUrl()).contentType(ContentType.JSON).body("{\"title\": \"pushed during shutdown\"}")
                    .patch("/tasks/" + taskId).then().statusCode(202);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ItDatabase.count("select count(*) from outbox where claimed_by is not null") == 1);

            long t0 = System.nanoTime();
            int exit = app.terminate(BOUND);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertThat(exit).as("exit status within " + BOUND + " (took " + took + ")").isNotEqualTo(-1);
            // A JVM ended by SIGTERM reports 128 + 15.
            assertThat(exit).isEqualTo(143);
            assertThat(took).isLessThan(BOUND);

            List<String> messages = messages(app);
            assertThat(messages).noneMatch(m -> m.contains("still running"));
            assertInOrder(messages, "Shutdown: outbox relay claims no new saves", "Shutdown: outbox relay stopped");
            assertInOrder(messages, "Shutdown: no new sync cycles", "Sync reconcile agent:" + agent + " stopped for shutdown",
                    "Shutdown: sync cycles stopped", "Shutdown: outbox relay stopped; in-flight pushes finished",
                    "task-mirror stopped in");

            // The push in flight finished and was recorded; nothing stays claimed for a dead instance.
            assertThat(remote.sim().task(taskId).orElseThrow().get("title").asText()).isEqualTo("pushed during shutdown");
            assertThat(ItDatabase.count("select count(*) from outbox")).isZero();
            assertThat(ItDatabase.count("select count(*) from sync_scope where lease_owner is not null")).isZero();
            // The interrupted backfill is neither a success nor a failure, and only whole pages were applied.
            assertThat(ItDatabase.count("select count(*) from sync_scope where last_success_at is not null "
                    + "or initial_sync_at is not null or consecutive_failures > 0")).isZero();
            long mirrored = ItDatabase.count("select count(*) from task");
            assertThat(mirrored).isLessThan(TASKS).matches(n -> n % PAGE == 0, "a multiple of the page size");
        } finally {
            app.close();
        }
    }

    /** The message of every JSON log line (the prod profile logs JSON). */
    static List<String> messages(AppProcess app) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(app.log())) {
            if (line.startsWith("{")) {
                JsonNode json = mapper.readTree(line);
                out.add(json.path("message").asText());
            }
        }
        return out;
    }

    static void assertInOrder(List<String> messages, String... fragments) {
        int from = 0;
        for (String fragment : fragments) {
            int at = -1;
            for (int i = from; i < messages.size(); i++) {
                if (messages.get(i).contains(fragment)) {
                    at = i;
                    break;
                }
            }
            assertThat(at).as("'" + fragment + "' logged after the previous step; log: " + messages).isNotNegative();
            from = at + 1;
        }
    }

    static String text(String sql) throws Exception {
        try (Connection c = ItDatabase.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
