package dev.taskmirror.support;

import java.util.Map;

import dev.taskmirror.simulator.SimulatorHttpServer;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.simulator.XpanderSimulator;
import io.vertx.core.Vertx;

/**
 * The simulator on its own Vert.x instance and port in the test JVM, as the remote of a service running in
 * another process.
 */
public final class SimulatorProcess implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final XpanderSimulator simulator;
    private final SimulatorHttpServer server;

    public SimulatorProcess(SimulatorOptions options) {
        simulator = new XpanderSimulator(options);
        server = new SimulatorHttpServer(vertx, simulator, "127.0.0.1", 0);
        server.start();
    }

    public XpanderSimulator sim() {
        return simulator;
    }

    /** Environment pointing a service process at this simulator and its agents. */
    public Map<String, String> env() {
        return Map.of(
                "XPANDER_BASE_URL", server.baseUrl(),
                "XPANDER_API_KEY", simulator.apiKey(),
                "XPANDER_ORGANIZATION_ID", simulator.organizationId(),
                "MIRROR_SYNC_AGENT_IDS", String.join(",", simulator.agentIds()));
    }

    @Override
    public void close() {
        server.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
