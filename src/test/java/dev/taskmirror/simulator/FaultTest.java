package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

class FaultTest extends SimulatorTestBase {

    @Override
    SimulatorOptions options() {
        return SimulatorOptions.builder().tasks(30).driveCreatedTasks(false).build();
    }

    private String task() {
        return sim.taskIds(agent(0)).get(0);
    }

    @Test
    void a503ThenSuccess() {
        sim.enqueueFault(Fault.on(RouteKind.GET).status(503).build());
        assertThat(sim.pendingFaults()).hasSize(1);
        Resp first = get("/agent-execution/" + task() + "/status");
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.json().get("detail").asText()).isEqualTo("Service Unavailable");
        assertThat(get("/agent-execution/" + task() + "/status").status()).isEqualTo(200);
        assertThat(sim.pendingFaults()).isEmpty();
        assertThat(sim.requestCount(RouteKind.GET)).isEqualTo(2);
    }

    @Test
    void a429WithRetryAfterTwiceForOneTaskOnly() {
        String target = task();
        String other = sim.taskIds(agent(0)).get(1);
        sim.enqueueFault(Fault.on(RouteKind.GET).target(target).status(429).retryAfter("2").times(2).build());
        assertThat(get("/agent-execution/" + other + "/status").status()).isEqualTo(200);
        Resp r = get("/agent-execution/" + target + "/status");
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("retry-after")).isEqualTo("2");
        assertThat(get("/agent-execution/" + target + "/status").status()).isEqualTo(429);
        assertThat(get("/agent-execution/" + target + "/status").status()).isEqualTo(200);
    }

    @Test
    void resetClosesTheConnectionWithoutAnswer() {
        // the JDK client silently retries an idempotent GET once on a closed connection, so reset twice
        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).reset().times(2).build());
        assertThatThrownBy(() -> get("/agent-execution/executions/history/" + agent(0)))
                .isInstanceOf(UncheckedIOException.class);
        sim.clearFaults();
        assertThat(list(agent(0), null)).isNotEmpty();
        sim.enqueueFault(Fault.on(RouteKind.STOP).reset().build());
        String id = sim.createTask(agent(0), null).get("id").asText();
        assertThatThrownBy(() -> delete("/agent-execution/" + id)).isInstanceOf(UncheckedIOException.class);
        assertThat(sim.task(id).orElseThrow().get("status").asText()).isEqualTo("pending");
        assertThat(sim.journal()).extracting(RecordedRequest::status).contains(0);
    }

    @Test
    void malformedAndTruncatedBodies() {
        sim.enqueueFaults(Fault.on(RouteKind.GET).malformed().build(), Fault.on(RouteKind.GET).truncate().build());
        Resp malformed = get("/agent-execution/" + task() + "/status");
        assertThat(malformed.status()).isEqualTo(200);
        assertThat(malformed.header("content-type")).isEqualTo("application/json");
        assertThatThrownBy(malformed::json).hasCauseInstanceOf(IOException.class);
        Resp truncated = get("/agent-execution/" + task() + "/status");
        assertThat(truncated.status()).isEqualTo(200);
        assertThat(truncated.body()).startsWith("{\"id\":\"" + task());
        assertThatThrownBy(truncated::json).hasCauseInstanceOf(IOException.class);
        assertThat(get("/agent-execution/" + task() + "/status").json().get("id").asText()).isEqualTo(task());
    }

    @Test
    void delayBeforeAnswering() {
        sim.enqueueFault(Fault.on(RouteKind.GET).delay(Duration.ofMillis(400)).build());
        long t0 = System.nanoTime();
        assertThat(get("/agent-execution/" + task() + "/status").status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(380));
        String pending = sim.createTask(agent(0), null).get("id").asText();
        sim.enqueueFault(Fault.on(RouteKind.STOP).delayMillis(200).status(500).build());
        t0 = System.nanoTime();
        assertThat(delete("/agent-execution/" + pending).status()).isEqualTo(500);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(180));
        assertThat(sim.task(pending).orElseThrow().get("status").asText()).as("not applied").isEqualTo("pending");
    }

    @Test
    void afterApplyLosesTheAnswerButKeepsTheChange() {
        String id = sim.createTask(agent(0), null).get("id").asText();
        sim.enqueueFault(Fault.on(RouteKind.UPDATE).target(id).status(500).afterApply().build());
        Resp r = patch("/agent-execution/" + id + "/update", "{\"internal_status\":\"applied\"}");
        assertThat(r.status()).isEqualTo(500);
        assertThat(getTask(id).get("internal_status").asText()).isEqualTo("applied");

        sim.enqueueFault(Fault.on(RouteKind.CREATE).reset().afterApply().build());
        int before = sim.taskCount();
        assertThatThrownBy(() -> post("/agent-execution/" + agent(0), sdkCreateBody("lost answer").toString()))
                .isInstanceOf(UncheckedIOException.class);
        assertThat(sim.taskCount()).isEqualTo(before + 1);

        sim.enqueueFault(Fault.on(RouteKind.CREATE).status(503).build());
        assertThat(post("/agent-execution/" + agent(0), sdkCreateBody("rejected").toString()).status())
                .isEqualTo(503);
        assertThat(sim.taskCount()).isEqualTo(before + 1);
    }

    @Test
    void listFaultsOmitDuplicateAndServeStaleItems() {
        ArrayNode clean = list(agent(0), null);
        List<String> ids = CreateGetListTest.ids(clean);

        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).omit(2).build());
        ArrayNode omitted = list(agent(0), null);
        assertThat(omitted).hasSize(clean.size() - 2);

        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).omitIds(ids.get(1)).build());
        assertThat(CreateGetListTest.ids(list(agent(0), null))).doesNotContain(ids.get(1)).contains(ids.get(0));

        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).duplicate(ids.get(2)).build());
        ArrayNode duplicated = list(agent(0), null);
        assertThat(duplicated).hasSize(clean.size() + 1);
        assertThat(duplicated.get(2)).isEqualTo(duplicated.get(3));

        String changed = ids.get(0);
        JsonNode oldItem = clean.get(0);
        patch("/agent-execution/" + changed + "/update", "{\"internal_status\":\"new\"}");
        sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).stale(changed).build());
        JsonNode stale = list(agent(0), null).get(0);
        assertThat(stale).isEqualTo(oldItem);
        assertThat(list(agent(0), null).get(0)).isNotEqualTo(oldItem);

        sim.enqueueFault(Fault.on(RouteKind.GET).stale().build());
        JsonNode staleTask = get("/agent-execution/" + changed + "/status").json();
        assertThat(staleTask.get("internal_status").asText("")).isNotEqualTo("new");
        assertThat(getTask(changed).get("internal_status").asText()).isEqualTo("new");
    }

    @Test
    void eventStreamFaults() {
        String id = sim.createTask(agent(0), r -> r.put("events_streaming", true)).get("id").asText();
        sim.enqueueFault(Fault.on(RouteKind.EVENTS).status(503).build());
        assertThat(get("/" + ORG + "/agent-execution/" + id + "/events").status()).isEqualTo(503);

        sim.enqueueFault(Fault.on(RouteKind.EVENTS).malformed().build());
        try (SseStream stream = new SseStream("/" + ORG + "/agent-execution/" + id + "/events", "x-api-key", KEY)) {
            String first = stream.next(Duration.ofSeconds(5));
            assertThat(first).startsWith("data: ");
            assertThatThrownBy(() -> JSON.readTree(first.substring(6))).isInstanceOf(IOException.class);
            assertThat(stream.nextEvent(Duration.ofSeconds(5)).get("type").asText()).isEqualTo("task_created");
        }
    }

    @Test
    void clearFaults() {
        sim.enqueueFault(Fault.on(RouteKind.GET).status(500).times(5).build());
        assertThat(sim.pendingFaults().get(0).times()).isEqualTo(5);
        get("/agent-execution/" + task() + "/status");
        assertThat(sim.pendingFaults().get(0).times()).isEqualTo(4);
        sim.clearFaults();
        assertThat(get("/agent-execution/" + task() + "/status").status()).isEqualTo(200);
    }
}
