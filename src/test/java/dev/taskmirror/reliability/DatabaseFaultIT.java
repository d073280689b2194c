package dev.taskmirror.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.taskmirror.simulator.Fault;
import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.Invariants;
import dev.taskmirror.support.Invariants.AckedSave;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;
import dev.taskmirror.support.TcpProxy;
import io.restassured.http.ContentType;

/**
 * PostgreSQL goes away under the running service — every connection dropped and refused for a while, as in
 * a restart — or its backends are killed (pg_terminate_backend) during sync cycles and relay pushes. The
 * service recovers without a restart, readiness follows the database, and the invariants hold.
 */
class DatabaseFaultIT {

    SimulatorProcess remote;
    TcpProxy proxy;
    String agent;

    @BeforeEach
    void setUp() throws Exception {
        ItDatabase.truncate();
        remote = new SimulatorProcess(SimulatorOptions.builder().agents(1).tasks(300).build());
        remote.sim().setLifecycleEnabled(false);
        agent = remote.sim().agentIds().get(0);
        var db = ItDatabase.address();
        proxy = new TcpProxy(db.getHostString(), db.getPort());
    }

    @AfterEach
    void tearDown() throws Exception {
        proxy.close();
        remote.close();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>(ItDatabase.throughProxy(proxy));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", env.get("QUARKUS_DATASOURCE_JDBC_URL")
                + (env.get("QUARKUS_DATASOURCE_JDBC_URL").contains("?") ? "&" : "?") + "ApplicationName=task-mirror-it");
        env.putAll(remote.env());
        env.put("MIRROR_SYNC_INTERVAL", "1s");
        env.put("MIRROR_SYNC_BATCH_SIZE", "20");
        env.put("MIRROR_SYNC_MAX_BACKOFF", "2s");
        env.put("MIRROR_OUTBOX_BACKOFF_INITIAL", "200ms");
        env.put("MIRROR_OUTBOX_BACKOFF_MAX", "1s");
        env.put("MIRROR_OUTBOX_CLAIM_TTL", "3s");
        env.put("XPANDER_READ_TIMEOUT", "2s");
        // fail fast on a dead database instead of waiting for TCP timeouts
        env.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "2s");
        return env;
    }

    private int status(String url) {
        try {
            return given().baseUri(url).get("/q/health/ready").statusCode();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Test
    void databaseRestartDuringSyncIsSurvivedAndReadinessFollowsIt() throws Exception {
        remote.sim().enqueueFault(Fault.on(RouteKind.GET).delayMillis(15).times(300).build());
        try (AppProcess app = new AppProcess("db-restart", env()).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ItDatabase.count("select count(*) from task") >= 40);
            proxy.down();
            await().atMost(Duration.ofSeconds(20)).until(() -> status(app.baseUrl()) == 503);
            given().baseUri(app.baseUrl()).get("/q/health/live").then().statusCode(200);
            Thread.sleep(3000);
            proxy.up();
            await().atMost(Duration.ofSeconds(30)).until(() -> status(app.baseUrl()) == 200);
            await().atMost(Duration.ofSeconds(60)).until(() -> ItDatabase.count("select count(*) from task") == 300);
            assertThat(app.alive()).isTrue();
            Invariants inv = new Invariants(remote.sim(), app.baseUrl());
            inv.quiesce(null);
            inv.assertAll(List.of(), Set.of());
        }
    }

    @Test
    void killedBackendsDuringSyncAndRelayAreSurvived() throws Exception {
        try (AppProcess app = new AppProcess("db-terminate", env()).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ItDatabase.count("select count(*) from task") == 300);
            remote.sim().enqueueFault(Fault.on(RouteKind.UPDATE).delayMillis(100).times(40).build());
            List<AckedSave> acked = new ArrayList<>();
            List<String> ids = remote.sim().taskIds(agent);
            for (int i = 0; i < 40; i++) {
                String id = ids.get(i);
                String value = "saved-" + i;
                given().baseUri(app.baseUrl()).contentType(ContentType.JSON)
                        .body("{\"internal_status\": \"" + value + "\"}").patch("/tasks/" + id).then().statusCode(202);
                acked.add(new AckedSave(id, "internal_status", value));
                if (i % 8 == 0) {
                    remote.sim().mutate(ids.get(100 + i), t -> t.put("title", "changed remotely"));
                }
            }
            int killed = 0;
            long end = System.currentTimeMillis() + 6000;
            while (System.currentTimeMillis() < end) {
                try (Connection c = ItDatabase.connect(); Statement st = c.createStatement();
                        var rs = st.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                                + "where application_name = 'task-mirror-it' and pid <> pg_backend_pid()")) {
                    rs.next();
                    killed += rs.getInt(1);
                }
                Thread.sleep(400);
            }
            assertThat(killed).as("backends killed while syncing and pushing").isPositive();
            assertThat(app.alive()).isTrue();
            Invariants inv = new Invariants(remote.sim(), app.baseUrl());
            inv.quiesce(null);
            inv.assertAll(acked, Set.of());
            await().atMost(Duration.ofSeconds(20)).until(() -> status(app.baseUrl()) == 200);
        }
    }
}
