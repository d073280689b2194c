package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class StopAndDeleteTest extends SimulatorTestBase {

    @Override
    SimulatorOptions options() {
        return SimulatorOptions.builder().tasks(12).driveCreatedTasks(false).build();
    }

    @Test
    void stopIsIdempotentAndKeepsTheRecord() {
        String id = sim.createTask(agent(0), null).get("id").asText();
        sim.advance(Duration.ofSeconds(4));
        Resp first = delete("/agent-execution/" + id);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("content-type")).isEqualTo("application/json");
        ObjectNode stopped = first.object();
        assertThat(stopped.get("status").asText()).isEqualTo("stopped");
        assertThat(stopped.get("is_manually_stopped").asBoolean()).isTrue();
        assertThat(stopped.get("finished_at").asText()).isEqualTo("2026-03-02T09:00:04.000000Z");
        String updated = sim.listItem(id).orElseThrow().get("updated_at").asText();

        sim.advance(Duration.ofSeconds(4));
        Resp second = delete("/agent-execution/" + id);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(sim.listItem(id).orElseThrow().get("updated_at").asText()).isEqualTo(updated);

        assertThat(getTask(id).get("status").asText()).isEqualTo("stopped");
        assertThat(CreateGetListTest.ids(list(agent(0), "status=stopped"))).contains(id);
    }

    @Test
    void stoppingAFinishedTaskReturnsItUnchanged() {
        String id = sim.createTask(agent(1), null).get("id").asText();
        ObjectNode done = sim.finish(id, "completed", "all good");
        ObjectNode afterStop = delete("/agent-execution/" + id).object();
        assertThat(afterStop).isEqualTo(done);
        assertThat(afterStop.get("is_manually_stopped").asBoolean()).isFalse();
        String errored = sim.createTask(agent(1), null).get("id").asText();
        sim.finish(errored, "error", "boom");
        assertThat(delete("/agent-execution/" + errored).object().get("status").asText()).isEqualTo("error");
    }

    @Test
    void stopUnknownIs404() {
        Resp r = delete("/agent-execution/does-not-exist");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("detail").asText()).isEqualTo("Task not found");
    }

    @Test
    void deletedTasksDisappearAndTheirIdCanBeReused() {
        String id = sim.createTask(agent(0), r -> r.put("id", "reused-id").put("title", "before")).get("id").asText();
        assertThat(CreateGetListTest.ids(list(agent(0), null))).contains(id);
        String createdBefore = getTask(id).get("created_at").asText();

        assertThat(sim.delete(id)).isTrue();
        assertThat(sim.delete(id)).isFalse();
        assertThat(get("/agent-execution/" + id + "/status").status()).isEqualTo(404);
        assertThat(patch("/agent-execution/" + id + "/update", "{\"title\":\"x\"}").status()).isEqualTo(404);
        assertThat(delete("/agent-execution/" + id).status()).isEqualTo(404);
        assertThat(get("/activity/" + agent(0) + "/" + id).status()).isEqualTo(404);
        assertThat(CreateGetListTest.ids(list(agent(0), null))).doesNotContain(id);
        assertThat(sim.task(id)).isEmpty();

        sim.advance(Duration.ofMinutes(3));
        ObjectNode again = sim.recreate(id, r -> r.put("title", "after"));
        assertThat(again.get("id").asText()).isEqualTo(id);
        assertThat(again.get("title").asText()).isEqualTo("after");
        assertThat(again.get("status").asText()).isEqualTo("pending");
        assertThat(again.get("created_at").asText()).isEqualTo("2026-03-02T09:03:00.000000Z")
                .isNotEqualTo(createdBefore);
        assertThat(getTask(id).get("title").asText()).isEqualTo("after");
        assertThat(CreateGetListTest.ids(list(agent(0), null)).get(0)).isEqualTo(id);
        assertThatThrownBy(() -> sim.recreate("never-deleted", null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void createWithTheIdOfADeletedTaskStartsAFreshTask() {
        sim.createTask(agent(0), r -> r.put("id", "gone"));
        sim.delete("gone");
        ObjectNode body = sdkCreateBody("fresh");
        body.put("id", "gone");
        ObjectNode created = createViaHttp(agent(1), body);
        assertThat(created.get("agent_id").asText()).isEqualTo(agent(1));
        assertThat(created.get("input").get("text").asText()).isEqualTo("fresh");
    }
}
