package dev.taskmirror.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
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

import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.Invariants;
import dev.taskmirror.support.Invariants.AckedSave;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;
import io.restassured.http.ContentType;

/**
 * Two replicas on one database: each agent is synced by one of them at a time (a lease), no save is pushed
 * twice, and when one dies (SIGKILL) the other takes its agents and its claimed saves over within the lease
 * and claim TTLs.
 */
class TwoReplicasIT {

    static final Duration LEASE_TTL = Duration.ofSeconds(4);
    /** Lease TTL + one scheduler tick + a margin for a loaded 2-core machine. */
    static final Duration TAKEOVER_BOUND = Duration.ofSeconds(12);

    SimulatorProcess remote;

    @BeforeEach
    void setUp() throws Exception {
        ItDatabase.truncate();
        remote = new SimulatorProcess(SimulatorOptions.builder().agents(4).tasks(160).build());
        remote.sim().setLifecycleEnabled(false);
    }

    @AfterEach
    void tearDown() {
        remote.close();
    }

    private Map<String, String> env(String instance) {
        Map<String, String> env = new HashMap<>(remote.env());
        env.put("MIRROR_INSTANCE_ID", instance);
        env.put("MIRROR_SYNC_INTERVAL", "1s");
        env.put("MIRROR_SYNC_ACTIVE_INTERVAL", "1s");
        env.put("MIRROR_SYNC_LEASE_TTL", LEASE_TTL.toSeconds() + "s");
        env.put("MIRROR_SYNC_SCOPE_CONCURRENCY", "4");
        env.put("MIRROR_OUTBOX_CLAIM_TTL", "3s");
        env.put("XPANDER_READ_TIMEOUT", "2s");
        return env;
    }

    private Map<String, String> leases() throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = ItDatabase.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select scope, lease_owner from sync_scope where lease_until > now()")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void oneReplicaPerAgentNoDoubleSendAndTakeOverAfterACrash() throws Exception {
        try (AppProcess a = new AppProcess("replica-a", env("replica-a")).start();
                AppProcess b = new AppProcess("replica-b", env("replica-b")).start()) {
            await().atMost(Duration.ofSeconds(40)).until(() -> ItDatabase.count("select count(*) from task") == 160);
            for (String agent : remote.sim().agentIds()) {
                for (String id : remote.sim().taskIds(agent)) {
                    assertThat(remote.sim().getCount(id)).as("task %s fetched once, by one replica", id).isEqualTo(1);
                }
            }
            assertThat(leases()).as("every agent leased").hasSize(4);

            // Saves through both replicas: each pushed exactly once.
            remote.sim().resetCounters();
            List<AckedSave> acked = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            remote.sim().agentIds().forEach(agent -> ids.addAll(remote.sim().taskIds(agent).subList(0, 15)));
            for (int i = 0; i < ids.size(); i++) {
                AppProcess via = i % 2 == 0 ? a : b;
                given().baseUri(via.baseUrl()).contentType(ContentType.JSON)
                        .body("{\"internal_status\": \"two-replicas-" + i + "\"}").patch("/tasks/" + ids.get(i))
                        .then().statusCode(202);
                acked.add(new AckedSave(ids.get(i), "internal_status", "two-replicas-" + i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ItDatabase.count("select count(*) from outbox") == 0);
            assertThat(remote.sim().requestCount(RouteKind.UPDATE)).as("each save sent once").isEqualTo(ids.size());

            // Kill the replica that holds agents; the other takes them over within the bound.
            Map<String, String> before = leases();
            AppProcess victim = before.containsValue("replica-a") ? a : b;
            String survivor = victim == a ? "replica-b" : "replica-a";
            String orphanScope = before.entrySet().stream().filter(e -> !e.getValue().equals(survivor)).findFirst()
                    .orElseThrow().getKey();
            String orphanAgent = orphanScope.substring("agent:".length());
            victim.kill();
            long killedAt = System.nanoTime();
            String changed = remote.sim().taskIds(orphanAgent).get(3);
            remote.sim().mutate(changed, t -> t.put("title", "seen by the survivor"));
            AppProcess alive = victim == a ? b : a;
            await().atMost(TAKEOVER_BOUND).pollInterval(Duration.ofMillis(200)).until(() ->
                    "seen by the survivor".equals(given().baseUri(alive.baseUrl()).get("/tasks/" + changed)
                            .then().extract().path("title")));
            Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
            System.out.println("takeover of " + orphanScope + " after a SIGKILL: " + takeover.toMillis() + " ms");
            assertThat(takeover).isLessThan(TAKEOVER_BOUND);
            await().atMost(Duration.ofSeconds(10)).until(() -> leases().values().stream().allMatch(survivor::equals)
                    && leases().size() == 4);

            Invariants inv = new Invariants(remote.sim(), alive.baseUrl());
            inv.quiesce(null);
            inv.assertAll(acked, Set.of());
        }
    }
}
