package dev.taskmirror.support;

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
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.XpanderSimulator;
import io.restassured.path.json.JsonPath;

/**
 * The invariants every reliability test ends with (quiesce → reconcile → assert), from the fault matrix:
 * I1 every remote task is mirrored at its latest state, and a task is tombstoned only when the remote no
 * longer has it; I2 every acknowledged save was applied remotely or is parked as failed with its error;
 * I3 nothing moved backwards (checked while running, see {@link #observe}); I4 no duplicate remote create
 * per idempotency key; I5 the outbox is empty or holds only failed saves; I6 a change-feed reader from the
 * start reconstructs exactly the store.
 */
public final class Invariants {

    /** A save the service acknowledged (2xx): the value the remote must end up with, unless parked. */
    public record AckedSave(String taskId, String field, String value) {
    }

    private final XpanderSimulator sim;
    private final String baseUrl;
    private final Map<String, String> lastUpdatedAt;
    private final List<String> regressions;

    public Invariants(XpanderSimulator sim, String baseUrl) {
        this(sim, baseUrl, new ConcurrentHashMap<>(), new ArrayList<>());
    }

    private Invariants(XpanderSimulator sim, String baseUrl, Map<String, String> seen, List<String> regressions) {
        this.sim = sim;
        this.baseUrl = baseUrl;
        this.lastUpdatedAt = seen;
        this.regressions = regressions;
    }

    /** The same observed history, checked against a restarted service. */
    public Invariants at(String newBaseUrl) {
        return new Invariants(sim, newBaseUrl, lastUpdatedAt, regressions);
    }

    /** I3 while running: a task's updated_at never goes backwards in what the service serves. */
    public synchronized void observe(JsonNode task) {
        String id = task.path("id").asText();
        String updated = task.path("updated_at").asText(null);
        if (updated == null) {
            return;
        }
        String prev = lastUpdatedAt.put(id, updated);
        if (prev != null && java.time.Instant.parse(updated).isBefore(java.time.Instant.parse(prev))) {
            regressions.add(id + ": " + prev + " -> " + updated);
        }
    }

    /**
     * Stops faults, waits for the outbox to settle and runs a reconciliation of every scope.
     *
     * @param adminKey the service's admin key, or null when the service lets anonymous requests in
     */
    public void quiesce(String adminKey) {
        sim.clearFaults();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                ItDatabase.count("select count(*) from outbox where state = 'pending'") == 0);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                (adminKey == null ? given() : given().header("X-API-Key", adminKey)).baseUri(baseUrl)
                        .post("/sync?kind=reconcile").then().statusCode(200));
    }

    /** The create's marker title, possibly with the simulator's other actors' " (edited n)" suffix. */
    private static boolean isMarked(String title, String marker) {
        return title.equals(marker) || title.startsWith(marker + " (edited ");
    }

    public void assertAll(List<AckedSave> acked, Set<String> createMarkers) throws Exception {
        Map<String, Map<String, String>> local = new HashMap<>();
        try (Connection c = ItDatabase.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select id, status, title, internal_status, result, deleted_at is not null, "
                        + "version, synced_at is not null from task")) {
            while (rs.next()) {
                Map<String, String> row = new HashMap<>();
                row.put("status", rs.getString(2));
                row.put("title", rs.getString(3));
                row.put("internal_status", rs.getString(4));
                row.put("result", rs.getString(5));
                row.put("deleted", Boolean.toString(rs.getBoolean(6)));
                row.put("version", Long.toString(rs.getLong(7)));
                row.put("acked", Boolean.toString(rs.getBoolean(8)));
                local.put(rs.getString(1), row);
            }
        }
        // I1
        int remoteTasks = 0;
        for (String agent : sim.agentIds()) {
            for (ObjectNode remote : sim.tasks(agent)) {
                remoteTasks++;
                String id = remote.get("id").asText();
                Map<String, String> row = local.get(id);
                assertThat(row).as("I1: remote task %s is mirrored", id).isNotNull();
                assertThat(row.get("deleted")).as("I1: %s exists remotely, so it is not tombstoned", id).isEqualTo("false");
                for (String f : List.of("status", "title", "internal_status", "result")) {
                    JsonNode v = remote.get(f);
                    assertThat(row.get(f)).as("I1: %s of %s is the remote's latest", f, id)
                            .isEqualTo(v == null || v.isNull() ? null : v.asText());
                }
            }
        }
        for (Map.Entry<String, Map<String, String>> e : local.entrySet()) {
            if (e.getValue().get("deleted").equals("false") && e.getValue().get("acked").equals("true")) {
                assertThat(sim.task(e.getKey())).as("I1: live mirrored task %s exists remotely", e.getKey()).isPresent();
            }
        }
        // I2: the last acknowledged value per task and field is the remote's, unless that save is parked.
        Map<String, AckedSave> last = new HashMap<>();
        for (AckedSave s : acked) {
            last.put(s.taskId() + "/" + s.field(), s);
        }
        for (AckedSave s : last.values()) {
            if (sim.task(s.taskId()).isEmpty()) {
                continue; // deleted remotely since: I1 checked it is tombstoned
            }
            long parked = ItDatabase.count("select count(*) from outbox where state = 'failed' and task_id = '"
                    + s.taskId().replace("'", "''") + "' and last_error is not null");
            if (parked == 0) {
                JsonNode remote = sim.task(s.taskId()).map(t -> t.get(s.field())).orElse(null);
                assertThat(remote == null || remote.isNull() ? null : remote.asText())
                        .as("I2: acknowledged save of %s.%s reached the remote", s.taskId(), s.field())
                        .isEqualTo(s.value());
            }
        }
        // I3
        assertThat(regressions).as("I3: nothing moved backwards").isEmpty();
        // I4
        for (String marker : createMarkers) {
            long n = sim.agentIds().stream().flatMap(a -> sim.tasks(a).stream())
                    .filter(t -> isMarked(t.path("title").asText(""), marker)).count();
            assertThat(n).as("I4: exactly one remote task for create %s", marker).isEqualTo(1);
        }
        // I5
        assertThat(ItDatabase.count("select count(*) from outbox where state <> 'failed'"))
                .as("I5: outbox empty or failed only").isZero();
        // I6
        Map<String, String> fromFeed = new HashMap<>();
        String cursor = "0";
        boolean more = true;
        while (more) {
            JsonPath page = given().baseUri(baseUrl).queryParam("since", cursor).queryParam("limit", 500)
                    .queryParam("fields", "mirror").get("/tasks/changes").then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> changes = page.getList("changes");
            for (Map<String, Object> ch : changes) {
                @SuppressWarnings("unchecked")
                Map<String, Object> mirror = (Map<String, Object>) ((Map<String, Object>) ch.get("task")).get("mirror");
                fromFeed.put((String) ch.get("id"), String.valueOf(mirror.get("version")));
            }
            cursor = page.getString("next_cursor");
            more = page.getBoolean("has_more");
        }
        Map<String, String> versions = new HashMap<>();
        local.forEach((id, row) -> versions.put(id, row.get("version")));
        assertThat(fromFeed).as("I6: a change-feed reader from the start reconstructs the store").isEqualTo(versions);
        assertThat(remoteTasks).isPositive();
    }
}
