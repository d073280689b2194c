package dev.taskmirror.devdb;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Starts one embedded PostgreSQL per JVM and mode. Dev data persists in {@code target/embedded-pg/dev};
 * test data lives in a temporary directory removed at exit. Quarkus rebuilds configuration with new
 * class loaders on every live reload, so the running server is remembered in JVM-global system
 * properties rather than in a static field.
 */
public class EmbeddedPostgresLauncher implements Function<String, Map<String, String>> {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresLauncher.class);

    @Override
    public Map<String, String> apply(String mode) {
        String portKey = "embedded-pg." + mode + ".port";
        String failureKey = "embedded-pg." + mode + ".failure";
        synchronized (System.getProperties()) {
            String failure = System.getProperty(failureKey);
            if (failure != null) {
                throw new IllegalStateException("The embedded PostgreSQL failed earlier in this JVM (" + failure
                        + "); fix the cause and restart, or set QUARKUS_DATASOURCE_JDBC_URL");
            }
            String port = System.getProperty(portKey);
            if (port == null) {
                try {
                    port = Integer.toString(start(mode));
                } catch (IOException | RuntimeException e) {
                    System.setProperty(failureKey, String.valueOf(e.getMessage()));
                    throw new IllegalStateException("Cannot start the embedded PostgreSQL: " + e.getMessage()
                            + " (set QUARKUS_DATASOURCE_JDBC_URL to use an external PostgreSQL)", e);
                }
                System.setProperty(portKey, port);
            }
            return Map.of(
                    EmbeddedPostgresConfigSourceFactory.URL_KEY, "jdbc:postgresql://localhost:" + port + "/postgres",
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres");
        }
    }

    private static int start(String mode) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "200")
                .setPGStartupWait(Duration.ofSeconds(60));
        Path dataDir = null;
        if ("dev".equals(mode)) {
            dataDir = targetDir().resolve("embedded-pg").resolve("dev");
            Files.createDirectories(dataDir);
            stopOrphan(dataDir);
            builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
        }
        EmbeddedPostgres pg = builder.start();
        LOG.infof("Embedded PostgreSQL (%s) listening on localhost:%d%s", mode, pg.getPort(),
                dataDir == null ? "" : ", data in " + dataDir);
        return pg.getPort();
    }

    /** A dev JVM killed with SIGKILL leaves its postmaster running in its own session: stop it first. */
    private static void stopOrphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Path lockFile = dataDir.resolve("epg-lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IllegalStateException(dataDir + " is in use by another running dev mode");
            }
            lock.release();
        }
        String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        long pid;
        try {
            pid = Long.parseLong(first);
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isPresent() && handle.get().isAlive()
                && handle.get().info().command().map(c -> c.endsWith("/postgres")).orElse(false)) {
            LOG.infof("Stopping orphaned embedded PostgreSQL (pid %d)", pid);
            handle.get().destroy();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (handle.get().isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static Path targetDir() {
        try {
            Path classes = Path.of(EmbeddedPostgresLauncher.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            Path parent = classes.getParent();
            if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("target")) {
                return parent;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return Path.of("target").toAbsolutePath();
    }
}
