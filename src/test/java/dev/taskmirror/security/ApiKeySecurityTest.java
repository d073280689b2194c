package dev.taskmirror.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.taskmirror.support.MirrorFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** The local API and the xpander-compatible surface with authentication required (as in production). */
@QuarkusTest
@TestProfile(ApiKeySecurityTest.Closed.class)
class ApiKeySecurityTest {

    public static class Closed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mirror.security.anonymous-roles", "", "mirror.security.metrics-public", "false");
        }
    }

    @Inject
    MirrorFixture fx;

    String taskId;

    @BeforeEach
    void setUp() {
        fx.reset(1, 3);
        fx.sync(dev.taskmirror.sync.CycleKind.FULL);
        taskId = fx.sim().taskIds(fx.sim().agentIds().get(0)).get(0);
    }

    @Test
    void withoutAKeyTheLocalApiAnswers401() {
        given().get("/tasks").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("ApiKey"))
                .body("status", equalTo(401));
        given().header("X-API-Key", "not-a-key").get("/tasks").then().statusCode(401)
                .body("detail", equalTo("The API key is not valid"));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(401);
    }

    @Test
    void rolesGateReadsWritesAndOperations() {
        given().header("X-API-Key", "test-read-key").get("/tasks").then().statusCode(200);
        given().header("Authorization", "Bearer test-read-key").get("/tasks/" + taskId).then().statusCode(200);
        given().header("X-API-Key", "test-read-key").contentType(ContentType.JSON).body("{\"title\": \"x\"}")
                .patch("/tasks/" + taskId).then().statusCode(403).contentType("application/problem+json");
        given().header("X-API-Key", "test-read-key").contentType(ContentType.JSON).body("{\"ids\": [\"" + taskId + "\"]}")
                .post("/tasks/batch-get").then().statusCode(200);
        given().header("X-API-Key", "test-write-key").contentType(ContentType.JSON).body("{\"title\": \"x\"}")
                .patch("/tasks/" + taskId).then().statusCode(202);
        given().header("X-API-Key", "test-write-key").post("/sync").then().statusCode(403);
        given().header("X-API-Key", "test-admin-key").post("/sync").then().statusCode(200);
        given().header("X-API-Key", "test-metrics-key").get("/q/metrics").then().statusCode(200);
        given().header("X-API-Key", "test-metrics-key").get("/tasks").then().statusCode(403);
    }

    @Test
    void xpanderSurfaceRejectsMissingOrUnknownKeysLikeXpander() {
        given().get("/xpander/agent-execution/" + taskId + "/status").then().statusCode(403)
                .contentType(ContentType.JSON).body("detail", equalTo("Invalid API key"));
        given().header("x-api-key", fx.sim().apiKey()).get("/xpander/agent-execution/" + taskId + "/status").then()
                .statusCode(403); // the upstream key is not a client key
    }
}
