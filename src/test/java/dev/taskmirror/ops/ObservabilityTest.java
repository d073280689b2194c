package dev.taskmirror.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.remote.RemoteHealth;
import dev.taskmirror.simulator.Fault;
import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;

/** Metrics, the Grafana dashboard, health probes and log context, against the running service. */
@QuarkusTest
class ObservabilityTest {

    static final Path DASHBOARD = Path.of("deploy", "grafana", "task-mirror-dashboard.json");

    @Inject
    MirrorFixture fx;
    @Inject
    MirrorMetrics metrics;
    @Inject
    RemoteHealth remoteHealth;
    @Inject
    Vertx vertx;

    XpanderSimulator sim;
    final List<Captured> logs = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            Map<String, String> mdc = record instanceof ExtLogRecord ext ? Map.copyOf(ext.getMdcCopy())
                    : Map.of();
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            logs.add(new Captured(record.getLoggerName(), message, mdc));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    record Captured(String logger, String message, Map<String, String> mdc) {
    }

    @BeforeEach
    void setUp() {
        sim = fx.reset(2, 10);
        sim.setLifecycleEnabled(false);
        java.util.logging.Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
        sim.clearFaults();
        remoteHealth.reset();
    }

    @Test
    void gaugesReflectTheMirrorAndEveryDashboardMetricIsExported() throws IOException {
        fx.sync(CycleKind.FULL);
        String taskId = sim.taskIds(sim.agentIds().get(0)).get(0);
        given().contentType(ContentType.JSON).body("{\"title\": \"renamed locally\"}").patch("/tasks/" + taskId)
                .then().statusCode(202);
        metrics.refresh();

        String scrape = scrape();
        assertThat(sample(scrape, "mirror_tasks_mirrored")).isEqualTo(10.0);
        assertThat(sample(scrape, "mirror_outbox_depth{state=\"pending\"}")).isEqualTo(1.0);
        assertThat(sample(scrape, "mirror_outbox_depth{state=\"failed\"}")).isEqualTo(0.0);
        assertThat(sample(scrape, "mirror_outbox_oldest_pending_age_seconds")).isBetween(0.0, 60.0);
        assertThat(sample(scrape, "mirror_remote_circuit_breaker_state")).isEqualTo(0.0);
        for (String agent : sim.agentIds()) {
            String labels = "{id=\"" + agent + "\",scope=\"agent\"}";
            assertThat(sample(scrape, "mirror_sync_lag_seconds" + labels)).isBetween(0.0, 60.0);
            assertThat(sample(scrape, "mirror_sync_consecutive_failures" + labels)).isEqualTo(0.0);
        }

        fx.drainOutbox();
        double[] readsBefore = { orZero(scrape, "mirror_api_read_batch_count"), orZero(scrape, "mirror_api_read_batch_sum") };
        given().get("/tasks").then().statusCode(200);
        given().get("/tasks/" + taskId).then().statusCode(200).body("title", equalTo("renamed locally"));
        given().get("/tasks/does-not-exist").then().statusCode(404);
        metrics.refresh();
        scrape = scrape();
        assertThat(sample(scrape, "mirror_outbox_depth{state=\"pending\"}")).isEqualTo(0.0);
        assertThat(sample(scrape, "mirror_outbox_oldest_pending_age_seconds")).isEqualTo(0.0);

        // The two single-task reads above, one after the other: two statements of one read each (ReadPool).
        assertThat(sample(scrape, "mirror_api_read_batch_count") - readsBefore[0]).isEqualTo(2.0);
        assertThat(sample(scrape, "mirror_api_read_batch_sum") - readsBefore[1]).isEqualTo(2.0);

        // Route templates, never raw ids, in server and client URI tags.
        assertThat(scrape).contains("uri=\"/tasks/{id}\"");
        List<String> uris = labelValues(scrape, "uri");
        assertThat(uris).isNotEmpty();
        assertThat(uris).noneMatch(u -> u.contains(taskId) || u.contains("does-not-exist"));
        for (String agent : sim.agentIds()) {
            assertThat(uris).noneMatch(u -> u.contains(agent));
        }

        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        Set<String> used = new TreeSet<>();
        List<String> exprs = expressions(dashboard);
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(10);
        for (String expr : exprs) {
            used.addAll(metricNames(expr));
        }
        assertThat(used).contains("mirror_sync_lag_seconds", "mirror_outbox_depth",
                "mirror_remote_circuit_breaker_state", "http_server_requests_seconds_bucket");
        Set<String> exported = exportedNames(scrape);
        assertThat(used).allSatisfy(name -> assertThat(exported).as("metric used by the dashboard").contains(name));
    }

    @Test
    void probesIgnoreTheRemoteEvenWithTheBreakerOpen() {
        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).status(503).times(1000).build());
        for (int i = 0; i < 10 && !"open".equals(remoteHealth.circuitBreakerState()); i++) {
            try {
                fx.sync(CycleKind.FULL);
            } catch (RuntimeException expected) {
                // the remote is down
            }
        }
        assertThat(remoteHealth.circuitBreakerState()).isEqualTo("open");
        assertThat(sample(scrape(), "mirror_remote_circuit_breaker_state")).isEqualTo(2.0);

        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        List<String> checks = given().get("/q/health").then().extract().jsonPath().getList("checks.name");
        assertThat(checks).contains("database schema")
                .noneMatch(n -> n.toLowerCase().contains("xpander") || n.toLowerCase().contains("remote"));
    }

    @Test
    void logLinesCarryScopeTaskAndOutboxIds() {
        String agent = sim.agentIds().get(0);
        fx.sync(CycleKind.FULL);
        assertThat(logs).anySatisfy(l -> {
            assertThat(l.message()).startsWith("Sync full agent:" + agent + ":");
            assertThat(l.mdc()).containsEntry("scope", "agent:" + agent).containsEntry("agent_id", agent);
        });

        // A request that tombstones a task logs with the task id of the request.
        String gone = sim.taskIds(agent).get(0);
        sim.delete(gone);
        given().queryParam("refresh", "true").get("/tasks/" + gone);
        assertThat(logs).anySatisfy(l -> {
            assertThat(l.message()).startsWith("Task " + gone + " tombstoned");
            assertThat(l.mdc()).containsEntry("task_id", gone);
        });

        // A push the remote refuses logs with the save's task and outbox ids.
        String refused = sim.taskIds(agent).get(1);
        sim.enqueueFault(Fault.on(RouteKind.UPDATE).target(refused).status(422).build());
        given().contentType(ContentType.JSON).body("{\"title\": \"refused\"}").patch("/tasks/" + refused)
                .then().statusCode(202);
        fx.drainOutbox();
        assertThat(logs).anySatisfy(l -> {
            assertThat(l.message()).contains("parked as failed");
            assertThat(l.mdc()).containsEntry("task_id", refused).containsKey("outbox_id");
        });
        // Nothing leaks: the cycle's lines carry no task id, and the context is gone once a push is done.
        assertThat(logs).filteredOn(l -> l.message().startsWith("Sync full"))
                .allSatisfy(l -> assertThat(l.mdc()).doesNotContainKeys("task_id", "outbox_id"));
        assertThat(org.jboss.logging.MDC.get("task_id")).isNull();
        assertThat(org.jboss.logging.MDC.get("outbox_id")).isNull();
    }

    private static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** Value of the sample whose name and labels are exactly {@code series}. */
    static double sample(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError("no sample " + series + " in the scrape");
    }

    /** A sample, or 0 before its meter exists. */
    static double orZero(String scrape, String series) {
        return scrape.lines().anyMatch(l -> l.startsWith(series + " ")) ? sample(scrape, series) : 0;
    }

    static List<String> labelValues(String scrape, String label) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("[{,]" + label + "=\"([^\"]*)\"").matcher(scrape);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static Set<String> exportedNames(String scrape) {
        Set<String> out = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                out.add(line.split("[{ ]", 2)[0]);
            }
        }
        return out;
    }

    /** Every PromQL expression of the dashboard: panel targets (also inside rows) and variable queries. */
    static List<String> expressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            if (expr.isTextual() && !expr.asText().isBlank()) {
                out.add(expr.asText());
            }
        }
        return out;
    }

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");

    /** Metric names in a PromQL expression: identifiers that are not functions, keywords or labels. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\b\\d+(\\.\\d+)?([eE][+-]?\\d+)?\\b", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            String name = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean function = next < s.length() && s.charAt(next) == '(';
            if (!function && !KEYWORDS.contains(name.toLowerCase())) {
                out.add(name);
            }
        }
        return out;
    }

    @Test
    void onLinuxTheServerAndClientRunOnTheEpollTransport() {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux")
                && Set.of("amd64", "x86_64", "aarch64").contains(arch), "epoll is packaged for Linux x86-64 and aarch64");
        // A missing native library or a dropped dependency would silently fall back to NIO.
        assertThat(vertx.isNativeTransportEnabled()).as("native transport (unavailable because: %s)",
                vertx.unavailableNativeTransportCause()).isTrue();
    }
}
