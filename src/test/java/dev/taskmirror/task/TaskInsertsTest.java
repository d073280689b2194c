package dev.taskmirror.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.support.MirrorFixture;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The JDBC insert of new tasks writes what the ORM would: exactly the entity's mapped columns, and every field
 * of a fully populated record reads back equal through the entity.
 */
@QuarkusTest
class TaskInsertsTest {

    @Inject
    MirrorFixture fx;
    @Inject
    TaskInserts inserts;
    @Inject
    EntityManager em;
    @Inject
    ObjectMapper mapper;

    @Test
    void writesExactlyTheColumnsTheEntityMaps() {
        EntityPersister persister = em.getEntityManagerFactory().unwrap(SessionFactoryImplementor.class)
                .getMappingMetamodel().getEntityDescriptor(TaskRecord.class);
        Set<String> mapped = new LinkedHashSet<>();
        persister.getIdentifierMapping().forEachSelectable((i, s) -> mapped.add(s.getSelectionExpression()));
        persister.forEachSelectable((i, selectable) -> mapped.add(selectable.getSelectionExpression()));
        assertThat(TaskInserts.COLUMNS).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(mapped);
    }

    @Test
    void everyFieldReadsBackEqual() throws Exception {
        fx.truncate();
        List<TaskRecord> records = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            records.add(populated(n));
        }
        // One record with every nullable field null.
        TaskRecord sparse = populated(3);
        for (Field f : fields()) {
            if (!f.getType().isPrimitive() && !List.of("id", "agentId", "status", "createdAt", "updatedAt",
                    "document", "fingerprint", "observedAt", "syncState").contains(f.getName())) {
                f.set(sparse, null);
            }
        }
        records.add(sparse);
        QuarkusTransaction.requiringNew().run(() -> inserts.insert(records));

        for (TaskRecord expected : records) {
            TaskRecord actual = QuarkusTransaction.requiringNew().call(() -> {
                TaskRecord r = em.find(TaskRecord.class, expected.id);
                em.detach(r);
                return r;
            });
            assertThat(actual).as(expected.id).isNotNull();
            for (Field f : fields()) {
                assertThat(f.get(actual)).as(expected.id + " " + f.getName()).isEqualTo(f.get(expected));
            }
        }
        assertThat(fx.count("select count(*) from task where version = 0")).isEqualTo(records.size());
    }

    /** A record whose every field holds a value of its own (n makes records differ). */
    private TaskRecord populated(int n) throws Exception {
        TaskRecord r = new TaskRecord();
        int k = 0;
        for (Field f : fields()) {
            k++;
            Class<?> t = f.getType();
            Object v;
            if (t == String.class) {
                v = f.getName() + "-" + n + " ü \"quoted\"";
            } else if (t == boolean.class || t == Boolean.class) {
                v = (k + n) % 2 == 0;
            } else if (t == int.class || t == Integer.class) {
                v = k * 10 + n;
            } else if (t == long.class || t == Long.class) {
                v = "version".equals(f.getName()) ? 0L : 1_000_000_000_000L + k * 10 + n;
            } else if (t == Instant.class) {
                v = Instant.parse("2026-03-04T05:06:07.123456Z").plus(k, ChronoUnit.HOURS).plusSeconds(n)
                        .truncatedTo(ChronoUnit.MICROS);
            } else if (t == ObjectNode.class || t == JsonNode.class) {
                v = mapper.readTree("{\"field\": \"" + f.getName() + "\", \"n\": " + n
                        + ", \"nested\": {\"list\": [1, 2.5, null, \"x\"]}}");
            } else if (t == ArrayNode.class) {
                v = mapper.readTree("[\"" + f.getName() + "\", " + n + ", {\"a\": true}]");
            } else {
                throw new IllegalStateException("no test value for " + f.getName() + " of " + t);
            }
            f.set(r, v);
        }
        r.syncState = "error"; // a checked column
        return r;
    }

    /** The entity's own persistent fields (the build's enhancement may hide them behind accessors). */
    private static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : TaskRecord.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) && !Modifier.isTransient(m) && !f.isSynthetic() && !f.getName().contains("$")) {
                f.setAccessible(true);
                out.add(f);
            }
        }
        assertThat(out).hasSize(TaskInserts.COLUMNS.size());
        return out;
    }
}
