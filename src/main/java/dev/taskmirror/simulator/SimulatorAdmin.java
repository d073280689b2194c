package dev.taskmirror.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Control routes of a standalone simulator ({@link SimulatorMain} {@code --admin-port}), so that a separate
 * process (the benchmark in {@code bench/}) can read request counters and make remote changes. Listens on its
 * own port, on the simulator's host, without authentication: a local test tool, never part of a production build.
 *
 * <ul>
 *   <li>{@code GET /admin/counters}: requests per route since the last reset, and the number of tasks</li>
 *   <li>{@code POST /admin/counters/reset}: clears the counters</li>
 *   <li>{@code POST /admin/lifecycle?enabled=false}: freezes (or resumes) lifecycle steps, arrivals and edits</li>
 *   <li>{@code POST /admin/change?fraction=0.01&seed=1}: edits the title of that fraction of the live tasks (a
 *       seeded random sample), as another actor would; answers the changed ids</li>
 *   <li>{@code POST /admin/get-counts} with a JSON array of ids: GET requests per id since the last reset</li>
 *   <li>{@code GET /admin/tasks?unfinished=true}: ids, statuses and {@code events_streaming} of the tasks</li>
 *   <li>{@code POST /admin/finish?id=...&status=completed}: finishes a task as its worker would</li>
 * </ul>
 */
final class SimulatorAdmin {

    private final Vertx vertx;
    private final XpanderSimulator simulator;

    SimulatorAdmin(Vertx vertx, XpanderSimulator simulator) {
        this.vertx = vertx;
        this.simulator = simulator;
    }

    /** Starts listening; the future completes with the bound port. */
    Future<Integer> listen(String host, int port) {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
        server.requestHandler(req -> req.body().onComplete(ar -> {
            String body = ar.succeeded() && ar.result() != null ? ar.result().toString(StandardCharsets.UTF_8) : "";
            // Sampling and editing thousands of tasks is blocking work: keep it off the event loop.
            vertx.<JsonNode> executeBlocking(() -> handle(req, body), false).onComplete(res -> {
                if (res.succeeded()) {
                    send(req, res.result() == null ? 404 : 200, res.result() == null ? error("not found") : res.result());
                } else {
                    send(req, 400, error(String.valueOf(res.cause().getMessage())));
                }
            });
        }));
        return server.listen().map(HttpServer::actualPort);
    }

    private JsonNode handle(HttpServerRequest req, String body) {
        String path = req.path();
        HttpMethod method = req.method();
        if (method == HttpMethod.GET && path.equals("/admin/counters")) {
            ObjectNode out = SimJson.object();
            ObjectNode routes = out.putObject("routes");
            for (Map.Entry<RouteKind, Long> e : simulator.requestCounts().entrySet()) {
                routes.put(e.getKey().name(), e.getValue());
            }
            out.put("tasks", simulator.taskCount());
            return out;
        }
        if (method == HttpMethod.POST && path.equals("/admin/counters/reset")) {
            simulator.resetCounters();
            return SimJson.object();
        }
        if (method == HttpMethod.POST && path.equals("/admin/lifecycle")) {
            simulator.setLifecycleEnabled(Boolean.parseBoolean(req.getParam("enabled", "true")));
            return SimJson.object().put("enabled", simulator.isLifecycleEnabled());
        }
        if (method == HttpMethod.POST && path.equals("/admin/change")) {
            double fraction = Double.parseDouble(req.getParam("fraction", "0.01"));
            SplittableRandom random = new SplittableRandom(Long.parseLong(req.getParam("seed", "1")));
            ObjectNode out = SimJson.object();
            ArrayNode changed = out.putArray("changed");
            for (String agent : simulator.agentIds()) {
                for (String id : simulator.taskIds(agent)) {
                    if (random.nextDouble() < fraction) {
                        simulator.mutate(id, doc -> doc.put("title", doc.path("title").asText("") + " (edited)"));
                        changed.add(id);
                    }
                }
            }
            return out;
        }
        if (method == HttpMethod.POST && path.equals("/admin/get-counts")) {
            ObjectNode out = SimJson.object();
            out.put("get_total", simulator.requestCount(RouteKind.GET));
            ObjectNode counts = out.putObject("counts");
            for (JsonNode id : SimJson.parse(body)) {
                counts.put(id.asText(), simulator.getCount(id.asText()));
            }
            return out;
        }
        if (method == HttpMethod.GET && path.equals("/admin/tasks")) {
            boolean unfinished = Boolean.parseBoolean(req.getParam("unfinished", "false"));
            ArrayNode out = SimJson.array();
            for (String agent : simulator.agentIds()) {
                for (String id : simulator.taskIds(agent)) {
                    ObjectNode item = simulator.listItem(id).orElse(null);
                    if (item == null) {
                        continue;
                    }
                    String status = item.path("status").asText();
                    if (unfinished && TaskDocs.isTerminal(status)) {
                        continue;
                    }
                    boolean streaming = simulator.task(id).map(t -> t.path("events_streaming").asBoolean(false))
                            .orElse(false);
                    out.addObject().put("id", id).put("agent_id", agent).put("status", status)
                            .put("events_streaming", streaming);
                }
            }
            return out;
        }
        if (method == HttpMethod.POST && path.equals("/admin/finish")) {
            String id = req.getParam("id");
            ObjectNode task = simulator.finish(id, req.getParam("status", "completed"), "Finished for a benchmark.");
            return SimJson.object().put("id", id).put("status", task.path("status").asText());
        }
        return null;
    }

    private static ObjectNode error(String message) {
        return SimJson.object().put("detail", message);
    }

    private static void send(HttpServerRequest req, int status, JsonNode body) {
        req.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(Buffer.buffer(SimJson.bytes(body)));
    }
}
