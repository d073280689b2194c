package dev.taskmirror.query;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Tells waiters that tasks changed. One thread LISTENs on {@code task_changes} (notified once per writing
 * transaction by a statement trigger, on any replica) and completes the current "next change" future;
 * waiters hold futures, not threads, so thousands of long-polls cost nothing while idle. A periodic wake-up
 * covers notifications lost while the listening connection was being re-established.
 */
@ApplicationScoped
public class ChangeNotifier {

    private static final Logger LOG = Logger.getLogger(ChangeNotifier.class);
    private static final int POLL_MS = 500;
    private static final long SAFETY_WAKE_MS = 5_000;

    private final AgroalDataSource dataSource;
    private final AtomicReference<CompletableFuture<Void>> next = new AtomicReference<>(new CompletableFuture<>());
    private volatile boolean running;
    private Thread thread;

    ChangeNotifier(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::listen, "mirror-change-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        fire();
    }

    /** Completes at the next committed change (or safety wake-up). */
    public CompletableFuture<Void> nextChange() {
        return next.get();
    }

    /** Wakes every waiter now. */
    public void fire() {
        CompletableFuture<Void> old = next.getAndSet(new CompletableFuture<>());
        old.complete(null);
    }

    private void listen() {
        long backoff = 500;
        while (running) {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                c.setAutoCommit(true);
                st.execute("listen task_changes");
                PGConnection pg = c.unwrap(PGConnection.class);
                backoff = 500;
                fire();
                long lastWake = System.currentTimeMillis();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MS);
                    long now = System.currentTimeMillis();
                    if (notifications != null && notifications.length > 0 || now - lastWake >= SAFETY_WAKE_MS) {
                        lastWake = now;
                        fire();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.debugf("Change listener connection lost (%s); reconnecting in %d ms", e.getMessage(), backoff);
                fire();
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }
}
