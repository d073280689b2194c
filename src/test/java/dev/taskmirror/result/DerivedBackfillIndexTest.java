package dev.taskmirror.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The start-up look-up of outdated rows must be able to use the partial index of V6: its predicate has to
 * be the bound of {@link DerivedBackfill#REVISION}, or PostgreSQL scans the whole table at every start.
 */
@QuarkusTest
class DerivedBackfillIndexTest {

    @Inject
    EntityManager em;

    @Test
    void thePartialIndexHoldsTheRowsBelowTheCurrentRevision() {
        String def = QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select indexdef from pg_indexes where tablename = 'task' and indexname = 'task_derived_outdated_idx'")
                .getSingleResult());
        assertThat(def).endsWith("WHERE (derived_rev < " + DerivedBackfill.REVISION + ")");
    }

    @Test
    void theBackfillQueryIsPlannedOnThePartialIndex() {
        @SuppressWarnings("unchecked")
        List<String> plan = QuarkusTransaction.requiringNew().call(() -> {
            // A test table is small enough for a sequential scan to look cheapest; what matters is whether the
            // index can serve the statement at all.
            em.createNativeQuery("set local enable_seqscan = off").executeUpdate();
            return em.createNativeQuery("explain " + DerivedBackfill.OUTDATED).getResultList();
        });
        assertThat(String.join("\n", plan)).contains("task_derived_outdated_idx");
    }
}
