package dev.taskmirror.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.simulator.Fault;
import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.Invariants;
import dev.taskmirror.support.Invariants.AckedSave;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;
import dev.taskmirror.support.TcpProxy;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * A seeded randomized run: tasks progress and arrive on the remote, other actors edit and delete them,
 * clients save, stop and create through the mirror, faults hit every remote route, the service is restarted
 * (SIGTERM) or killed (SIGKILL), and the database drops every connection. At the end: quiesce → reconcile →
 * the invariants. Duration and seed: -Dsoak.duration=10m -Dsoak.seed=... (the seed is printed for replay).
 */
class SoakIT {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** The routes the mirror calls in this run (it mirrors agents, not users). */
    static final List<RouteKind> FAULT_ROUTES = List.of(RouteKind.CREATE, RouteKind.GET, RouteKind.LIST_AGENT,
            RouteKind.UPDATE, RouteKind.STOP, RouteKind.EVENTS);

    @Test
    void randomizedRunKeepsEveryInvariant() throws Exception {
        Duration duration = Duration.parse("PT" + System.getProperty("soak.duration", "20s").toUpperCase());
        long seed = Long.getLong("soak.seed", System.nanoTime());
        System.out.println("SOAK seed=" + seed + " duration=" + duration);
        Random random = new Random(seed);
        ItDatabase.truncate();
        Map<String, Integer> counts = new TreeMap<>();
        List<AckedSave> acked = new ArrayList<>();
        Set<String> createMarkers = new HashSet<>();
        var db = ItDatabase.address();
        try (SimulatorProcess remote = new SimulatorProcess(SimulatorOptions.builder().seed(seed).agents(3).tasks(60)
                .arrivalsPerMinute(30).build()); TcpProxy proxy = new TcpProxy(db.getHostString(), db.getPort())) {
            XpanderSimulator sim = remote.sim();
            Map<String, String> env = new HashMap<>(ItDatabase.throughProxy(proxy));
            env.putAll(remote.env());
            env.put("MIRROR_SYNC_INTERVAL", "1s");
            env.put("MIRROR_SYNC_ACTIVE_INTERVAL", "1s");
            env.put("MIRROR_SYNC_MAX_BACKOFF", "2s");
            env.put("MIRROR_OUTBOX_BACKOFF_INITIAL", "200ms");
            env.put("MIRROR_OUTBOX_BACKOFF_MAX", "2s");
            env.put("MIRROR_OUTBOX_MAX_ATTEMPTS", "50");
            env.put("MIRROR_OUTBOX_CLAIM_TTL", "3s");
            env.put("XPANDER_READ_TIMEOUT", "2s");
            env.put("XPANDER_RETRY_INITIAL_DELAY", "50ms");
            env.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "2s");
            AppProcess app = new AppProcess("soak", env).start();
            Invariants inv = new Invariants(sim, app.baseUrl());
            long end = System.nanoTime() + duration.toNanos();
            int restarts = 0;
            try {
                while (System.nanoTime() < end) {
                    int op = random.nextInt(100);
                    String base = app.baseUrl();
                    List<String> ids = new ArrayList<>();
                    sim.agentIds().forEach(a -> ids.addAll(sim.taskIds(a)));
                    String id = ids.isEmpty() ? null : ids.get(random.nextInt(ids.size()));
                    // Tasks created through the mirror keep their marker title and stay on the remote: I4 counts
                    // them by that title. Other actors edit and delete only the rest.
                    boolean createdHere = id != null && sim.task(id).map(t -> t.path("title").asText("")
                            .startsWith("soak-create-")).orElse(false);
                    if (op < 15) {
                        sim.advance(Duration.ofSeconds(1 + random.nextInt(5)));
                        counts.merge("remote progress", 1, Integer::sum);
                    } else if (op < 25 && id != null && !createdHere) {
                        String title = "remote-" + random.nextInt(1_000_000);
                        sim.mutate(id, t -> t.put("title", title));
                        counts.merge("remote edits", 1, Integer::sum);
                    } else if (op < 27 && id != null && !createdHere) {
                        sim.delete(id);
                        counts.merge("remote deletes", 1, Integer::sum);
                    } else if (op < 50 && id != null) {
                        String value = "saved-" + random.nextInt(1_000_000);
                        Response r = call(() -> given().baseUri(base).contentType(ContentType.JSON)
                                .body("{\"internal_status\": \"" + value + "\"}").patch("/tasks/" + id));
                        if (r != null && r.statusCode() == 202) {
                            acked.add(new AckedSave(id, "internal_status", value));
                            counts.merge("saves acknowledged", 1, Integer::sum);
                        }
                    } else if (op < 54 && id != null) {
                        Response r = call(() -> given().baseUri(base).post("/tasks/" + id + "/stop"));
                        if (r != null && r.statusCode() == 202) {
                            counts.merge("stops acknowledged", 1, Integer::sum);
                        }
                    } else if (op < 60) {
                        String marker = "soak-create-" + random.nextInt(1_000_000);
                        String agent = sim.agentIds().get(random.nextInt(sim.agentIds().size()));
                        String body = "{\"agent_id\": \"" + agent + "\", \"prompt\": \"soak\", \"title\": \"" + marker + "\"}";
                        int tries = 1 + random.nextInt(2);
                        for (int t = 0; t < tries; t++) {
                            Response r = call(() -> given().baseUri(base).contentType(ContentType.JSON)
                                    .header("Idempotency-Key", marker).body(body).post("/tasks"));
                            if (r != null && (r.statusCode() == 201 || r.statusCode() == 200)) {
                                createMarkers.add(marker);
                            }
                        }
                        counts.merge("creates (with retries)", tries, Integer::sum);
                    } else if (op < 82) {
                        // Faults are consumed by requests, and an open circuit breaker makes none: keep the queue
                        // short so the run alternates between outages and recoveries instead of staying down.
                        if (sim.pendingFaults().stream().filter(f -> f.kind() != RouteKind.EVENTS).count() >= 3) {
                            continue;
                        }
                        RouteKind kind = FAULT_ROUTES.get(random.nextInt(FAULT_ROUTES.size()));
                        Fault.Builder f = Fault.on(kind).times(1 + random.nextInt(3));
                        switch (random.nextInt(kind.isList() ? 8 : 5)) {
                            case 0 -> f.status(500 + random.nextInt(4));
                            case 1 -> f.status(429).retryAfter("1");
                            case 2 -> f.reset();
                            case 3 -> f.malformed();
                            case 4 -> f.delayMillis(200 + random.nextInt(800));
                            case 5 -> f.omit(1 + random.nextInt(3));
                            case 6 -> f.duplicate();
                            default -> f.stale();
                        }
                        sim.enqueueFault(f.build());
                        counts.merge("faults injected", 1, Integer::sum);
                    } else if (op < 92) {
                        Response r = call(() -> given().baseUri(base).queryParam("limit", 100)
                                .queryParam("sort", "updated_at:desc").get("/tasks"));
                        if (r != null && r.statusCode() == 200) {
                            for (JsonNode t : MAPPER.readTree(r.asString()).get("items")) {
                                inv.observe(t);
                            }
                        }
                    } else if (op < 93) {
                        proxy.down();
                        Thread.sleep(500 + random.nextInt(1000));
                        proxy.up();
                        counts.merge("database drops", 1, Integer::sum);
                    } else if (op < 94 && random.nextInt(3) == 0) {
                        if (random.nextBoolean()) {
                            app.kill();
                            counts.merge("SIGKILLs", 1, Integer::sum);
                        } else {
                            app.terminate(Duration.ofSeconds(30));
                            counts.merge("SIGTERMs", 1, Integer::sum);
                        }
                        app = new AppProcess("soak-" + (++restarts), env).start();
                        inv = rebind(inv, sim, app.baseUrl());
                    }
                    Thread.sleep(random.nextInt(20));
                }
                sim.setLifecycleEnabled(false);
                proxy.up();
                inv.quiesce(null);
                inv.assertAll(acked, createMarkers);
                System.out.println("SOAK seed=" + seed + " duration=" + duration + " " + counts
                        + " saves lost=0 duplicates=0 (invariants I1-I6 hold)");
                assertThat(counts.getOrDefault("saves acknowledged", 0)).isPositive();
            } finally {
                app.close();
            }
        }
    }

    /** The observed history carries over a restart (I3 spans the whole run). */
    private static Invariants rebind(Invariants inv, XpanderSimulator sim, String baseUrl) {
        return inv.at(baseUrl);
    }

    /** A request that may meet a restarting service or a dropped database: null instead of an exception. */
    private static Response call(java.util.concurrent.Callable<Response> request) {
        try {
            Response r = request.call();
            assertThat(r.statusCode()).as("no 5xx other than 503 while the database is away").isIn(
                    200, 201, 202, 304, 404, 409, 412, 422, 503);
            return r;
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            return null;
        }
    }
}
