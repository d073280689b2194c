package dev.taskmirror.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}, prod profile) as a separate process,
 * so tests can kill it with SIGKILL, stop it with SIGTERM and restart it. Output goes to a log file.
 */
public final class AppProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private final Map<String, String> env;
    private final int port;
    private final Path log;
    private String heap = "-Xmx256m";
    private Process process;

    public AppProcess(String name, Map<String, String> env) throws IOException {
        this.env = new HashMap<>(ItDatabase.settings());
        // Process tests exercise behaviour, not authentication (ApiKeySecurityTest and the secrets IT do that).
        this.env.put("MIRROR_SECURITY_ANONYMOUS_ROLES", "admin");
        this.env.putAll(env);
        this.port = freePort();
        this.env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        Files.createDirectories(Path.of("target", "it-logs"));
        this.log = Path.of("target", "it-logs", name + ".log");
    }

    /** Maximum heap of the service process, e.g. {@code 96m}. */
    public AppProcess heap(String max) {
        this.heap = "-Xmx" + max;
        return this;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public AppProcess start() throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: process tests run after 'package' (./mvnw verify)");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-XX:+ExitOnOutOfMemoryError", "-jar", JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        awaitReady(Duration.ofSeconds(90));
        return this;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or released. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM; returns the exit code, or -1 if it did not exit in time. */
    public int terminate(Duration grace) throws InterruptedException {
        if (process == null) {
            return -1;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return -1;
        }
        return process.exitValue();
    }

    public void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("service exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("service not ready within " + timeout + "; see " + log);
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            terminate(Duration.ofSeconds(20));
            if (alive()) {
                kill();
            }
        }
    }
}
