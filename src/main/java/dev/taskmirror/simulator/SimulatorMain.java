package dev.taskmirror.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import io.vertx.core.Vertx;

/**
 * Runs the simulator as its own process.
 *
 * <pre>
 * java -cp target/classes:$(cat cp.txt) dev.taskmirror.simulator.SimulatorMain --port=9090 --tasks=100000
 * </pre>
 *
 * Options (all optional): {@code --port=0} (0 = random), {@code --host=127.0.0.1}, {@code --seed=42},
 * {@code --agents=3}, {@code --tasks=300}, {@code --api-key=sim-demo-key}, {@code --org=<uuid>},
 * {@code --tick=1s} ({@code off} = manual clock, nothing moves), {@code --arrival=6/min}, {@code --edits=2/min},
 * {@code --pending=1s..5s}, {@code --execution=5s..45s}, {@code --pause=5s..20s}, {@code --pause-probability=0.15},
 * {@code --history=7d}, {@code --keep-alive=5s}, {@code --journal=1000}, {@code --list-cap=0},
 * {@code --auto-register-agents}, {@code --auth-status=403}, {@code --start=<ISO instant>} (manual clock start),
 * {@code --admin-port=<port>} (control routes for benchmarks, see {@link SimulatorAdmin}; 0 = random; off unless given).
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) {
        Config config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.println(usage());
            return;
        }
        long t0 = System.nanoTime();
        XpanderSimulator simulator = new XpanderSimulator(config.options);
        long seededMs = (System.nanoTime() - t0) / 1_000_000;
        Vertx vertx = Vertx.vertx();
        SimulatorHttpServer server = new SimulatorHttpServer(vertx, simulator, config.host, config.port);
        try {
            server.start();
        } catch (RuntimeException e) {
            System.err.println("error: cannot start the simulator: " + e.getMessage());
            vertx.close();
            System.exit(1);
            return;
        }
        int adminPort = -1;
        if (config.adminPort >= 0) {
            try {
                adminPort = new SimulatorAdmin(vertx, simulator).listen(config.host, config.adminPort)
                        .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("error: cannot start the admin routes: " + e.getMessage());
                vertx.close();
                System.exit(1);
                return;
            }
        }
        Duration tick = config.options.tickInterval();
        if (!tick.isZero() && !config.options.manualClock()) {
            vertx.setPeriodic(Math.max(1, tick.toMillis()), id -> simulator.tick());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (RuntimeException ignored) {
                // shutting down anyway
            }
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }, "simulator-shutdown"));
        System.out.println("xpander simulator listening on " + server.baseUrl() + " (org=" + simulator.organizationId()
                + ", agents=" + String.join(",", simulator.agentIds()) + ", api key=" + simulator.apiKey() + ")"
                + (adminPort >= 0 ? "; admin routes on http://" + config.host + ":" + adminPort + "/admin" : ""));
        System.out.flush();
        System.err.println("seeded " + simulator.taskCount() + " tasks in " + seededMs + " ms; clock="
                + (config.options.manualClock() ? "manual" : "real-time, tick " + tick));
    }

    record Config(String host, int port, int adminPort, SimulatorOptions options) {
    }

    /** Parses the command line; returns null for {@code --help}. */
    static Config parse(String[] args) {
        SimulatorOptions.Builder b = SimulatorOptions.builder()
                .manualClock(false)
                .arrivalsPerMinute(6)
                .remoteEditsPerMinute(2);
        String host = "127.0.0.1";
        int port = 0;
        int adminPort = -1;
        boolean tickOff = false;
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            int eq = arg.indexOf('=');
            String name = (eq < 0 ? arg.substring(2) : arg.substring(2, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "true" : arg.substring(eq + 1);
            try {
                switch (name) {
                    case "port" -> port = Integer.parseInt(value);
                    case "host" -> host = value;
                    case "admin-port" -> adminPort = Integer.parseInt(value);
                    case "seed" -> b.seed(Long.parseLong(value));
                    case "agents" -> b.agents(Integer.parseInt(value));
                    case "tasks" -> b.tasks(Integer.parseInt(value));
                    case "api-key" -> b.apiKey(value);
                    case "org", "organization-id" -> b.organizationId(value);
                    case "tick" -> {
                        Duration d = SimulatorOptions.parseDuration(value);
                        tickOff = d.isZero();
                        b.tickInterval(d);
                    }
                    case "arrival", "arrivals" -> b.arrivalsPerMinute(SimulatorOptions.parseRatePerMinute(value));
                    case "edits", "remote-edits" -> b.remoteEditsPerMinute(SimulatorOptions.parseRatePerMinute(value));
                    case "pending" -> b.pendingTime(SimulatorOptions.Span.parse(value));
                    case "execution" -> b.executionTime(SimulatorOptions.Span.parse(value));
                    case "pause" -> b.pauseTime(SimulatorOptions.Span.parse(value));
                    case "pause-probability" -> b.pauseProbability(Double.parseDouble(value));
                    case "history" -> b.seedHistory(SimulatorOptions.parseDuration(value));
                    case "keep-alive" -> b.sseKeepAlive(SimulatorOptions.parseDuration(value));
                    case "journal" -> b.journalSize(Integer.parseInt(value));
                    case "list-cap" -> b.listCap(Integer.parseInt(value));
                    case "auto-register-agents" -> b.autoRegisterAgents(Boolean.parseBoolean(value));
                    case "auth-status" -> b.authFailureStatus(Integer.parseInt(value));
                    case "start" -> b.startTime(Instant.parse(value));
                    case "updated-at-in-task" -> b.includeUpdatedAtInTask(Boolean.parseBoolean(value));
                    default -> throw new IllegalArgumentException("unknown option --" + name);
                }
            } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("invalid value for --" + name + ": " + value);
            }
        }
        if (tickOff) {
            b.manualClock(true);
        }
        return new Config(host, port, adminPort, b.build());
    }

    static String usage() {
        return "usage: SimulatorMain [--port=0] [--host=127.0.0.1] [--seed=42] [--agents=3] [--tasks=300]"
                + " [--api-key=sim-demo-key] [--org=<uuid>] [--tick=1s|off] [--arrival=6/min] [--edits=2/min]"
                + " [--pending=1s..5s] [--execution=5s..45s] [--pause=5s..20s] [--pause-probability=0.15]"
                + " [--history=7d] [--keep-alive=5s] [--journal=1000] [--list-cap=0] [--auto-register-agents]"
                + " [--auth-status=403] [--start=<instant>] [--updated-at-in-task] [--admin-port=<port>]";
    }
}
