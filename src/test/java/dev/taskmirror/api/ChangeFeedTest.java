package dev.taskmirror.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The change feed, long polls, result waiting and the SSE stream over the real database. */
@QuarkusTest
class ChangeFeedTest {

    @Inject
    MirrorFixture fx;
    @Inject
    AgroalDataSource ds;
    @Inject
    ObjectMapper mapper;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    XpanderSimulator sim;
    List<String> ids;

    @BeforeEach
    void setUp() {
        sim = fx.reset(2, 20);
        sim.setLifecycleEnabled(false);
        fx.sync(CycleKind.FULL);
        ids = new ArrayList<>();
        sim.agentIds().forEach(a -> ids.addAll(sim.taskIds(a)));
    }

    private void touch(Connection c, String id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "update task set title = coalesce(title, '') || '+', version = version + 1 where id = ?")) {
            ps.setString(1, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private JsonPath changes(String since, int limit) {
        return given().queryParam("since", since).queryParam("limit", limit).get("/tasks/changes").then()
                .statusCode(200).extract().jsonPath();
    }

    @Test
    void readerFromTheStartReconstructsTheStore() {
        List<String> seen = new ArrayList<>();
        String cursor = "0";
        boolean more = true;
        while (more) {
            JsonPath page = changes(cursor, 7);
            seen.addAll(page.getList("changes.id", String.class));
            cursor = page.getString("next_cursor");
            more = page.getBoolean("has_more");
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(changes(cursor, 100).getList("changes")).isEmpty();
    }

    @Test
    void transactionsCommittingOutOfOrderAreNeitherSkippedNorRepeated() throws Exception {
        String cursor = changes("now", 0).getString("next_cursor");
        try (Connection older = ds.getConnection(); Connection newer = ds.getConnection()) {
            older.setAutoCommit(false);
            newer.setAutoCommit(false);
            touch(older, ids.get(0));      // gets the lower transaction id
            touch(newer, ids.get(1));
            newer.commit();                // ...but commits first

            JsonPath early = changes(cursor, 100);
            assertThat(early.getList("changes.id", String.class))
                    .as("the newer commit waits behind the older open transaction").isEmpty();
            cursor = early.getString("next_cursor");

            older.commit();
        }
        JsonPath page = changes(cursor, 100);
        assertThat(page.getList("changes.id", String.class)).containsExactlyInAnyOrder(ids.get(0), ids.get(1));
        assertThat(changes(page.getString("next_cursor"), 100).getList("changes")).isEmpty();
    }

    @Test
    void concurrentWritersNeverLeaveTheReaderBehindTheStore() throws Exception {
        String cursor = changes("now", 0).getString("next_cursor");
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            done.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 25; i++) {
                    try (Connection c = ds.getConnection()) {
                        c.setAutoCommit(false);
                        touch(c, ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
                        Thread.sleep(ThreadLocalRandom.current().nextInt(5));
                        c.commit();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, writers));
        }
        Map<String, Long> latest = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        while (!done.stream().allMatch(CompletableFuture::isDone)) {
            cursor = drain(cursor, latest, duplicates);
        }
        writers.shutdown();
        cursor = drain(cursor, latest, duplicates);
        assertThat(duplicates).as("the same version delivered twice").isEmpty();
        for (String id : latest.keySet()) {
            assertThat(latest.get(id)).isEqualTo(Long.parseLong(fx.text("select version from task where id = ?1", id)));
        }
        assertThat(fx.count("select count(*) from task where title like '%+'")).isEqualTo(latest.size());
    }

    private String drain(String cursor, Map<String, Long> latest, List<String> duplicates) {
        JsonPath page = changes(cursor, 50);
        List<Map<String, Object>> changes = page.getList("changes");
        for (Map<String, Object> c : changes) {
            String id = (String) c.get("id");
            @SuppressWarnings("unchecked")
            long v = ((Number) ((Map<String, Object>) ((Map<String, Object>) c.get("task")).get("mirror")).get("version"))
                    .longValue();
            Long prev = latest.put(id, v);
            if (prev != null && prev >= v) {
                duplicates.add(id + "@" + v);
            }
        }
        return page.getString("next_cursor");
    }

    @Test
    void longPollWakesUpOnAChange() throws Exception {
        String cursor = changes("now", 0).getString("next_cursor");
        long t0 = System.nanoTime();
        CompletableFuture<JsonPath> poll = CompletableFuture.supplyAsync(() -> given().queryParam("since", cursor)
                .queryParam("wait", "20s").get("/tasks/changes").then().statusCode(200).extract().jsonPath());
        Thread.sleep(700);
        assertThat(poll).isNotDone();
        sim.mutate(ids.get(3), t -> t.put("title", "wake up"));
        fx.sync(CycleKind.FULL);
        JsonPath page = poll.get(10, TimeUnit.SECONDS);
        assertThat(page.getList("changes.id", String.class)).containsExactly(ids.get(3));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));

        long t1 = System.nanoTime();
        given().queryParam("since", page.getString("next_cursor")).queryParam("wait", "1s").get("/tasks/changes")
                .then().statusCode(200).body("changes.size()", equalTo(0));
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void oldCursorBeyondRetentionIsGone() {
        String cursor = changes("0", 1).getString("next_cursor");
        fx.count("select 1 from (select 1) x");
        fx.text("update feed_state set purged_through_xid = pg_current_xact_id(), purged_through_seq = 0 "
                + "where id = 1 returning id");
        given().queryParam("since", cursor).get("/tasks/changes").then().statusCode(410)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("since=now"));
        fx.text("update feed_state set purged_through_xid = '0', purged_through_seq = 0 where id = 1 returning id");
        given().queryParam("since", "garbage").get("/tasks/changes").then().statusCode(400);
        given().queryParam("limit", "5000").get("/tasks/changes").then().statusCode(400);
    }

    @Test
    void waitReturnsWhenTheTaskFinishesWithoutHoldingThreads() throws Exception {
        String agent = sim.agentIds().get(0);
        String id = sim.createTask(agent, r -> r.put("title", "awaited")).get("id").asText();
        fx.sync(CycleKind.FULL);
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> waiters = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            waiters.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/tasks/" + id
                    + "?wait=30s")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters.stream().noneMatch(CompletableFuture::isDone));
        Thread.sleep(500);
        // 300 parked requests: more than the worker pool, yet other requests are served at once.
        long t0 = System.nanoTime();
        given().queryParam("limit", 5).get("/tasks").then().statusCode(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(waiters).noneMatch(CompletableFuture::isDone);

        sim.finish(id, "completed", "all done");
        fx.sync(CycleKind.HOT);
        for (CompletableFuture<HttpResponse<String>> w : waiters) {
            HttpResponse<String> r = w.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(mapper.readTree(r.body()).get("status").asText()).isEqualTo("completed");
        }
        long t1 = System.nanoTime();
        given().queryParam("wait", "1s").get("/tasks/" + ids.get(0)).then().statusCode(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).as("terminal already: no wait").isLessThan(Duration.ofMillis(900));
        given().queryParam("wait", "forever").get("/tasks/" + id).then().statusCode(400);
    }

    @Test
    void streamDeliversChangesAsServerSentEventsAndResumes() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpResponse<java.io.InputStream> resp = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/tasks/stream?view=summary")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(resp.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (Exception e) {
                // closed by the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.startsWith(":")));

        sim.mutate(ids.get(5), t -> t.put("title", "streamed"));
        fx.sync(CycleKind.FULL);
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> l.startsWith("data:")
                && l.contains(ids.get(5))));
        String id = lines.stream().filter(l -> l.startsWith("id:")).reduce((a, b) -> b).orElseThrow().substring(3).trim();
        String data = lines.stream().filter(l -> l.startsWith("data:")).reduce((a, b) -> b).orElseThrow().substring(5).trim();
        JsonNode change = mapper.readTree(data);
        assertThat(change.get("id").asText()).isEqualTo(ids.get(5));
        assertThat(change.get("task").get("title").asText()).isEqualTo("streamed");
        assertThat(lines).contains("event:change");
        resp.body().close();

        sim.mutate(ids.get(6), t -> t.put("title", "after reconnect"));
        fx.sync(CycleKind.FULL);
        List<String> resumed = new CopyOnWriteArrayList<>();
        HttpResponse<java.io.InputStream> again = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/tasks/stream")).header("Last-Event-ID", id).build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread reader2 = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(again.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    resumed.add(line);
                }
            } catch (Exception e) {
                // closed by the test
            }
        });
        reader2.setDaemon(true);
        reader2.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> resumed.stream().anyMatch(l -> l.contains(ids.get(6))));
        assertThat(resumed.stream().filter(l -> l.startsWith("data:") && l.contains("\"" + ids.get(5) + "\"")))
                .as("events up to Last-Event-ID are not replayed").isEmpty();
        again.body().close();
    }
}
