package dev.taskmirror.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Filters, sorts, views, totals, stats, bulk get and conditional GET over the real database. */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryFeaturesTest {

    @Inject
    MirrorFixture fx;
    @Inject
    ObjectMapper mapper;

    XpanderSimulator sim;
    List<JsonNode> all;

    @BeforeAll
    void seed() throws Exception {
        sim = fx.reset(SimulatorOptions.builder().agents(3).tasks(240).seed(7).build());
        sim.setLifecycleEnabled(false);
        fx.sync(CycleKind.FULL);
    }

    /** Tests may add or edit tasks: every test compares against a fresh snapshot of the whole mirror. */
    @BeforeEach
    void snapshot() throws Exception {
        sim.setLifecycleEnabled(false);
        all = new ArrayList<>();
        for (JsonNode n : mapper.readTree(given().queryParam("limit", 500).get("/tasks").asString()).get("items")) {
            all.add(n);
        }
        assertThat(all).hasSizeGreaterThanOrEqualTo(240);
    }

    private List<String> ids(Predicate<JsonNode> p) {
        return all.stream().filter(p).map(n -> n.get("id").asText()).sorted().toList();
    }

    private List<String> query(Map<String, Object> params) {
        List<String> out = new ArrayList<>(given().queryParams(params).queryParam("limit", 500).get("/tasks").then()
                .statusCode(200).extract().jsonPath().getList("items.id", String.class));
        out.sort(null);
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    @Test
    void everyFilterMatchesABruteForceSelection() {
        JsonNode sample = all.stream().filter(n -> text(n, "source") != null && n.path("input").path("user").hasNonNull("id"))
                .findFirst().orElseThrow();
        String source = text(sample, "source");
        String user = sample.path("input").path("user").path("id").asText();
        String agent = text(sample, "agent_id");
        Instant mid = Instant.parse(text(all.get(120), "created_at"));

        assertThat(query(Map.of("source", source))).isEqualTo(ids(n -> source.equals(text(n, "source"))));
        assertThat(query(Map.of("user_id", user))).isEqualTo(ids(n -> user.equals(n.path("input").path("user").path("id").asText(null))));
        assertThat(query(Map.of("agent_id", agent, "status", "completed,failed")))
                .isEqualTo(ids(n -> agent.equals(text(n, "agent_id")) && List.of("completed", "failed").contains(text(n, "status"))));
        assertThat(query(Map.of("output_format", "json"))).isEqualTo(ids(n -> "json".equals(text(n, "output_format"))));
        assertThat(query(Map.of("has_result", "true"))).isEqualTo(ids(n -> text(n, "result") != null));
        assertThat(query(Map.of("has_result", "false"))).isEqualTo(ids(n -> text(n, "result") == null));
        assertThat(query(Map.of("is_manually_stopped", "true"))).isEqualTo(ids(n -> n.path("is_manually_stopped").asBoolean()));
        assertThat(query(Map.of("created_after", mid.toString())))
                .isEqualTo(ids(n -> !Instant.parse(text(n, "created_at")).isBefore(mid)));
        assertThat(query(Map.of("created_before", mid.toString())))
                .isEqualTo(ids(n -> Instant.parse(text(n, "created_at")).isBefore(mid)));
        assertThat(query(Map.of("updated_after", mid.toString())))
                .isEqualTo(ids(n -> !Instant.parse(text(n, "updated_at")).isBefore(mid)));
        assertThat(query(Map.of("finished_before", mid.toString())))
                .isEqualTo(ids(n -> text(n, "finished_at") != null && Instant.parse(text(n, "finished_at")).isBefore(mid)));
        assertThat(query(Map.of("finished_after", mid.toString())))
                .isEqualTo(ids(n -> text(n, "finished_at") != null && !Instant.parse(text(n, "finished_at")).isBefore(mid)));
    }

    @Test
    void internalStatusAndTriggeringAgentFilters() {
        String id = text(all.get(3), "id");
        sim.mutate(id, t -> t.put("internal_status", "qa-zz-unique"));
        fx.sync(CycleKind.FULL);
        assertThat(query(Map.of("internal_status", "qa-zz-unique"))).containsExactly(id);
        String agent = sim.agentIds().get(2);
        ObjectNode triggered = sim.createTask(sim.agentIds().get(0), r -> r.put("triggering_agent_id", agent));
        fx.sync(CycleKind.FULL);
        assertThat(query(Map.of("triggering_agent_id", agent))).contains(triggered.get("id").asText());
    }

    @Test
    void fullTextSearchFindsTitlePromptAndResult() {
        String id = text(all.get(10), "id");
        sim.mutate(id, t -> {
            t.put("title", "Quarterly zeppelin inventory");
            ((ObjectNode) t.get("input")).put("text", "Count the marmalade barrels in the depot");
            t.put("result", "Found seventeen pelicans");
        });
        fx.sync(CycleKind.FULL);
        assertThat(query(Map.of("q", "zeppelin"))).containsExactly(id);
        assertThat(query(Map.of("q", "marmalade barrel"))).as("stemmed prompt words").containsExactly(id);
        assertThat(query(Map.of("q", "pelican"))).containsExactly(id);
        assertThat(query(Map.of("q", "\"seventeen pelicans\""))).containsExactly(id);
        assertThat(query(Map.of("q", "zeppelin -pelicans"))).isEmpty();
        assertThat(query(Map.of("q", "'; drop table task; --"))).isEmpty();
        given().get("/tasks/" + id).then().statusCode(200);
    }

    @Test
    void everySortAndDirectionPagesConsistently() {
        for (String field : List.of("created_at", "updated_at", "finished_at")) {
            for (String dir : List.of("asc", "desc")) {
                List<String> seen = new ArrayList<>();
                List<String> values = new ArrayList<>();
                String cursor = null;
                do {
                    var req = given().queryParam("sort", field + ":" + dir).queryParam("limit", 37);
                    if (cursor != null) {
                        req.queryParam("cursor", cursor);
                    }
                    JsonPath page = req.get("/tasks").then().statusCode(200).extract().jsonPath();
                    seen.addAll(page.getList("items.id", String.class));
                    values.addAll(page.getList("items." + field, String.class));
                    cursor = page.getString("next_cursor");
                } while (cursor != null);
                assertThat(seen).as(field + " " + dir).hasSize(all.size()).doesNotHaveDuplicates();
                // nulls sort as the largest value: last ascending, first descending
                Comparator<String> byValue = Comparator.nullsLast(Comparator.comparing(Instant::parse));
                List<String> expected = new ArrayList<>(values);
                expected.sort(dir.equals("asc") ? byValue : byValue.reversed());
                assertThat(values).as(field + " " + dir + " order").isEqualTo(expected);
            }
        }
    }

    @Test
    void cursorPagingSurvivesConcurrentInserts() {
        List<String> seen = new ArrayList<>();
        JsonPath page = given().queryParam("limit", 50).get("/tasks").then().extract().jsonPath();
        seen.addAll(page.getList("items.id", String.class));
        String cursor = page.getString("next_cursor");
        for (int i = 0; i < 5; i++) {
            sim.createTask(sim.agentIds().get(i % 3));
        }
        fx.sync(CycleKind.FULL);
        while (cursor != null) {
            page = given().queryParam("limit", 50).queryParam("cursor", cursor).get("/tasks").then().extract().jsonPath();
            seen.addAll(page.getList("items.id", String.class));
            cursor = page.getString("next_cursor");
        }
        assertThat(seen).as("the tasks present at the start, no gap, no duplicate; newer inserts land before the cursor")
                .hasSize(all.size()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids(n -> true));
    }

    @Test
    void summaryAndFieldViews() {
        String id = text(all.get(0), "id");
        JsonPath summary = given().queryParam("view", "summary").queryParam("id", id).get("/tasks").then()
                .statusCode(200).extract().jsonPath();
        Map<String, Object> s = summary.getMap("items[0]");
        assertThat(s).containsKeys("id", "agent_id", "status", "title", "created_at", "updated_at", "tokens", "mirror",
                "has_result", "user_id").doesNotContainKeys("input", "result", "output_schema", "mcp_servers",
                        "additional_context", "expected_output", "instructions_override");
        Map<String, Object> f = given().queryParam("fields", "status,title,mirror").queryParam("id", id).get("/tasks")
                .then().statusCode(200).extract().jsonPath().getMap("items[0]");
        assertThat(f).containsOnlyKeys("id", "status", "title", "mirror");
        given().queryParam("fields", "status;drop").get("/tasks").then().statusCode(400);
        given().queryParam("view", "huge").get("/tasks").then().statusCode(400);
    }

    @Test
    void totalsAreExactBelowTheCap() {
        given().queryParam("include_total", "true").queryParam("status", "completed").queryParam("limit", 5)
                .get("/tasks").then().statusCode(200)
                .body("total", equalTo(ids(n -> "completed".equals(text(n, "status"))).size()))
                .body("total_is_estimate", equalTo(false));
        given().get("/tasks").then().body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("total")));
    }

    @Test
    void statsMatchABruteForceCount() {
        String agent = sim.agentIds().get(1);
        Map<String, Integer> byStatus = new HashMap<>();
        Map<String, Integer> byAgent = new HashMap<>();
        Map<String, Integer> byDay = new HashMap<>();
        ZoneId zone = ZoneId.of("America/New_York");
        long prompt = 0, total = 0;
        List<Double> durations = new ArrayList<>();
        for (JsonNode n : all) {
            byStatus.merge(text(n, "status"), 1, Integer::sum);
            byAgent.merge(text(n, "agent_id"), 1, Integer::sum);
            byDay.merge(Instant.parse(text(n, "created_at")).atZone(zone).truncatedTo(ChronoUnit.DAYS).toOffsetDateTime()
                    .toString(), 1, Integer::sum);
            JsonNode tokens = n.get("tokens");
            if (tokens != null && tokens.isObject()) {
                prompt += tokens.path("prompt_tokens").asLong();
                total += tokens.path("total_tokens").asLong();
            }
            if (List.of("completed", "failed", "error", "stopped").contains(text(n, "status"))
                    && text(n, "started_at") != null && text(n, "finished_at") != null) {
                double d = (Instant.parse(text(n, "finished_at")).toEpochMilli()
                        - Instant.parse(text(n, "started_at")).toEpochMilli()) / 1000.0;
                if (d >= 0) {
                    durations.add(d);
                }
            }
        }
        JsonPath stats = given().queryParam("tz", "America/New_York").get("/tasks/stats").then().statusCode(200)
                .header("ETag", notNullValue()).extract().jsonPath();
        assertThat(stats.getLong("total")).isEqualTo(all.size());
        assertThat(stats.getMap("by_status", String.class, Integer.class)).isEqualTo(byStatus);
        Map<String, Integer> agents = new HashMap<>();
        for (Map<String, Object> a : stats.<Map<String, Object>> getList("by_agent")) {
            agents.put((String) a.get("agent_id"), ((Number) a.get("count")).intValue());
        }
        assertThat(agents).isEqualTo(byAgent);
        Map<String, Integer> days = new HashMap<>();
        for (Map<String, Object> b : stats.<Map<String, Object>> getList("by_time")) {
            days.put(java.time.OffsetDateTime.parse((String) b.get("start")).toString(), ((Number) b.get("count")).intValue());
        }
        assertThat(days).isEqualTo(byDay);
        assertThat(stats.getLong("tokens.prompt")).isEqualTo(prompt);
        assertThat(stats.getLong("tokens.total")).isEqualTo(total);
        durations.sort(null);
        assertThat(stats.getLong("duration_seconds.count")).isEqualTo(durations.size());
        assertThat(stats.getDouble("duration_seconds.p50")).isCloseTo(percentile(durations, 0.5),
                org.assertj.core.data.Offset.offset(0.01));
        assertThat(stats.getDouble("duration_seconds.p95")).isCloseTo(percentile(durations, 0.95),
                org.assertj.core.data.Offset.offset(0.01));

        long agentCount = all.stream().filter(n -> agent.equals(text(n, "agent_id"))).count();
        given().queryParam("agent_id", agent).get("/tasks/stats").then().body("total", equalTo((int) agentCount))
                .body("by_agent.agent_id", everyItem(equalTo(agent)));
        given().queryParam("tz", "Mars/Olympus").get("/tasks/stats").then().statusCode(400);
        given().queryParam("bucket", "fortnight").get("/tasks/stats").then().statusCode(400);
        given().queryParam("bucket", "hour").get("/tasks/stats").then().statusCode(200).body("bucket", equalTo("hour"));
    }

    private static double percentile(List<Double> sorted, double p) {
        double rank = p * (sorted.size() - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (rank - lo);
    }

    @Test
    void bulkGetReportsMissingIds() {
        List<String> wanted = List.of(text(all.get(5), "id"), "nope-1", text(all.get(7), "id"), "nope-2");
        given().contentType(ContentType.JSON).body(Map.of("ids", wanted)).post("/tasks/batch-get").then().statusCode(200)
                .body("items.id", equalTo(List.of(wanted.get(0), wanted.get(2))))
                .body("missing", equalTo(List.of("nope-1", "nope-2")));
        given().queryParam("id", wanted.get(0)).queryParam("id", "nope-1").get("/tasks").then()
                .body("items.id", equalTo(List.of(wanted.get(0)))).body("missing", equalTo(List.of("nope-1")));
        given().contentType(ContentType.JSON).body(Map.of("ids", List.of())).post("/tasks/batch-get").then()
                .statusCode(422);
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            tooMany.add("id-" + i);
        }
        given().contentType(ContentType.JSON).body(Map.of("ids", tooMany)).post("/tasks/batch-get").then().statusCode(422);
    }

    @Test
    void conditionalGetAnswers304UntilSomethingChanges() {
        String id = text(all.get(2), "id");
        Response first = given().get("/tasks/" + id);
        String etag = first.header("ETag");
        assertThat(first.header("Cache-Control")).isNotBlank();
        given().header("If-None-Match", etag).get("/tasks/" + id).then().statusCode(304).header("ETag", etag);

        String listEtag = given().queryParam("agent_id", sim.agentIds().get(0)).get("/tasks").header("ETag");
        given().queryParam("agent_id", sim.agentIds().get(0)).header("If-None-Match", listEtag).get("/tasks").then()
                .statusCode(304);
        String statsEtag = given().get("/tasks/stats").header("ETag");
        given().header("If-None-Match", statsEtag).get("/tasks/stats").then().statusCode(304);

        sim.mutate(id, t -> t.put("title", "changed for etag"));
        ObjectNode added = sim.createTask(sim.agentIds().get(0));
        fx.sync(CycleKind.FULL);
        given().header("If-None-Match", etag).get("/tasks/" + id).then().statusCode(200)
                .header("ETag", org.hamcrest.Matchers.not(etag));
        given().queryParam("agent_id", sim.agentIds().get(0)).header("If-None-Match", listEtag).get("/tasks").then()
                .statusCode(200).body("items.id", hasItem(added.get("id").asText()));
        given().header("If-None-Match", statsEtag).get("/tasks/stats").then().statusCode(200);
    }

    @Test
    void exportStreamsEveryMatchingTaskAsNdjsonOrCsv() throws Exception {
        String ndjson = given().accept("application/x-ndjson").queryParam("status", "completed").get("/tasks").then()
                .statusCode(200).contentType(org.hamcrest.Matchers.startsWith("application/x-ndjson")).extract().asString();
        List<String> lines = ndjson.lines().toList();
        assertThat(lines).hasSize(ids(n -> "completed".equals(text(n, "status"))).size());
        assertThat(mapper.readTree(lines.get(0)).get("status").asText()).isEqualTo("completed");

        String csv = given().accept("text/csv").get("/tasks").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
        assertThat(csv.lines().findFirst().orElseThrow()).startsWith("id,agent_id,status");
        assertThat(csv.split("\r\n")).hasSize(all.size() + 1);
        String fields = given().accept("text/csv").queryParam("fields", "status,title").queryParam("limit", 3)
                .get("/tasks").then().statusCode(200).extract().asString();
        assertThat(fields.lines().findFirst().orElseThrow()).isEqualTo("id,status,title");

        given().accept(ContentType.JSON).get("/tasks").then().contentType(ContentType.JSON).body("items", notNullValue());
        given().get("/tasks").then().contentType(ContentType.JSON);
    }

    @Test
    void csvCellsCannotInjectFormulas() {
        String id = text(all.get(20), "id");
        sim.mutate(id, t -> t.put("title", "=HYPERLINK(\"http://evil\")"));
        fx.sync(CycleKind.FULL);
        String csv = given().accept("text/csv").queryParam("id", id).get("/tasks").then().extract().asString();
        assertThat(csv).contains("\"'=HYPERLINK(\"\"http://evil\"\")\"").doesNotContain(",=HYPERLINK");
        given().queryParam("id", id).get("/tasks").then().body("items.title", hasItem("=HYPERLINK(\"http://evil\")"));
    }
}
