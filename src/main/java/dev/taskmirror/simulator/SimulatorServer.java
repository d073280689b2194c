package dev.taskmirror.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.taskmirror.remote.RemoteEndpointOverride;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/**
 * Runs the simulator inside the application in dev mode and tests and offers it as the remote endpoint.
 *
 * <p>Configuration ({@code mirror.simulator.*}): {@code port} (0 = random), {@code seed}, {@code agents},
 * {@code tasks}, {@code tick} (e.g. {@code 1s}; {@code 0} or {@code off} = manual clock that tests move with
 * {@link XpanderSimulator#advance(Duration)}), {@code api-key}, {@code organization-id}, {@code arrival} and
 * {@code remote-edits} (rates such as {@code 6/min}; default 6/min and 2/min with a ticker, none without),
 * {@code auto-register-agents}.
 *
 * <p>Tests inject this bean and use {@link #simulator()} to drive the state directly.
 */
@ApplicationScoped
@Startup
@IfBuildProfile(anyOf = {"dev", "test"})
public class SimulatorServer implements RemoteEndpointOverride {

    @ConfigProperty(name = "mirror.simulator.port", defaultValue = "0")
    int port;

    @ConfigProperty(name = "mirror.simulator.seed", defaultValue = "42")
    long seed;

    @ConfigProperty(name = "mirror.simulator.agents", defaultValue = "3")
    int agents;

    @ConfigProperty(name = "mirror.simulator.tasks", defaultValue = "300")
    int tasks;

    @ConfigProperty(name = "mirror.simulator.tick", defaultValue = "1s")
    String tick;

    @ConfigProperty(name = "mirror.simulator.api-key", defaultValue = SimulatorOptions.DEFAULT_API_KEY)
    String apiKey;

    @ConfigProperty(name = "mirror.simulator.organization-id", defaultValue = SimulatorOptions.DEFAULT_ORGANIZATION_ID)
    String organizationId;

    @ConfigProperty(name = "mirror.simulator.arrival")
    Optional<String> arrival;

    @ConfigProperty(name = "mirror.simulator.remote-edits")
    Optional<String> remoteEdits;

    @ConfigProperty(name = "mirror.simulator.auto-register-agents", defaultValue = "false")
    boolean autoRegisterAgents;

    /**
     * Its own Vert.x instance: the simulated remote must not share the service's event loops, nor show up in
     * the service's HTTP server metrics.
     */
    private Vertx vertx;
    private XpanderSimulator simulator;
    private SimulatorHttpServer server;
    private long timerId = -1;

    @PostConstruct
    void start() {
        Duration interval = SimulatorOptions.parseDuration(tick);
        boolean ticking = !interval.isZero();
        SimulatorOptions options = SimulatorOptions.builder()
                .seed(seed)
                .agents(agents)
                .tasks(tasks)
                .apiKey(apiKey)
                .organizationId(organizationId)
                .manualClock(!ticking)
                .tickInterval(interval)
                .arrivalsPerMinute(arrival.map(SimulatorOptions::parseRatePerMinute).orElse(ticking ? 6.0 : 0.0))
                .remoteEditsPerMinute(remoteEdits.map(SimulatorOptions::parseRatePerMinute).orElse(ticking ? 2.0 : 0.0))
                .autoRegisterAgents(autoRegisterAgents)
                .build();
        simulator = new XpanderSimulator(options);
        vertx = Vertx.vertx();
        server = new SimulatorHttpServer(vertx, simulator, "127.0.0.1", port);
        server.start();
        if (ticking) {
            timerId = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> simulator.tick());
        }
    }

    @PreDestroy
    void stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        if (server != null) {
            try {
                server.stop();
            } catch (RuntimeException e) {
                // the Vert.x instance may already be closing
            }
            server = null;
        }
        if (vertx != null) {
            vertx.close();
            vertx = null;
        }
    }

    /** The simulated service, for tests that drive state, time and faults directly. */
    public XpanderSimulator simulator() {
        return simulator;
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    @Override
    public String baseUrl() {
        return server.baseUrl();
    }

    @Override
    public String apiKey() {
        return simulator.apiKey();
    }

    @Override
    public Optional<String> organizationId() {
        return Optional.of(simulator.organizationId());
    }

    @Override
    public List<String> agentIds() {
        return simulator.agentIds();
    }
}
