package dev.taskmirror.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Browsers may call the API only from the configured dashboard origins (QUARKUS_HTTP_CORS_ORIGINS): a
 * preflight and a simple request from an allowed origin get the CORS headers; from any other origin
 * (look-alikes, another scheme or port, {@code null}) they get no {@code Access-Control-Allow-Origin} and are
 * refused with 403.
 */
@QuarkusTest
@TestProfile(CorsTest.DashboardOrigin.class)
class CorsTest {

    static final String ALLOWED = "https://dashboard.example.com";
    static final String ALSO_ALLOWED = "http://localhost:3000";

    public static class DashboardOrigin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.cors.origins", ALLOWED + "," + ALSO_ALLOWED);
        }
    }

    @Inject
    MirrorFixture fx;

    String task;

    @BeforeEach
    void setUp() {
        fx.reset(1, 2);
        fx.sync(CycleKind.FULL);
        task = fx.sim().taskIds(fx.sim().agentIds().get(0)).get(0);
    }

    private static Response preflight(String origin, String path, String method, String headers) {
        return given().header("Origin", origin).header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", headers).options(path);
    }

    private static List<String> list(Response r, String header) {
        String v = r.getHeader(header);
        return v == null ? List.of()
                : Arrays.stream(v.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
    }

    @Test
    void anAllowedOriginGetsThePreflightHeaders() {
        for (String origin : List.of(ALLOWED, ALSO_ALLOWED)) {
            Response r = preflight(origin, "/tasks/" + task, "PATCH", "X-API-Key, Content-Type, If-Match");
            assertThat(r.statusCode()).isBetween(200, 204);
            assertThat(r.getHeader("Access-Control-Allow-Origin")).isEqualTo(origin);
            assertThat(list(r, "Access-Control-Allow-Methods")).contains("patch");
            assertThat(list(r, "Access-Control-Allow-Headers")).contains("x-api-key", "content-type", "if-match");
        }
        Response sdk = preflight(ALLOWED, "/xpander/agent-execution/" + task + "/status", "GET", "x-api-key");
        assertThat(sdk.getHeader("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
    }

    @Test
    void anAllowedOriginGetsTheHeadersOnASimpleRequest() {
        Response list = given().header("Origin", ALLOWED).get("/tasks");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.getHeader("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
        Response one = given().header("Origin", ALLOWED).get("/tasks/" + task);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.getHeader("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
        assertThat(list(one, "Access-Control-Expose-Headers")).as("the dashboard can read ETag").contains("etag");
        Response denied = given().header("Origin", ALLOWED).get("/xpander/agent-execution/" + task + "/status");
        assertThat(denied.statusCode()).as("CORS is no substitute for the key").isEqualTo(403);
    }

    @Test
    void anyOtherOriginGetsNoCorsHeaders() {
        for (String origin : List.of("https://evil.example.com", "https://dashboard.example.com.evil.net",
                "https://evil-dashboard.example.com", "http://dashboard.example.com", "https://dashboard.example.com:8443",
                "null", "http://localhost:3001")) {
            Response pre = preflight(origin, "/tasks/" + task, "PATCH", "X-API-Key, Content-Type");
            assertThat(pre.getHeader("Access-Control-Allow-Origin")).as("preflight from " + origin).isNull();
            // (Quarkus may still list the allowed methods: without Allow-Origin a browser refuses the preflight)
            assertThat(pre.getHeader("Access-Control-Allow-Credentials")).as("preflight from " + origin).isNull();
            assertThat(pre.statusCode()).as("preflight from " + origin).isEqualTo(403);
            Response simple = given().header("Origin", origin).get("/tasks");
            assertThat(simple.getHeader("Access-Control-Allow-Origin")).as("GET from " + origin).isNull();
            assertThat(simple.statusCode()).as("GET from " + origin).isEqualTo(403);
        }
    }

    @Test
    void aRequestWithoutOriginIsNotACorsRequest() {
        Response r = given().get("/tasks");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.getHeader("Access-Control-Allow-Origin")).isNull();
    }
}
