package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The Quarkus wrapper's own logic, exercised without a Quarkus application (fields set as CDI would). */
class SimulatorServerTest {

    private static SimulatorServer wrapper(String tick) {
        SimulatorServer s = new SimulatorServer();
        s.port = 0;
        s.seed = 42;
        s.agents = 2;
        s.tasks = 20;
        s.tick = tick;
        s.apiKey = "wrapped-key";
        s.organizationId = SimulatorOptions.DEFAULT_ORGANIZATION_ID;
        s.arrival = Optional.empty();
        s.remoteEdits = Optional.empty();
        s.autoRegisterAgents = false;
        return s;
    }

    @Test
    void manualClockWhenTheTickerIsOff() throws Exception {
        SimulatorServer s = wrapper("off");
        try {
            s.start();
            assertThat(s.baseUrl()).isEqualTo("http://127.0.0.1:" + s.port());
            assertThat(s.apiKey()).isEqualTo("wrapped-key");
            assertThat(s.organizationId()).contains(SimulatorOptions.DEFAULT_ORGANIZATION_ID);
            assertThat(s.agentIds()).hasSize(2).isEqualTo(s.simulator().agentIds());
            assertThat(s.simulator().isManualClock()).isTrue();
            assertThat(s.simulator().options().arrivalsPerMinute()).isZero();

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(s.baseUrl() + "/agent-execution/executions/history/" + s.agentIds().get(0)))
                    .header("x-api-key", "wrapped-key").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("[{\"id\":");
            var before = s.simulator().now();
            Thread.sleep(50);
            assertThat(s.simulator().now()).isEqualTo(before);
        } finally {
            s.stop();
        }
    }

    @Test
    void realTimeTickerDrivesTheLifecycle() throws Exception {
        SimulatorServer s = wrapper("50ms");
        try {
            s.start();
            XpanderSimulator sim = s.simulator();
            assertThat(sim.isManualClock()).isFalse();
            assertThat(sim.options().arrivalsPerMinute()).isEqualTo(6.0);
            sim.reset(sim.options().toBuilder().pendingTime(SimulatorOptions.Span.fixed(Duration.ofMillis(100)))
                    .build());
            String id = sim.createTask(sim.agentIds().get(0)).get("id").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (sim.task(id).orElseThrow().get("status").asText().equals("pending")
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(sim.task(id).orElseThrow().get("status").asText()).isIn("executing", "paused");
        } finally {
            s.stop();
        }
    }
}
