package dev.taskmirror.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.taskmirror.simulator.Fault;
import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * A save through the xpander-compatible surface that sets new secrets (a rotated OIDC token, MCP
 * credentials) while xpander is unavailable: until it is delivered, the secrets are sealed in the outbox —
 * never in the outbox payload, the task's overlay or any answer — and they reach xpander once it is back.
 */
@QuarkusTest
class SecretRotationTest {

    static final String KEY = "test-write-key";
    static final String TOKEN = "rotated-oidc-4f1c9b2e";
    static final String MCP_KEY = "rotated-mcp-key-77d0a3";

    @Inject
    MirrorFixture fx;

    XpanderSimulator sim;
    String task;

    @BeforeEach
    void setUp() {
        sim = fx.reset(1, 2);
        sim.setLifecycleEnabled(false);
        fx.sync(CycleKind.FULL);
        task = sim.taskIds(sim.agentIds().get(0)).get(0);
    }

    @Test
    void rotatedSecretsWaitSealedAndReachXpanderLater() {
        // xpander asks to come back much later than the gateway waits inline: the save stays pending
        sim.enqueueFault(Fault.on(RouteKind.UPDATE).target(task).status(429).retryAfter("600").build());
        String answer = given().header("x-api-key", KEY).contentType(ContentType.JSON)
                .body("{\"user_oidc_token\": \"" + TOKEN + "\", \"mcp_servers\": [{\"name\": \"crm\", \"api_key\": \""
                        + MCP_KEY + "\"}]}")
                .patch("/xpander/agent-execution/" + task + "/update").then().statusCode(200)
                .body("user_oidc_token", equalTo("[REDACTED]"))
                .body("mcp_servers[0].api_key", equalTo("[REDACTED]")).extract().asString();
        assertThat(answer).doesNotContain(TOKEN).doesNotContain(MCP_KEY);
        assertThat(fx.count("select count(*) from outbox where state = 'pending' and sealed is not null")).isEqualTo(1);
        String stored = fx.text("select (select string_agg(o::text, '') from outbox o) || (select string_agg(t::text, '') "
                + "from task t)");
        assertThat(stored).doesNotContain(TOKEN).doesNotContain(MCP_KEY);
        for (String read : new String[] { "/tasks/" + task, "/outbox" }) {
            assertThat(given().get(read).then().statusCode(200).extract().asString()).doesNotContain(TOKEN)
                    .doesNotContain(MCP_KEY);
        }
        given().get("/tasks/" + task).then().body("mirror.sync_state", equalTo("pending"));

        sim.clearFaults();
        fx.makeOutboxDue();
        fx.drainOutbox();
        assertThat(sim.task(task).orElseThrow().get("user_oidc_token").asText()).isEqualTo(TOKEN);
        assertThat(sim.task(task).orElseThrow().get("mcp_servers").get(0).get("api_key").asText()).isEqualTo(MCP_KEY);
        assertThat(fx.count("select count(*) from outbox")).isZero();
        given().get("/tasks/" + task).then().body("mirror.sync_state", equalTo("synced"))
                .body("user_oidc_token", equalTo("[REDACTED]"));
    }
}
