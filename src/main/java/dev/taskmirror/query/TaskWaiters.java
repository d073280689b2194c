package dev.taskmirror.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;

/**
 * Waiters for tasks to reach a terminal status ({@code GET /tasks/{id}?wait=}). On every change
 * notification, one query checks all waited-for tasks together, so the cost follows changes, not waiters.
 */
@ApplicationScoped
public class TaskWaiters {

    private static final Logger LOG = Logger.getLogger(TaskWaiters.class);

    private final AgroalDataSource dataSource;
    private final ChangeNotifier notifier;
    private final Map<String, List<CompletableFuture<Boolean>>> waiting = new ConcurrentHashMap<>();
    private volatile boolean armed;

    TaskWaiters(AgroalDataSource dataSource, ChangeNotifier notifier) {
        this.dataSource = dataSource;
        this.notifier = notifier;
    }

    /** Number of requests currently waiting. */
    public int size() {
        return waiting.values().stream().mapToInt(List::size).sum();
    }

    /**
     * Completes with true when the task is terminal (or deleted), false when {@code timeout} elapses. The
     * caller re-reads the task either way.
     */
    public CompletableFuture<Boolean> await(String taskId, Duration timeout) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        waiting.computeIfAbsent(taskId, k -> new CopyOnWriteArrayList<>()).add(f);
        f.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> remove(taskId, f));
        arm();
        return f;
    }

    private void remove(String taskId, CompletableFuture<Boolean> f) {
        waiting.computeIfPresent(taskId, (k, list) -> {
            list.remove(f);
            return list.isEmpty() ? null : list;
        });
    }

    private synchronized void arm() {
        if (!armed) {
            armed = true;
            notifier.nextChange().whenCompleteAsync((v, e) -> check());
        }
    }

    private void check() {
        synchronized (this) {
            armed = false;
        }
        Set<String> ids = new HashSet<>(waiting.keySet());
        if (ids.isEmpty()) {
            return;
        }
        try {
            for (String done : finished(ids)) {
                List<CompletableFuture<Boolean>> list = waiting.remove(done);
                if (list != null) {
                    list.forEach(f -> f.complete(true));
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Checking waited-for tasks failed: %s", e.getMessage());
        }
        if (!waiting.isEmpty()) {
            arm();
        }
    }

    private List<String> finished(Set<String> ids) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select id from task where id = any(?) and "
                        + "(status in ('completed', 'failed', 'error', 'stopped') or deleted_at is not null)")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
