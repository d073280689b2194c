package dev.taskmirror.result;

import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import dev.taskmirror.task.TaskRecord;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * Re-derives the columns of tasks written before the current derivation rules ({@code derived_rev} below
 * {@link #REVISION}: rows that existed when V3 added the attachment and result columns). Runs once in the
 * background after start-up, in short batches that lock their rows ({@code skip locked}, so replicas share
 * the work and sync writes are not blocked for long). A task whose derived values change gets a new version
 * and moves in the change feed, like any other change of what is served.
 * <p>
 * To change the rules later: raise {@link #REVISION} and, in the same release, a migration that sets the
 * column default of {@code task.derived_rev} to it and recreates the partial index
 * {@code task_derived_outdated_idx} with the new bound (V6), so the look-up at start stays an index scan.
 */
@ApplicationScoped
public class DerivedBackfill {

    /** Revision of the derivation rules; stored in {@code task.derived_rev} by {@code TaskRecord.deriveColumns}. */
    public static final int REVISION = 1;
    static final int BATCH = 500;
    /**
     * The outdated rows of one batch. The bound is written into the statement, not bound as a parameter, so
     * that the planner can match it with the partial index's predicate whatever plan it caches.
     */
    static final String OUTDATED = "select id from task where derived_rev < " + REVISION + " order by id limit "
            + BATCH + " for update skip locked";

    private static final Logger LOG = Logger.getLogger(DerivedBackfill.class);

    private final EntityManager em;
    private volatile boolean stopping;

    DerivedBackfill(EntityManager em) {
        this.em = em;
    }

    void onStart(@Observes StartupEvent event) {
        Thread t = new Thread(() -> {
            try {
                int n = run();
                if (n > 0) {
                    LOG.infof("Re-derived attachment and result columns of %d tasks", n);
                }
            } catch (RuntimeException e) {
                LOG.warnf(e, "Re-deriving task columns stopped; it resumes at the next start");
            }
        }, "derived-backfill");
        t.setDaemon(true);
        t.start();
    }

    @PreDestroy
    void stop() {
        stopping = true;
    }

    /** Re-derives every outdated task; returns how many were processed. */
    public int run() {
        int total = 0;
        while (!stopping) {
            int n = QuarkusTransaction.requiringNew().call(this::batch);
            total += n;
            if (n < BATCH) {
                return total;
            }
        }
        return total;
    }

    private int batch() {
        @SuppressWarnings("unchecked")
        List<String> ids = em.createNativeQuery(OUTDATED).getResultList();
        if (ids.isEmpty()) {
            return 0;
        }
        List<TaskRecord> rows = TaskRecord.list("id in ?1", ids);
        for (TaskRecord rec : rows) {
            rec.deriveColumns();
        }
        return ids.size();
    }
}
