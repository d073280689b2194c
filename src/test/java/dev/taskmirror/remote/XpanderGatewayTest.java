package dev.taskmirror.remote;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.support.WireMockResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The gateway against scripted HTTP: URL rules, headers, retry classification, breaker. */
@QuarkusTest
@QuarkusTestResource(value = WireMockResource.class, restrictToAnnotatedClass = true)
class XpanderGatewayTest {

    static final String TASK = "{\"id\":\"t1\",\"agent_id\":\"a1\",\"organization_id\":\"o1\",\"input\":{\"text\":\"hi\"},"
            + "\"status\":\"pending\",\"created_at\":\"2026-03-02T09:15:04.118230Z\"}";

    WireMockServer wireMock;

    @Inject
    XpanderGateway gateway;
    @Inject
    RemoteHealth health;
    @Inject
    ObjectMapper mapper;

    @BeforeEach
    void reset() {
        wireMock.resetAll();
        health.reset();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    @Test
    void getSendsApiKeyAndParsesTheTask() {
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).willReturn(json(TASK)));

        ObjectNode task = gateway.getTask("t1").orElseThrow();

        assertThat(task.get("status").asText()).isEqualTo("pending");
        wireMock.verify(1, getRequestedFor(urlEqualTo("/agent-execution/t1/status"))
                .withHeader("x-api-key", equalTo("wiremock-key")));
    }

    @Test
    void notFoundIsAbsentAndNotRetried() {
        wireMock.stubFor(get(urlEqualTo("/agent-execution/nope/status"))
                .willReturn(aResponse().withStatus(404).withBody("{\"detail\":\"Task not found\"}")));

        assertThat(gateway.getTask("nope")).isEmpty();
        wireMock.verify(1, getRequestedFor(urlEqualTo("/agent-execution/nope/status")));
    }

    @Test
    void transientFailuresAreRetriedUntilSuccess() {
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(503))
                .willSetStateTo("reset"));
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("flaky")
                .whenScenarioStateIs("reset").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))
                .willSetStateTo("garbage"));
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("flaky")
                .whenScenarioStateIs("garbage").willReturn(json("{\"id\": \"t1\", \"trunc"))
                .willSetStateTo("ok"));
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("flaky")
                .whenScenarioStateIs("ok").willReturn(json(TASK)));

        assertThat(gateway.getTask("t1")).isPresent();
        wireMock.verify(4, getRequestedFor(urlEqualTo("/agent-execution/t1/status")));
    }

    @Test
    void retryAfterIsHonoured() {
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("limited")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("ok"));
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("limited")
                .whenScenarioStateIs("ok").willReturn(json(TASK)));

        long t0 = System.nanoTime();
        assertThat(gateway.getTask("t1")).isPresent();
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(elapsedMs).as("waited for Retry-After: 1").isGreaterThanOrEqualTo(950);
    }

    @Test
    void rejectionsAreNotRetried() {
        wireMock.stubFor(patch(urlEqualTo("/agent-execution/t1/update"))
                .willReturn(aResponse().withStatus(422).withBody("{\"detail\":[{\"msg\":\"bad\"}]}")));

        assertThatThrownBy(() -> gateway.updateTask("t1", mapper.createObjectNode().put("title", "x")))
                .isInstanceOf(RemoteRejectedException.class)
                .satisfies(e -> assertThat(((RemoteException) e).status()).isEqualTo(422));
        wireMock.verify(1, patchRequestedFor(urlEqualTo("/agent-execution/t1/update")));
    }

    @Test
    void giveUpAfterMaxRetries() {
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).willReturn(aResponse().withStatus(502)));

        assertThatThrownBy(() -> gateway.getTask("t1")).isInstanceOf(RemoteUnavailableException.class);
        wireMock.verify(4, getRequestedFor(urlEqualTo("/agent-execution/t1/status")));
    }

    @Test
    void createIsNeverRetriedBlindly() {
        wireMock.stubFor(post(urlEqualTo("/agent-execution/a1")).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> gateway.createTask("a1", "3", mapper.createObjectNode().put("id", "t1")))
                .isInstanceOf(RemoteUnavailableException.class);
        wireMock.verify(1, postRequestedFor(urlEqualTo("/agent-execution/a1")).withHeader("x-agent-version", equalTo("3")));
    }

    @Test
    void createIsNotResentWhenTheConnectionDrops() {
        for (Fault fault : new Fault[] { Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE }) {
            wireMock.resetAll();
            wireMock.stubFor(post(urlEqualTo("/agent-execution/a1")).willReturn(aResponse().withFault(fault)));
            wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).willReturn(json(TASK)));
            gateway.getTask("t1"); // a pooled keep-alive connection carries the create

            assertThatThrownBy(() -> gateway.createTask("a1", null, mapper.createObjectNode().put("id", "t1")))
                    .isInstanceOf(RemoteUnavailableException.class);
            wireMock.verify(1, postRequestedFor(urlEqualTo("/agent-execution/a1")));
        }
    }

    @Test
    void slowOrDribbledBodiesTimeOutAndAreRetried() {
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("slow")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(json(TASK).withFixedDelay(1500)).willSetStateTo("dribble"));
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("slow")
                .whenScenarioStateIs("dribble").willReturn(json(TASK).withChunkedDribbleDelay(20, 3000))
                .willSetStateTo("ok"));
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).inScenario("slow")
                .whenScenarioStateIs("ok").willReturn(json(TASK)));

        assertThat(gateway.getTask("t1")).isPresent();
        wireMock.verify(3, getRequestedFor(urlEqualTo("/agent-execution/t1/status")));
    }

    @Test
    void nonJsonSuccessIsAFailure() {
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html/>")));

        assertThatThrownBy(() -> gateway.getTask("t1")).isInstanceOf(RemoteUnavailableException.class);
    }

    @Test
    void listsPassFiltersAndDropEmptyValues() {
        wireMock.stubFor(get(urlPathEqualTo("/agent-execution/executions/history/a1")).willReturn(json("[" + TASK + "]")));

        assertThat(gateway.listAgentTasks("a1", Map.of("status", "completed", "user_id", ""))).hasSize(1);
        wireMock.verify(getRequestedFor(urlEqualTo("/agent-execution/executions/history/a1?status=completed")));
    }

    @Test
    void stopUsesDelete() {
        wireMock.stubFor(delete(urlEqualTo("/agent-execution/t1")).willReturn(json(TASK.replace("pending", "stopped"))));

        assertThat(gateway.stopTask("t1").orElseThrow().get("status").asText()).isEqualTo("stopped");
        wireMock.verify(deleteRequestedFor(urlEqualTo("/agent-execution/t1")));
    }

    @Test
    void breakerOpensAfterRepeatedFailuresAndFailsFast() {
        wireMock.stubFor(get(urlEqualTo("/agent-execution/t1/status")).willReturn(aResponse().withStatus(500)));

        for (int i = 0; i < 10 && !"open".equals(health.circuitBreakerState()); i++) {
            assertThatThrownBy(() -> gateway.getTask("t1")).isInstanceOf(RemoteUnavailableException.class);
        }
        assertThat(health.circuitBreakerState()).isEqualTo("open");
        int before = wireMock.getAllServeEvents().size();
        assertThatThrownBy(() -> gateway.getTask("t1")).isInstanceOf(RemoteUnavailableException.class)
                .hasMessageContaining("circuit breaker open");
        assertThat(wireMock.getAllServeEvents()).hasSize(before);
    }
}
