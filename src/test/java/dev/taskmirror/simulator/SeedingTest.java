package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

class SeedingTest extends SimulatorTestBase {

    @Override
    SimulatorOptions options() {
        return SimulatorOptions.builder().tasks(0).build();
    }

    @Test
    void zeroTasksIsAValidState() {
        assertThat(sim.taskCount()).isZero();
        assertThat(sim.agentIds()).hasSize(3);
        assertThat(list(agent(0), null)).isEmpty();
        assertThat(get("/agent-execution/executions/history/" + agent(0)).body()).isEqualTo("[]");
        sim.advance(Duration.ofHours(1));
        assertThat(sim.taskCount()).isZero();
    }

    @Test
    void hundredThousandTasksSeedQuicklyAndListCompletely() {
        long t0 = System.nanoTime();
        sim.reset(SimulatorOptions.builder().tasks(100_000).agents(3).build());
        Duration seeding = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(seeding).as("sanity bound only").isLessThan(Duration.ofSeconds(20));
        assertThat(sim.taskCount()).isEqualTo(100_000);

        int total = 0;
        int running = 0;
        for (String agentId : sim.agentIds()) {
            ArrayNode items = list(agentId, null);
            total += items.size();
            String previous = null;
            for (JsonNode item : items) {
                String status = item.get("status").asText();
                if (status.equals("pending") || status.equals("executing") || status.equals("paused")) {
                    running++;
                }
                String created = item.get("created_at").asText();
                if (previous != null) {
                    assertThat(created.compareTo(previous)).isLessThanOrEqualTo(0);
                }
                previous = created;
            }
        }
        assertThat(total).isEqualTo(100_000);
        assertThat(running).isPositive().isLessThan(1_000);
    }

    @Test
    void singleTaskSingleAgent() {
        sim.reset(SimulatorOptions.builder().tasks(1).agents(1).build());
        assertThat(list(agent(0), null)).hasSize(1);
    }
}
