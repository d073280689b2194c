package dev.taskmirror.attachment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import dev.taskmirror.result.DerivedBackfill;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Attachments and structured results end to end: simulator tasks with mixed file URLs and JSON results (valid,
 * breaking the schema, not JSON), mirrored into the real database; the derived section, filters, stats, views,
 * the attachments endpoint with HEAD probing against a local HTTP server, and the start-up backfill.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttachmentsAndResultsTest {

    /** The simulator's first output schema. */
    static final String SCHEMA = """
            {"type":"object","properties":{"summary":{"type":"string"},"score":{"type":"number"},
             "tags":{"type":"array","items":{"type":"string"}}},"required":["summary","score"]}""";

    @Inject
    MirrorFixture fx;
    @Inject
    ObjectMapper mapper;
    @Inject
    DerivedBackfill backfill;
    @Inject
    HeadProber prober;

    XpanderSimulator sim;
    HttpServer files;
    String filesBase;
    final Map<String, AtomicInteger> fileHits = new ConcurrentHashMap<>();
    String validId;
    String invalidId;
    String proseId;
    String markdownId;
    String probeId;
    String mutableId;

    @BeforeAll
    void seed() throws IOException {
        files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        files.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            fileHits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            if (path.equals("/docs/q3.pdf")) {
                ex.getResponseHeaders().add("Content-Type", "application/pdf");
                ex.getResponseHeaders().add("Content-Length", "482113");
                ex.sendResponseHeaders(200, -1);
            } else if (path.equals("/moved.png")) {
                ex.getResponseHeaders().add("Location", "/img/chart.png");
                ex.sendResponseHeaders(302, -1);
            } else if (path.equals("/img/chart.png")) {
                ex.getResponseHeaders().add("Content-Type", "image/png");
                ex.getResponseHeaders().add("Content-Length", "2048");
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
            ex.close();
        });
        files.start();
        filesBase = "http://127.0.0.1:" + files.getAddress().getPort();

        sim = fx.reset(SimulatorOptions.builder().agents(2).tasks(200).seed(8).build());
        sim.setLifecycleEnabled(false);
        String agent = sim.agentIds().get(0);
        validId = jsonTask(agent, List.of("https://files.example.com/q3.pdf", "https://files.example.com/chart.PNG?x=1"),
                "{\"summary\":\"Revenue up\",\"score\":0.93,\"tags\":[\"finance\"]}");
        invalidId = jsonTask(agent, List.of(), "{\"summary\":\"Revenue up\",\"score\":\"high\"}");
        proseId = jsonTask(agent, List.of("https://files.example.com/notes.md"),
                "Sorry, I could not produce JSON for this request.");
        mutableId = jsonTask(agent, List.of(), "{\"summary\":1}");
        ObjectNode md = sim.createTask(agent, r -> {
            r.put("output_format", "markdown");
            r.remove("output_schema");
            ((ObjectNode) r.get("input")).putArray("files").add("https://files.example.com/voice/memo.mp3");
        });
        markdownId = md.get("id").asText();
        sim.finish(markdownId, "completed", "## Q3\n- Revenue up 12%");
        ObjectNode probe = sim.createTask(sim.agentIds().get(1), r -> {
            ArrayNode f = ((ObjectNode) r.get("input")).putArray("files");
            f.add(filesBase + "/docs/q3.pdf");
            f.add(filesBase + "/moved.png");
            f.add(filesBase + "/missing/export.CSV?sig=1");
            f.add("http://localhost:" + files.getAddress().getPort() + "/docs/q3.pdf");
            f.add("ftp://files.example.com/archive.zip");
        });
        probeId = probe.get("id").asText();
        fx.sync(CycleKind.FULL);
    }

    @AfterAll
    void stop() {
        files.stop(0);
    }

    private String jsonTask(String agent, List<String> urls, String result) {
        ObjectNode t = sim.createTask(agent, r -> {
            r.put("output_format", "json");
            r.set("output_schema", read(SCHEMA));
            ArrayNode f = ((ObjectNode) r.get("input")).putArray("files");
            urls.forEach(f::add);
        });
        String id = t.get("id").asText();
        sim.finish(id, "completed", result);
        return id;
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<JsonNode> all(String view) {
        List<JsonNode> out = new ArrayList<>();
        read(given().queryParam("limit", 500).queryParam("view", view).get("/tasks").then().statusCode(200)
                .extract().asString()).get("items").forEach(out::add);
        return out;
    }

    private JsonNode task(String id) {
        return read(given().get("/tasks/" + id).then().statusCode(200).extract().asString());
    }

    private List<String> query(Map<String, ?> params) {
        List<String> ids = new ArrayList<>(given().queryParams(params).queryParam("limit", 500).get("/tasks").then()
                .statusCode(200).extract().jsonPath().getList("items.id", String.class));
        ids.sort(null);
        return ids;
    }

    private static List<String> ids(List<JsonNode> tasks, Predicate<JsonNode> p) {
        return tasks.stream().filter(p).map(t -> t.get("id").asText()).sorted().toList();
    }

    /** Expected per-category counts, from the URLs (the rules themselves are checked in AttachmentCategoriesTest). */
    private static Map<String, Integer> expectedCategories(JsonNode task) {
        Map<String, Integer> m = new HashMap<>();
        AttachmentCategory.VALUES.forEach(c -> m.put(c, 0));
        for (String url : Attachments.urls(task.path("input").path("files"))) {
            m.merge(Attachments.category(url).wire(), 1, Integer::sum);
        }
        return m;
    }

    private static boolean judged(JsonNode t) {
        return "json".equals(t.path("output_format").asText()) && t.hasNonNull("result")
                && !List.of("error", "failed").contains(t.path("status").asText());
    }

    @Test
    void everyTaskCarriesItsDerivedSection() {
        List<JsonNode> tasks = all("full");
        assertThat(tasks).hasSizeGreaterThanOrEqualTo(206);
        int valid = 0, breaking = 0, notJson = 0;
        Map<String, Integer> seenCategories = new HashMap<>();
        for (JsonNode t : tasks) {
            JsonNode d = t.get("derived");
            Map<String, Integer> expected = expectedCategories(t);
            assertThat(d.get("attachment_count").asInt()).as(t.get("id").asText())
                    .isEqualTo(t.path("input").path("files").size());
            expected.forEach((c, n) -> {
                assertThat(d.get("attachments_by_category").get(c).asInt()).as(c).isEqualTo(n);
                seenCategories.merge(c, n, Integer::sum);
            });
            if (!judged(t)) {
                assertThat(d.get("result_valid").isNull()).as("not judged: " + t.get("id")).isTrue();
                assertThat(d.get("result_json").isNull()).isTrue();
                assertThat(d.get("result_errors").isNull()).isTrue();
                continue;
            }
            JsonNode parsed;
            try {
                parsed = mapper.readTree(t.get("result").asText());
            } catch (IOException e) {
                parsed = null;
            }
            if (parsed == null) {
                notJson++;
                assertThat(d.get("result_valid").asBoolean(true)).isFalse();
                assertThat(d.get("result_json").isNull()).isTrue();
                assertThat(d.get("result_errors").get(0).asText()).startsWith("not JSON");
            } else if (d.get("result_valid").asBoolean()) {
                valid++;
                assertThat(d.get("result_json")).isEqualTo(parsed);
                assertThat(d.get("result_errors").isNull()).isTrue();
            } else {
                breaking++;
                assertThat(d.get("result_valid").isBoolean()).isTrue();
                assertThat(d.get("result_json")).as("a result breaking the schema is still parsed").isEqualTo(parsed);
                assertThat(d.get("result_errors").size()).isPositive();
            }
        }
        assertThat(valid).as("valid results").isGreaterThan(1);
        assertThat(breaking).as("results breaking the schema").isGreaterThan(1);
        assertThat(notJson).as("results that are not JSON").isGreaterThan(1);
        assertThat(seenCategories).allSatisfy((c, n) -> assertThat(n).as(c).isPositive());
    }

    @Test
    void structuredResultsAreServedParsedAndJudged() {
        JsonNode ok = task(validId);
        assertThat(ok.get("result").asText()).as("the raw string stays").startsWith("{\"summary\"");
        assertThat(ok.at("/derived/result_valid").asBoolean()).isTrue();
        assertThat(ok.at("/derived/result_json/score").decimalValue()).isEqualByComparingTo("0.93");
        assertThat(ok.at("/derived/result_json/tags/0").asText()).isEqualTo("finance");
        assertThat(ok.at("/derived/attachments_by_category/document").asInt()).isEqualTo(1);
        assertThat(ok.at("/derived/attachments_by_category/image").asInt()).isEqualTo(1);

        JsonNode bad = task(invalidId);
        assertThat(bad.at("/derived/result_valid").asBoolean(true)).isFalse();
        assertThat(bad.at("/derived/result_json/score").asText()).isEqualTo("high");
        assertThat(bad.at("/derived/result_errors").toString()).isEqualTo("[\"/score: string found, number expected\"]");

        JsonNode prose = task(proseId);
        assertThat(prose.at("/derived/result_valid").asBoolean(true)).isFalse();
        assertThat(prose.at("/derived/result_json").isNull()).isTrue();
        assertThat(prose.at("/derived/result_errors/0").asText()).startsWith("not JSON: Unrecognized token 'Sorry'");

        JsonNode md = task(markdownId);
        assertThat(md.get("output_format").asText()).isEqualTo("markdown");
        assertThat(md.get("result").asText()).as("markdown as is").isEqualTo("## Q3\n- Revenue up 12%");
        assertThat(md.at("/derived/result_valid").isNull()).isTrue();
        assertThat(md.at("/derived/attachments_by_category/audio").asInt()).isEqualTo(1);

        JsonNode fields = read(given().queryParam("id", invalidId).queryParam("fields", "derived").get("/tasks")
                .then().statusCode(200).extract().asString()).get("items").get(0);
        assertThat(fields.get("derived").get("result_valid").asBoolean(true)).isFalse();
        assertThat(fields.has("result")).isFalse();
    }

    @Test
    void filtersMatchABruteForceSelection() {
        List<JsonNode> tasks = all("full");
        Predicate<JsonNode> hasFiles = t -> t.path("input").path("files").size() > 0;
        assertThat(query(Map.of("has_attachments", "true"))).isEqualTo(ids(tasks, hasFiles));
        assertThat(query(Map.of("has_attachments", "false"))).isEqualTo(ids(tasks, hasFiles.negate()));
        assertThat(query(Map.of("attachment_category", "image")))
                .isEqualTo(ids(tasks, t -> expectedCategories(t).get("image") > 0));
        assertThat(query(Map.of("attachment_category", "audio,other")))
                .isEqualTo(ids(tasks, t -> expectedCategories(t).get("audio") + expectedCategories(t).get("other") > 0));
        List<String> docOrText = new ArrayList<>(given().queryParam("attachment_category", "document", "text")
                .queryParam("limit", 500).get("/tasks").then().statusCode(200).extract().jsonPath()
                .getList("items.id", String.class));
        docOrText.sort(null);
        assertThat(docOrText).as("repeated parameter")
                .isEqualTo(ids(tasks, t -> expectedCategories(t).get("document") + expectedCategories(t).get("text") > 0));
        Predicate<JsonNode> valid = t -> t.at("/derived/result_valid").asBoolean(false);
        Predicate<JsonNode> invalid = t -> t.at("/derived/result_valid").isBoolean() && !valid.test(t);
        assertThat(query(Map.of("result_valid", "true"))).isEqualTo(ids(tasks, valid)).contains(validId);
        assertThat(query(Map.of("result_valid", "false"))).isEqualTo(ids(tasks, invalid)).contains(invalidId, proseId)
                .doesNotContain(markdownId);
        String agent = sim.agentIds().get(0);
        assertThat(query(Map.of("result_valid", "false", "agent_id", agent, "has_attachments", "true")))
                .isEqualTo(ids(tasks, t -> invalid.test(t) && hasFiles.test(t) && agent.equals(t.get("agent_id").asText())));
        assertThat(given().queryParam("result_valid", "false").queryParam("limit", 500)
                .queryParam("view", "summary").get("/tasks").then().statusCode(200).extract().jsonPath()
                .getList("items.result_valid", Boolean.class)).isNotEmpty().containsOnly(false);
    }

    @Test
    void statsCountAttachmentsAndResults() {
        List<JsonNode> tasks = all("full");
        JsonPath stats = given().get("/tasks/stats").then().statusCode(200).extract().jsonPath();
        assertThat(stats.getLong("attachments.total"))
                .isEqualTo(tasks.stream().mapToLong(t -> t.path("input").path("files").size()).sum());
        assertThat(stats.getLong("attachments.tasks_with_attachments"))
                .isEqualTo(tasks.stream().filter(t -> t.path("input").path("files").size() > 0).count());
        for (String c : AttachmentCategory.VALUES) {
            assertThat(stats.getLong("attachments.by_category." + c)).as(c)
                    .isEqualTo(tasks.stream().mapToLong(t -> expectedCategories(t).get(c)).sum());
        }
        long valid = tasks.stream().filter(t -> t.at("/derived/result_valid").asBoolean(false)).count();
        long invalid = tasks.stream().filter(t -> t.at("/derived/result_valid").isBoolean()
                && !t.at("/derived/result_valid").asBoolean()).count();
        assertThat(stats.getLong("results.valid")).isEqualTo(valid);
        assertThat(stats.getLong("results.invalid")).isEqualTo(invalid);
        assertThat(stats.getLong("results.checked")).isEqualTo(valid + invalid);

        JsonPath onlyImages = given().queryParam("attachment_category", "image").get("/tasks/stats").then()
                .statusCode(200).extract().jsonPath();
        assertThat(onlyImages.getLong("total"))
                .isEqualTo(tasks.stream().filter(t -> expectedCategories(t).get("image") > 0).count());
        assertThat(given().queryParam("result_valid", "false").get("/tasks/stats").then().statusCode(200).extract()
                .jsonPath().getLong("results.valid")).isZero();
    }

    @Test
    void theSummaryCarriesTheCheapDerivedValuesOnly() {
        Map<String, JsonNode> full = new HashMap<>();
        all("full").forEach(t -> full.put(t.get("id").asText(), t));
        for (JsonNode s : all("summary")) {
            JsonNode f = full.get(s.get("id").asText());
            assertThat(s.get("attachment_count")).isEqualTo(f.at("/derived/attachment_count"));
            assertThat(s.get("result_valid")).isEqualTo(f.at("/derived/result_valid"));
            assertThat(s.has("derived") || s.has("input") || s.has("result") || s.has("output_schema")
                    || s.has("additional_context") || s.has("expected_output") || s.has("instructions_override"))
                    .as("large fields stay out of the summary").isFalse();
        }
    }

    @Test
    void derivedValuesFollowTheTask() {
        String id = mutableId;
        assertThat(task(id).at("/derived/result_valid").asBoolean(true)).isFalse();
        String etag = given().get("/tasks/" + id).then().extract().header("ETag");
        sim.mutate(id, t -> {
            t.put("result", "{\"summary\":\"fixed\",\"score\":3}");
            ((ObjectNode) t.get("input")).putArray("files").add("https://files.example.com/a.yaml")
                    .add("https://files.example.com/b.gif");
        });
        fx.sync(CycleKind.FULL);
        JsonNode t = task(id);
        assertThat(t.at("/derived/result_valid").asBoolean()).isTrue();
        assertThat(t.at("/derived/result_errors").isNull()).isTrue();
        assertThat(t.at("/derived/attachments_by_category/text").asInt()).isEqualTo(1);
        assertThat(t.at("/derived/attachments_by_category/image").asInt()).isEqualTo(1);
        assertThat(given().get("/tasks/" + id).then().extract().header("ETag")).isNotEqualTo(etag);

        // A local save of the result is judged at once, while it is pending.
        String body = given().contentType(ContentType.JSON).body("{\"result\": \"[1, 2\"}").patch("/tasks/" + id)
                .then().statusCode(202).extract().asString();
        JsonNode pending = read(body);
        assertThat(pending.at("/mirror/sync_state").asText()).isEqualTo("pending");
        assertThat(pending.at("/derived/result_valid").asBoolean(true)).isFalse();
        assertThat(pending.at("/derived/result_errors/0").asText()).startsWith("not JSON");
        fx.drainOutbox();
        sim.mutate(id, x -> x.put("result", "{\"summary\":\"final\",\"score\":1}"));
        fx.sync(CycleKind.FULL);
        assertThat(task(id).at("/derived/result_json/summary").asText()).isEqualTo("final");
    }

    @Test
    void theBackfillRederivesOldRowsAndLeavesCurrentOnesAlone() {
        JsonNode before = task(validId).get("derived");
        JsonNode untouched = task(proseId);
        exec("update task set attachment_count = 0, attachments_document = 0, attachments_image = 0, "
                + "result_json = null, result_valid = null, result_errors = null, derived_rev = 0 where id = ?1", validId);
        exec("update task set derived_rev = 0 where id = ?1", proseId);
        assertThat(task(validId).at("/derived/result_valid").isNull()).as("stale until re-derived").isTrue();

        assertThat(backfill.run()).isEqualTo(2);
        assertThat(task(validId).get("derived")).isEqualTo(before);
        JsonNode prose = task(proseId);
        assertThat(prose.at("/mirror/version")).as("nothing served changed: same version")
                .isEqualTo(untouched.at("/mirror/version"));
        assertThat(fx.count("select count(*) from task where derived_rev < " + DerivedBackfill.REVISION)).isZero();
        assertThat(backfill.run()).isZero();
    }

    private void exec(String sql, String id) {
        fx.text("with u as (" + sql + " returning 1) select count(*) from u", id);
    }

    @Test
    void theAttachmentsEndpointListsAndProbes() {
        JsonPath plain = given().get("/tasks/" + probeId + "/attachments").then().statusCode(200).extract().jsonPath();
        assertThat(plain.getInt("count")).isEqualTo(5);
        assertThat(plain.getMap("by_category")).containsEntry("document", 2).containsEntry("image", 1)
                .containsEntry("text", 1).containsEntry("other", 1).containsEntry("audio", 0);
        assertThat(plain.getList("items.category")).containsExactly("document", "image", "text", "document", "other");
        assertThat(plain.getList("items.file_name")).containsExactly("q3.pdf", "moved.png", "export.CSV", "q3.pdf",
                "archive.zip");
        assertThat(plain.getList("items.extension")).containsExactly("pdf", "png", "csv", "pdf", "zip");
        assertThat(plain.getList("items.probe")).containsOnlyNulls();
        assertThat(fileHits).as("no probe without probe=true").isEmpty();

        JsonPath probed = given().queryParam("probe", "true").get("/tasks/" + probeId + "/attachments").then()
                .statusCode(200).extract().jsonPath();
        assertThat(probed.getList("items.probe.status")).containsExactly("ok", "ok", "http_error", "refused", "refused");
        assertThat(probed.getLong("items[0].size")).isEqualTo(482113L);
        assertThat(probed.getString("items[0].content_type")).isEqualTo("application/pdf");
        assertThat(probed.getString("items[1].content_type")).as("after a redirect").isEqualTo("image/png");
        assertThat(probed.getInt("items[2].probe.http_status")).isEqualTo(404);
        assertThat(probed.getString("items[3].probe.error")).contains("non-public address");
        assertThat(probed.getString("items[4].probe.error")).contains("only http and https");
        assertThat(fileHits.keySet()).containsExactlyInAnyOrder("/docs/q3.pdf", "/moved.png", "/img/chart.png",
                "/missing/export.CSV");

        JsonPath again = given().queryParam("probe", "1").get("/tasks/" + probeId + "/attachments").then()
                .statusCode(200).extract().jsonPath();
        assertThat(again.getList("items.probe.cached")).containsExactly(true, true, true, false, false);
        assertThat(fileHits.get("/docs/q3.pdf")).as("cached").hasValue(1);
        assertThat(again.getLong("items[0].size")).isEqualTo(482113L);
        prober.clearCache();

        JsonPath none = given().get("/tasks/" + markdownId + "/attachments").then().statusCode(200).extract().jsonPath();
        assertThat(none.getInt("count")).isEqualTo(1);
        assertThat(none.getString("items[0].category")).isEqualTo("audio");
    }

    @Test
    void badInputIsAProblem() {
        for (Map<String, String> params : List.of(Map.of("attachment_category", "video"),
                Map.of("attachment_category", "image,IMAGE"), Map.of("has_attachments", "maybe"),
                Map.of("result_valid", "perhaps"))) {
            String name = params.keySet().iterator().next();
            for (String path : List.of("/tasks", "/tasks/stats")) {
                given().queryParams(params).get(path).then().statusCode(400).contentType("application/problem+json")
                        .body("invalid_params[0].name", equalTo(name));
            }
        }
        given().queryParam("probe", "maybe").get("/tasks/" + validId + "/attachments").then().statusCode(400)
                .contentType("application/problem+json").body("invalid_params[0].name", equalTo("probe"));
        given().get("/tasks/no-such-task/attachments").then().statusCode(404).contentType("application/problem+json");
    }
}
