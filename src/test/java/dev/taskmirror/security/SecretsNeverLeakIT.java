package dev.taskmirror.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.Fault;
import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The packaged service in its production configuration (JSON logs, keys required), with secrets in its own
 * configuration (the upstream xpander key, client keys, the outbox sealing key) and in the tasks it handles
 * (OIDC tokens, per-user tokens, MCP credentials), runs a full cycle — sync, local creates and saves, the
 * xpander-compatible surface, remote failures — with DEBUG logging and the REST client's request/response
 * logging switched on. Afterwards no secret (nor its base64 form) is found in the log file, in any answer the
 * service gave, in its metrics or in its tables. The simulator, in this JVM, legitimately holds them.
 */
class SecretsNeverLeakIT {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Unique, recognisable secret values: name → value. */
    final Map<String, String> secrets = new LinkedHashMap<>();
    final List<String> answers = new ArrayList<>();

    SimulatorProcess remote;
    String agent;

    private String secret(String name) {
        String value = "SECRET-" + name + "-" + UUID.randomUUID().toString().replace("-", "");
        secrets.put(name, value);
        return value;
    }

    @BeforeEach
    void setUp() throws Exception {
        ItDatabase.truncate();
        remote = new SimulatorProcess(SimulatorOptions.builder().agents(2).tasks(4)
                .apiKey(secret("upstream-api-key")).build());
        remote.sim().setLifecycleEnabled(false);
        agent = remote.sim().agentIds().get(0);
    }

    @AfterEach
    void tearDown() {
        remote.close();
    }

    /** A create request (xpander's shape) carrying every kind of task secret. */
    private ObjectNode withSecrets(ObjectNode r, String prefix) {
        r.put("user_oidc_token", secret(prefix + "-oidc"));
        r.putObject("user_tokens").put("github", secret(prefix + "-user-token"))
                .putObject("nested").put("slack", secret(prefix + "-nested-user-token"));
        ArrayNode servers = r.putArray("mcp_servers");
        ObjectNode s = servers.addObject().put("type", "remote").put("name", "crm").put("url", "https://mcp.example.com/sse")
                .put("transport", "sse").put("auth_type", "api_key").put("api_key", secret(prefix + "-mcp-api-key"))
                .put("client_id", "crm-client").put("client_secret", secret(prefix + "-mcp-client-secret"));
        s.putObject("headers").put("Authorization", "Bearer " + secret(prefix + "-mcp-header"));
        s.putObject("env_vars").put("CRM_TOKEN", secret(prefix + "-mcp-env"));
        return r;
    }

    /** The local API's create body (snake_case CreateTaskRequest) with the same secrets. */
    private ObjectNode localCreate(String prefix) {
        ObjectNode body = JSON.createObjectNode().put("agent_id", agent).put("prompt", "local create " + prefix)
                .put("title", "local " + prefix);
        ObjectNode secretsOnly = withSecrets(JSON.createObjectNode(), prefix);
        body.setAll(secretsOnly);
        return body;
    }

    private RequestSpecification as(AppProcess app, String key) {
        return given().baseUri(app.baseUrl()).header("X-API-Key", key);
    }

    /** Keeps every answer body for the final search. */
    private Response keep(Response r) {
        answers.add(r.getStatusCode() + " " + r.getHeaders() + "\n" + r.asString());
        return r;
    }

    @Test
    void noSecretReachesLogsAnswersMetricsOrTables() throws Exception {
        String reader = secret("client-read-key");
        String writer = secret("client-write-key");
        String admin = secret("client-admin-key");
        String metrics = secret("client-metrics-key");
        byte[] aes = new byte[32];
        new SecureRandom().nextBytes(aes);
        String outboxKey = Base64.getEncoder().encodeToString(aes);
        secrets.put("outbox-secret-key", outboxKey);

        // tasks that already carry secrets on xpander
        String synced1 = remote.sim().createTask(agent, r -> withSecrets(r, "synced1").put("events_streaming", true))
                .get("id").asText();
        String synced2 = remote.sim().createTask(remote.sim().agentIds().get(1), r -> withSecrets(r, "synced2"))
                .get("id").asText();

        Map<String, String> env = new HashMap<>(remote.env());
        env.put("MIRROR_SECURITY_ANONYMOUS_ROLES", "");
        env.put("MIRROR_SECURITY_METRICS_PUBLIC", "false");
        env.put("MIRROR_SECURITY_API_KEYS", "dash:read:" + reader + ",worker:read+write:" + writer + ",ops:admin:" + admin
                + ",prom:metrics:" + metrics);
        env.put("MIRROR_OUTBOX_SECRET_KEY", outboxKey);
        env.put("MIRROR_SYNC_INTERVAL", "1s");
        env.put("MIRROR_SYNC_ACTIVE_INTERVAL", "1s");
        env.put("MIRROR_OUTBOX_BACKOFF_INITIAL", "200ms");
        env.put("MIRROR_OUTBOX_BACKOFF_MAX", "1s");
        env.put("XPANDER_RETRY_INITIAL_DELAY", "10ms");
        env.put("XPANDER_RETRY_MAX_DELAY", "50ms");
        env.put("QUARKUS_LOG_CATEGORY__DEV_TASKMIRROR__LEVEL", "DEBUG");
        env.put("QUARKUS_REST_CLIENT_LOGGING_SCOPE", "request-response");
        env.put("QUARKUS_REST_CLIENT_LOGGING_BODY_LIMIT", "1000000");
        env.put("QUARKUS_LOG_CATEGORY__ORG_JBOSS_RESTEASY_REACTIVE_CLIENT_LOGGING__LEVEL", "DEBUG");

        AppProcess app = new AppProcess("secrets-never-leak", env);
        Files.deleteIfExists(app.log());
        try (app) {
            app.start();
            given().baseUri(app.baseUrl()).get("/tasks").then().statusCode(401);

            // sync: the secret-bearing tasks are mirrored, redacted
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                keep(as(app, reader).get("/tasks/" + synced1)).then().statusCode(200);
                keep(as(app, reader).get("/tasks/" + synced2)).then().statusCode(200);
            });
            keep(as(app, admin).post("/sync")).then().statusCode(200);
            JsonNode mirrored = JSON.readTree(keep(as(app, reader).get("/tasks/" + synced1)).asString());
            assertThat(mirrored.get("user_oidc_token").asText()).isEqualTo("[REDACTED]");
            assertThat(mirrored.path("mirror").path("redacted").size()).isGreaterThanOrEqualTo(5);

            // a create with secrets through the local API, pushed by the relay
            String created = JSON.readTree(keep(as(app, writer).contentType(ContentType.JSON)
                    .header("Idempotency-Key", "secret-create-1").body(localCreate("local1").toString()).post("/tasks"))
                    .then().statusCode(201).extract().asString()).get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> remote.sim().task(created).isPresent());
            assertThat(remote.sim().task(created).orElseThrow().get("user_oidc_token").asText())
                    .as("the secret reaches xpander").isEqualTo(secrets.get("local1-oidc"));
            keep(as(app, writer).contentType(ContentType.JSON).header("Idempotency-Key", "secret-create-1")
                    .body(localCreate("local1-retry").toString()).post("/tasks"));

            // saves and a stop
            keep(as(app, writer).contentType(ContentType.JSON).body("{\"title\": \"renamed\", \"internal_status\": \"x\"}")
                    .patch("/tasks/" + synced1)).then().statusCode(202);
            keep(as(app, writer).post("/tasks/" + synced2 + "/stop")).then().statusCode(202);

            // a create xpander refuses (422): the refusal is logged
            remote.sim().enqueueFault(Fault.on(RouteKind.CREATE).status(422).build());
            String refused = JSON.readTree(keep(as(app, writer).contentType(ContentType.JSON)
                    .body(localCreate("refused").toString()).post("/tasks")).then().statusCode(201).extract().asString())
                    .get("id").asText();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> keep(as(app, reader).get("/tasks/" + refused))
                    .then().body("mirror.sync_state", org.hamcrest.Matchers.equalTo("error")));

            // the xpander-compatible surface with a client key
            ObjectNode sdkCreate = withSecrets(JSON.createObjectNode(), "sdk");
            sdkCreate.putObject("input").put("text", "created by an SDK client");
            String sdkBody = keep(given().baseUri(app.baseUrl()).header("x-api-key", writer).contentType(ContentType.JSON)
                    .body(sdkCreate.toString()).post("/xpander/agent-execution/" + agent)).then().statusCode(200).extract()
                    .asString();
            ObjectNode sdkTask = (ObjectNode) JSON.readTree(sdkBody);
            String sdkId = sdkTask.get("id").asText();
            assertThat(remote.sim().task(sdkId)).as("created on xpander: %s (xpander holds %s)", sdkBody,
                    remote.sim().taskIds(agent)).isPresent();
            assertThat(remote.sim().task(sdkId).orElseThrow().path("mcp_servers").get(0).get("api_key").asText())
                    .isEqualTo(secrets.get("sdk-mcp-api-key"));
            keep(given().baseUri(app.baseUrl()).header("x-api-key", writer).get("/xpander/agent-execution/" + sdkId
                    + "/status")).then().statusCode(200);
            // Task.save(): the whole object back, with one change
            sdkTask.put("title", "saved by the SDK");
            keep(given().baseUri(app.baseUrl()).header("x-api-key", writer).contentType(ContentType.JSON)
                    .body(sdkTask.toString()).patch("/xpander/agent-execution/" + sdkId + "/update")).then().statusCode(200);
            remote.sim().enqueueFault(Fault.on(RouteKind.CREATE).status(422).build());
            ObjectNode refusedSdk = withSecrets(JSON.createObjectNode(), "sdk-refused");
            refusedSdk.putObject("input").put("text", "refused");
            keep(given().baseUri(app.baseUrl()).header("x-api-key", writer).contentType(ContentType.JSON)
                    .body(refusedSdk.toString()).post("/xpander/agent-execution/" + agent)).then().statusCode(422);
            keep(given().baseUri(app.baseUrl()).header("x-api-key", reader)
                    .get("/xpander/agent-execution/executions/history/" + agent)).then().statusCode(200);
            keep(given().baseUri(app.baseUrl()).header("x-api-key", writer)
                    .get("/xpander/activity/" + agent + "/" + sdkId));
            keep(given().baseUri(app.baseUrl()).header("x-api-key", writer).delete("/xpander/agent-execution/" + sdkId));
            keep(given().baseUri(app.baseUrl()).header("x-api-key", "wrong").get("/xpander/agent-execution/" + sdkId
                    + "/status")).then().statusCode(403);

            // a new secret saved while xpander fails (500): the save stays pending, its secrets sealed
            remote.sim().enqueueFault(Fault.on(RouteKind.UPDATE).target(sdkId).status(500).times(1000).build());
            ObjectNode rotate = JSON.createObjectNode().put("user_oidc_token", secret("rotated-oidc"));
            rotate.putArray("mcp_servers").addObject().put("name", "crm").put("api_key", secret("rotated-mcp-api-key"));
            JsonNode pending = JSON.readTree(keep(given().baseUri(app.baseUrl()).header("x-api-key", writer)
                    .contentType(ContentType.JSON).body(rotate.toString()).patch("/xpander/agent-execution/" + sdkId
                            + "/update")).then().statusCode(200).extract().asString());
            assertThat(pending.get("user_oidc_token").asText()).isEqualTo("[REDACTED]");
            assertThat(ItDatabase.count("select count(*) from outbox where task_id = '" + sdkId + "' and kind = 'update' "
                    + "and state = 'pending' and sealed is not null")).as("the rotated secrets wait sealed").isEqualTo(1);

            // reads that fail (500): sync errors are logged (this also opens the circuit breaker)
            remote.sim().enqueueFault(Fault.on(RouteKind.GET).status(500).times(6).build());
            remote.sim().enqueueFault(Fault.on(RouteKind.LIST_AGENT).status(500).times(4).build());
            keep(as(app, admin).post("/sync?kind=reconcile"));

            // everything a client or operator can read
            keep(as(app, reader).queryParam("limit", 500).get("/tasks")).then().statusCode(200);
            keep(as(app, reader).queryParam("since", "0").get("/tasks/changes")).then().statusCode(200);
            keep(as(app, reader).accept("application/x-ndjson").get("/tasks")).then().statusCode(200);
            keep(as(app, reader).accept("text/csv").get("/tasks")).then().statusCode(200);
            keep(as(app, reader).get("/tasks/stats")).then().statusCode(200);
            keep(as(app, reader).contentType(ContentType.JSON).body("{\"ids\": [\"" + synced1 + "\", \"" + sdkId + "\", \""
                    + created + "\"]}").post("/tasks/batch-get")).then().statusCode(200);
            for (String id : List.of(synced1, synced2, created, refused, sdkId)) {
                keep(as(app, reader).get("/tasks/" + id)).then().statusCode(200);
                keep(given().baseUri(app.baseUrl()).header("x-api-key", reader).get("/xpander/agent-execution/" + id
                        + "/status"));
            }
            keep(as(app, reader).get("/sync")).then().statusCode(200);
            keep(as(app, admin).get("/outbox")).then().statusCode(200);
            keep(as(app, reader).get("/q/metrics")).then().statusCode(403);
            String scrape = keep(as(app, metrics).get("/q/metrics")).then().statusCode(200).extract().asString();
            assertThat(scrape).contains("mirror_");
            keep(given().baseUri(app.baseUrl()).get("/q/health"));

            String tables = ItDatabase.text("select concat_ws(E'\\n', "
                    + "(select string_agg(t::text, E'\\n') from task t), (select string_agg(o::text, E'\\n') from outbox o), "
                    + "(select string_agg(i::text, E'\\n') from idempotency_key i), "
                    + "(select string_agg(s::text, E'\\n') from sync_scope s))");
            assertThat(tables).contains("[REDACTED]");

            app.terminate(Duration.ofSeconds(30));
            String log = Files.readString(app.log(), StandardCharsets.UTF_8);

            // the run really logged what could leak
            assertThat(log).startsWith("{");
            assertThat(log).as("REST client request logging on").contains("Request: POST");
            assertThat(log).as("DEBUG of dev.taskmirror").contains("\"level\":\"DEBUG\"");
            assertThat(log).as("refused saves logged").contains("parked as failed");

            List<String> found = new ArrayList<>();
            Map<String, String> places = new LinkedHashMap<>();
            places.put("log file", log);
            places.put("answers", String.join("\n", answers));
            places.put("metrics", scrape);
            places.put("task/outbox/idempotency_key/sync_scope rows", tables);
            secrets.forEach((name, value) -> {
                for (String form : forms(value)) {
                    places.forEach((where, text) -> {
                        int at = text.indexOf(form);
                        if (at >= 0) {
                            found.add(name + (form.equals(value) ? "" : " (base64)") + " in " + where + ": …"
                                    + text.substring(Math.max(0, at - 200), Math.min(text.length(), at + 60)) + "…");
                        }
                    });
                }
            });
            assertThat(found).as("%d secrets checked in %d places", secrets.size(), places.size()).isEmpty();
        }
    }

    /** The value and its base64 forms (standard and URL alphabets, padded or not). */
    static List<String> forms(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>(List.of(value));
        for (String f : List.of(Base64.getEncoder().encodeToString(bytes),
                Base64.getEncoder().withoutPadding().encodeToString(bytes),
                Base64.getUrlEncoder().encodeToString(bytes),
                Base64.getUrlEncoder().withoutPadding().encodeToString(bytes))) {
            if (!out.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }
}
