package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class DeterminismTest extends SimulatorTestBase {

    @Override
    SimulatorOptions options() {
        return SimulatorOptions.builder().seed(7).tasks(200).arrivalsPerMinute(4).remoteEditsPerMinute(3).build();
    }

    private List<String> snapshot() {
        List<String> out = new ArrayList<>();
        for (String agentId : sim.agentIds()) {
            out.add(get("/agent-execution/executions/history/" + agentId).body());
            for (String id : sim.taskIds(agentId)) {
                out.add(get("/agent-execution/" + id + "/status").body());
            }
        }
        return out;
    }

    private List<String> scenario() {
        List<String> out = new ArrayList<>(snapshot());
        ObjectNode body = sdkCreateBody("deterministic");
        body.put("events_streaming", true);
        out.add(post("/agent-execution/" + agent(1), body.toString()).body());
        sim.advance(Duration.ofMinutes(3));
        String first = sim.taskIds(agent(0)).get(0);
        out.add(patch("/agent-execution/" + first + "/update", "{\"internal_status\":\"x\"}").body());
        sim.advance(Duration.ofMinutes(2));
        out.add(get("/activity/" + agent(0) + "/" + first).body());
        out.addAll(snapshot());
        return out;
    }

    @Test
    void sameSeedAndCallsGiveIdenticalJson() {
        List<String> a = scenario();
        sim.reset(options());
        List<String> b = scenario();
        assertThat(b).isEqualTo(a);

        XpanderSimulator other = new XpanderSimulator(options());
        assertThat(other.agentIds()).isEqualTo(sim.agentIds());
    }

    @Test
    void differentSeedsGiveDifferentData() {
        String listA = get("/agent-execution/executions/history/" + agent(0)).body();
        List<String> agentsA = sim.agentIds();
        sim.reset(options().toBuilder().seed(8).build());
        assertThat(sim.agentIds()).isNotEqualTo(agentsA);
        assertThat(get("/agent-execution/executions/history/" + agent(0)).body()).isNotEqualTo(listA);
    }

    @Test
    void seededOrganizationLooksLikeTheDemo() {
        assertThat(sim.agentIds()).hasSize(3).allMatch(id -> id.matches(
                "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
        int total = 0;
        int terminal = 0;
        for (String agentId : sim.agentIds()) {
            for (var item : list(agentId, null)) {
                total++;
                if (List.of("completed", "failed", "error", "stopped").contains(item.get("status").asText())) {
                    terminal++;
                }
                assertThat(item.get("created_at").asText()).isLessThanOrEqualTo("2026-03-02T09:00:00.000000Z")
                        .isGreaterThan("2026-02-23T08:59:59.000000Z");
            }
        }
        assertThat(total).isEqualTo(200);
        assertThat(terminal).isGreaterThan(total / 2).isLessThan(total);
    }
}
