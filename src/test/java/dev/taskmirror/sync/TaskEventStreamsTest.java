package dev.taskmirror.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import io.quarkus.test.junit.QuarkusTest;

/** Event streams of unfinished tasks make changes visible without waiting for a sync cycle. */
@QuarkusTest
class TaskEventStreamsTest {

    @Inject
    MirrorFixture fx;
    @Inject
    TaskEventStreams streams;

    XpanderSimulator sim;

    @BeforeEach
    void setUp() {
        sim = fx.reset(1, 0);
        sim.setLifecycleEnabled(false);
    }

    @AfterEach
    void closeStreams() {
        fx.truncate();
        streams.reconcile();
    }

    @Test
    void eventsOfAStreamingTaskTriggerARefresh() throws Exception {
        String agent = sim.agentIds().get(0);
        ObjectNode streaming = sim.createTask(agent, r -> r.put("events_streaming", true).put("title", "live"));
        ObjectNode silent = sim.createTask(agent, r -> r.put("events_streaming", false));
        String id = streaming.get("id").asText();
        fx.sync(CycleKind.FULL);

        sim.resetCounters();
        assertThat(streams.reconcile()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sim.subscriberCount(id) == 1);
        assertThat(streams.openStreams()).containsExactly(id).doesNotContain(silent.get("id").asText());
        Thread.sleep(500);
        assertThat(sim.getCount(id)).as("the replayed history describes the mirrored state: no re-read").isZero();

        sim.advance(java.time.Duration.ofSeconds(1));
        sim.mutate(id, t -> t.put("status", "executing"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().get("/tasks/" + id).then()
                .body("status", equalTo("executing")));
        assertThat(sim.requestCount(RouteKind.LIST_AGENT)).as("no sync cycle ran").isZero();

        sim.advance(java.time.Duration.ofSeconds(1));
        sim.finish(id, "completed", "streamed result");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().get("/tasks/" + id).then()
                .body("status", equalTo("completed")).body("result", equalTo("streamed result")));
        await().atMost(Duration.ofSeconds(5)).until(() -> streams.openStreams().isEmpty());
        assertThat(streams.reconcile()).as("terminal tasks are not followed").isZero();
    }
}
