package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class RoutingAndAuthTest extends SimulatorTestBase {

    @Test
    void missingOrUnknownKeyIs403OnEveryRoute() {
        String task = sim.taskIds(agent(0)).get(0);
        var updatedBefore = sim.updatedAt(task).orElseThrow();
        List<String[]> routes = List.of(
                new String[] {"GET", "/agent-execution/" + task + "/status"},
                new String[] {"GET", "/agent-execution/executions/history/" + agent(0)},
                new String[] {"GET", "/agent-execution/executions/history/user/user-1000"},
                new String[] {"POST", "/agent-execution/" + agent(0)},
                new String[] {"PATCH", "/agent-execution/" + task + "/update"},
                new String[] {"DELETE", "/agent-execution/" + task},
                new String[] {"GET", "/" + ORG + "/agent-execution/" + task + "/events"},
                new String[] {"POST", "/agent-execution/" + task + "/events/push"},
                new String[] {"GET", "/activity/" + agent(0) + "/" + task},
                new String[] {"POST", "/agent-execution/" + agent(0) + "/report_task"},
                new String[] {"POST", "/agents-metrics/" + agent(0) + "/execution"});
        for (String[] r : routes) {
            String body = r[0].equals("GET") || r[0].equals("DELETE") ? null : "{}";
            Resp none = send(r[0], r[1], body);
            assertThat(none.status()).as(r[0] + " " + r[1]).isEqualTo(403);
            assertThat(none.header("content-type")).isEqualTo("application/json");
            assertThat(none.json().get("detail").asText()).isEqualTo("Invalid API key");
            Resp wrong = send(r[0], r[1], body, "x-api-key", "nope");
            assertThat(wrong.status()).as(r[0] + " " + r[1]).isEqualTo(403);
        }
        assertThat(sim.updatedAt(task)).as("rejected requests change nothing").contains(updatedBefore);
        assertThat(sim.metricsReports()).isEmpty();
    }

    @Test
    void authFailureStatusIsConfigurable() {
        sim.reset(options().toBuilder().authFailureStatus(401).build());
        assertThat(send("GET", "/agent-execution/x/status", null).status()).isEqualTo(401);
    }

    @Test
    void unknownRoutesAndMethods() {
        Resp unknown = get("/nothing/here/at/all/really");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asText()).isEqualTo("Not Found");
        Resp method = send("PUT", "/agent-execution/abc/status", null, "x-api-key", KEY);
        assertThat(method.status()).isEqualTo(405);
        assertThat(get("/agent-execution/executions/history/a/b/c").status()).isEqualTo(404);
    }

    @Test
    void everyRouteWorksWithAndWithoutOrganizationSegment() {
        String task = sim.taskIds(agent(0)).get(0);
        ObjectNode plain = get("/agent-execution/" + task + "/status").object();
        ObjectNode prefixed = get("/" + ORG + "/agent-execution/" + task + "/status").object();
        assertThat(prefixed).isEqualTo(plain);
        assertThat(get("/" + ORG + "/agent-execution/executions/history/" + agent(0)).body())
                .isEqualTo(get("/agent-execution/executions/history/" + agent(0)).body());
        assertThat(get("/" + ORG + "/activity/" + agent(0) + "/" + task).status()).isEqualTo(200);
        assertThat(send("POST", "/" + ORG + "/agents-metrics/" + agent(0) + "/execution", "{}", "x-api-key", KEY)
                .status()).isEqualTo(200);

        Resp otherOrg = get("/11111111-1111-4111-8111-111111111111/agent-execution/" + task + "/status");
        assertThat(otherOrg.status()).isEqualTo(404);
        assertThat(get("/None/agent-execution/" + task + "/status").status()).isEqualTo(404);
    }

    @Test
    void tasksOfAnotherOrganizationAreNotFound() {
        String otherOrg = "22222222-2222-4222-8222-222222222222";
        sim.addOrganization(otherOrg, "other-key");
        sim.registerAgent(otherOrg, "agent-other");
        ObjectNode foreign = sim.createTask("agent-other", r -> r.put("id", "foreign-task"));
        assertThat(foreign.get("organization_id").asText()).isEqualTo(otherOrg);

        assertThat(get("/agent-execution/foreign-task/status").status()).isEqualTo(404);
        assertThat(patch("/agent-execution/foreign-task/update", "{\"title\":\"x\"}").status()).isEqualTo(404);
        assertThat(delete("/agent-execution/foreign-task").status()).isEqualTo(404);
        assertThat(get("/agent-execution/executions/history/agent-other").status()).isEqualTo(404);

        Resp own = send("GET", "/agent-execution/foreign-task/status", null, "x-api-key", "other-key");
        assertThat(own.status()).isEqualTo(200);
        assertThat(send("GET", "/agent-execution/" + sim.taskIds(agent(0)).get(0) + "/status", null,
                "x-api-key", "other-key").status()).isEqualTo(404);
    }

    @Test
    void clientChosenIdsWithUnusualCharactersRoundTrip() {
        ObjectNode body = sdkCreateBody("hello");
        body.put("id", "thread async/ü 456");
        Resp created = post("/agent-execution/" + agent(0), body.toString());
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.json().get("id").asText()).isEqualTo("thread async/ü 456");
        Resp fetched = get("/agent-execution/thread%20async%2F%C3%BC%20456/status");
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json().get("input").get("text").asText()).isEqualTo("hello");
    }

    @Test
    void countersAndJournal() {
        String task = sim.taskIds(agent(0)).get(0);
        get("/agent-execution/" + task + "/status");
        get("/agent-execution/" + task + "/status");
        list(agent(0), "status=completed");
        post("/agent-execution/" + agent(1), sdkCreateBody("count me").toString());
        send("GET", "/agent-execution/" + task + "/status", null);

        assertThat(sim.requestCount(RouteKind.GET)).isEqualTo(3);
        assertThat(sim.getCount(task)).isEqualTo(3);
        assertThat(sim.requestCount(RouteKind.LIST_AGENT)).isEqualTo(1);
        assertThat(sim.requestCount(RouteKind.CREATE)).isEqualTo(1);
        assertThat(sim.requestCounts().get(RouteKind.STOP)).isZero();

        List<RecordedRequest> journal = sim.journal();
        assertThat(journal).hasSize(5);
        RecordedRequest listCall = journal.get(2);
        assertThat(listCall.kind()).isEqualTo(RouteKind.LIST_AGENT);
        assertThat(listCall.query()).isEqualTo("status=completed");
        assertThat(listCall.target()).isEqualTo(agent(0));
        assertThat(listCall.headers().get("x-api-key")).isEqualTo("***");
        RecordedRequest create = journal.get(3);
        assertThat(create.method()).isEqualTo("POST");
        assertThat(create.body()).contains("count me");
        assertThat(journal.get(4).status()).isEqualTo(403);

        sim.resetCounters();
        assertThat(sim.requestCount(RouteKind.GET)).isZero();
        assertThat(sim.getCount(task)).isZero();
        assertThat(sim.journal()).isEmpty();
    }
}
