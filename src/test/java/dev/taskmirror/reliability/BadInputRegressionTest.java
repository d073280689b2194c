package dev.taskmirror.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.taskmirror.simulator.RecordedRequest;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * One named case per defect the generated bad input found ({@link BadInputFuzzTest}): each used to answer
 * 500, hang, leave rows behind or answer in the wrong shape.
 */
@QuarkusTest
class BadInputRegressionTest {

    static final String KEY = "test-write-key";

    @Inject
    MirrorFixture fx;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBodySize;

    XpanderSimulator sim;
    String agent;
    String task;

    @BeforeEach
    void setUp() {
        sim = fx.reset(1, 3);
        sim.setLifecycleEnabled(false);
        fx.sync(CycleKind.FULL);
        agent = sim.agentIds().get(0);
        task = sim.taskIds(agent).get(0);
    }

    private long rows(String table) {
        return fx.count("select count(*) from " + table);
    }

    @Test
    void aNulCharacterAnywhereIsA400NotA500() {
        given().urlEncodingEnabled(false).get("/tasks?user_id=a%00b").then().statusCode(400)
                .contentType("application/problem+json").body("status", equalTo(400))
                .body("type", containsString("unstorable-value"));
        given().urlEncodingEnabled(false).get("/tasks?id=a%00b").then().statusCode(400);
        given().urlEncodingEnabled(false).get("/tasks/stats?source=a%00b").then().statusCode(400);
        given().urlEncodingEnabled(false).get("/tasks/a%00b").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"ids\": [\"a\\u0000b\"]}").post("/tasks/batch-get").then()
                .statusCode(400);
        given().contentType(ContentType.JSON).body("{\"title\": \"a\\u0000b\"}").patch("/tasks/" + task).then()
                .statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"agent_id\": \"" + agent + "\", \"prompt\": \"a\\u0000b\"}")
                .post("/tasks").then().statusCode(400);
        given().urlEncodingEnabled(false).header("x-api-key", KEY).get("/xpander/agent-execution/a%00b/status").then()
                .statusCode(422).contentType(ContentType.JSON).body("detail", notNullValue());
        assertThat(rows("outbox")).isZero();
        assertThat(rows("task")).isEqualTo(3);
    }

    @Test
    void timestampsOutsideFourDigitYearsAreA400() {
        for (String t : new String[] { "+294277-01-01T00:00:00Z", "-4714-01-01T00:00:00Z", "+10000-01-01" }) {
            given().queryParam("created_after", t).get("/tasks").then().statusCode(400)
                    .body("invalid_params.name", hasItem("created_after"));
            given().queryParam("finished_before", t).get("/tasks/stats").then().statusCode(400);
        }
        given().queryParam("created_after", "9999-12-31T23:59:59Z").get("/tasks").then().statusCode(200);
        given().queryParam("created_after", "0001-01-01").get("/tasks").then().statusCode(200);
    }

    @Test
    void theEventStreamRefusesAMalformedCursorBeforeItStarts() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (String since : new String[] { "garbage", "Yzl", "eyJxIjoiIn0" }) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks/stream?since=" + since))
                    .header("Accept", "text/event-stream").build();
            HttpResponse<String> r = client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as("since=" + since).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        HttpRequest resume = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks/stream"))
                .header("Accept", "text/event-stream").header("Last-Event-ID", "not-a-cursor").build();
        assertThat(client.sendAsync(resume, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS).statusCode())
                .isEqualTo(400);
    }

    @Test
    void exportErrorsAreProblemJsonNotTheRecordsToString() {
        for (String accept : new String[] { "text/csv", "application/x-ndjson" }) {
            String body = given().accept(accept).queryParam("status", "bogus").get("/tasks").then().statusCode(400)
                    .contentType("application/problem+json").extract().asString();
            assertThat(body).startsWith("{").contains("\"status\":400").contains("\"invalid_params\"");
        }
    }

    @Test
    void aBodyOverTheLimitIs413InTheSurfacesShape() throws Exception {
        String big = "{\"agent_id\": \"" + agent + "\", \"prompt\": \"" + "p".repeat((int) maxBodySize.asLongValue()) + "\"}";
        HttpResponse<String> local = postLarge("/tasks", big, null);
        assertThat(local.statusCode()).isEqualTo(413);
        assertThat(local.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(local.body()).contains("\"status\":413");
        HttpResponse<String> compat = postLarge("/xpander/agent-execution/" + agent, big, KEY);
        assertThat(compat.statusCode()).isEqualTo(413);
        assertThat(compat.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(compat.body()).contains("\"detail\"").contains("exceeds");
        assertThat(rows("task")).isEqualTo(3);
    }

    /** The server answers before reading the body and closes: a client may see the answer or a reset write. */
    private HttpResponse<String> postLarge(String path, String body, String key) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("x-api-key", key);
        }
        java.io.IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                last = e;
            }
        }
        throw last;
    }

    @Test
    void contentAfterTheJsonDocumentIsMalformed() {
        given().contentType(ContentType.JSON).body("{\"title\": \"x\"} {\"title\": \"y\"}").patch("/tasks/" + task).then()
                .statusCode(400).body("type", containsString("malformed-request"));
        given().contentType(ContentType.JSON).body("{\"title\": \"x\"}}").patch("/tasks/" + task).then().statusCode(400);
        given().header("x-api-key", KEY).contentType(ContentType.JSON).body("{\"input\": \"done\"} trailing")
                .post("/xpander/agent-execution/" + agent + "/report_task").then().statusCode(422);
        assertThat(rows("outbox")).isZero();
    }

    @Test
    void theXpanderSurfaceRefusesWrongTypesBeforeStoringAnything() {
        given().header("x-api-key", KEY).contentType(ContentType.JSON)
                .body("{\"input\": {\"text\": \"hi\"}, \"title\": 5}").post("/xpander/agent-execution/" + agent).then()
                .statusCode(422).body("detail[0].loc", equalTo(java.util.List.of("body", "title")))
                .body("detail[0].type", equalTo("type_error.str"));
        given().header("x-api-key", KEY).contentType(ContentType.JSON)
                .body("{\"input\": {\"text\": \"hi\"}, \"mcp_servers\": [{\"headers\": \"x\"}]}")
                .post("/xpander/agent-execution/" + agent).then().statusCode(422)
                .body("detail[0].loc", equalTo(java.util.List.of("body", "mcp_servers", 0, "headers")));
        given().header("x-api-key", KEY).contentType(ContentType.JSON).body("{\"is_manually_stopped\": \"yes\"}")
                .patch("/xpander/agent-execution/" + task + "/update").then().statusCode(422)
                .body("detail[0].loc", equalTo(java.util.List.of("body", "is_manually_stopped")));
        given().header("x-api-key", KEY).contentType(ContentType.JSON).body("{\"started_at\": \"yesterday\"}")
                .patch("/xpander/agent-execution/" + task + "/update").then().statusCode(422);
        given().header("x-api-key", KEY).contentType(ContentType.JSON).body("{\"input\": \"x\", \"tokens\": \"many\"}")
                .post("/xpander/agent-execution/" + agent + "/report_task").then().statusCode(422)
                .body("detail[0].loc", equalTo(java.util.List.of("body", "tokens")));
        assertThat(rows("outbox")).as("nothing parked as a failed save").isZero();
        assertThat(rows("task")).isEqualTo(3);
        // valid bodies still pass
        given().header("x-api-key", KEY).contentType(ContentType.JSON).body("{\"title\": \"renamed\"}")
                .patch("/xpander/agent-execution/" + task + "/update").then().statusCode(200)
                .body("title", equalTo("renamed"));
    }

    @Test
    void anUpdateXpanderRefusesAnswersXpandersErrorLikeCreateAndStop() {
        sim.enqueueFault(dev.taskmirror.simulator.Fault.on(dev.taskmirror.simulator.RouteKind.UPDATE).target(task)
                .status(422).body("{\"detail\": \"refused by xpander\"}").build());
        given().header("x-api-key", KEY).contentType(ContentType.JSON).body("{\"title\": \"refused\"}")
                .patch("/xpander/agent-execution/" + task + "/update").then().statusCode(422)
                .body("detail", equalTo("refused by xpander"));
    }

    @Test
    void anEventStreamTaskIdIsOnePathSegmentUpstream() {
        String org = sim.organizationId();
        for (String id : new String[] { "a%20b", "..%2F..%2Fagent-execution%2Fx", "%3Cscript%3E", "a%00b" }) {
            given().urlEncodingEnabled(false).header("x-api-key", KEY)
                    .get("/xpander/" + org + "/agent-execution/" + id + "/events").then().statusCode(404)
                    .contentType(ContentType.JSON).body("detail", notNullValue());
        }
        assertThat(sim.journal().stream().map(RecordedRequest::path).filter(p -> p.contains("/events")))
                .allSatisfy(p -> assertThat(p).doesNotContain("/../").doesNotContain(" "));
    }

    @Test
    void requestLineTooLongIsRefusedByTheHttpLayer() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks?q="
                + "q".repeat(9000))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(414);
    }
}
