package dev.taskmirror.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;

import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The stats of one agent come from maintained rollups (V5); they must equal the aggregation over the tasks
 * themselves after inserts, remote changes, local saves, tombstones and deletions, before and after the
 * deltas are folded, in every bucket size and in time zones east and west of UTC.
 */
@QuarkusTest
class StatsRollupTest {

    private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Asia/Tokyo"));

    @Inject
    MirrorFixture fx;
    @Inject
    TaskStats stats;
    @Inject
    StatsRollup rollup;
    @Inject
    DataSource dataSource;

    @Test
    void rollupsEqualTheAggregationThroughEveryKindOfWrite() {
        XpanderSimulator sim = fx.reset(SimulatorOptions.builder().agents(3).tasks(360).seed(11).build());
        sim.setLifecycleEnabled(false);
        fx.sync(CycleKind.FULL);
        // The scheduled fold may run at any moment: rollup and pending deltas together always count every task.
        assertThat(fx.count("select coalesce(sum(tasks), 0) from (select tasks from task_rollup union all "
                + "select tasks from task_rollup_delta) x")).isEqualTo(fx.count("select count(*) from task"));
        assertSame(sim, "after the backfill, unfolded");
        foldAll();
        assertSame(sim, "after the backfill, folded");

        // Remote changes: new tasks, then their finishes (status, times, tokens), edits, deletions (tombstones).
        Random random = new Random(5);
        String agent = sim.agentIds().get(0);
        List<String> ids = sim.taskIds(agent);
        List<String> created = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            created.add(sim.createTask(agent).path("id").asText());
        }
        fx.sync(CycleKind.FULL);
        assertSame(sim, "after new tasks, unfolded");
        for (String id : created.subList(0, 15)) {
            sim.mutate(id, t -> t.put("status", "executing"));
            sim.advance(java.time.Duration.ofSeconds(1 + random.nextInt(90)));
            sim.finish(id, random.nextBoolean() ? "completed" : "failed", "done " + id);
        }
        sim.mutate(ids.get(0), t -> t.put("title", "edited"));
        sim.delete(ids.get(1));
        sim.delete(ids.get(2));
        fx.sync(CycleKind.FULL);
        assertThat(fx.count("select count(*) from task where deleted_at is not null")).isEqualTo(2);
        assertSame(sim, "after remote changes, unfolded");

        // A local save (stop) through the API, and a purge of the tombstones.
        String running = created.get(19);
        given().post("/tasks/" + running + "/stop").then().statusCode(202);
        assertSame(sim, "after a local save");
        fx.execute("delete from task where deleted_at is not null");
        foldAll();
        assertSame(sim, "after a purge, folded");
        assertThat(fx.count("select count(*) from task_rollup where tasks = 0")).as("emptied rows are removed").isZero();
        assertThat(fx.count("select count(*) from task_rollup_day where tasks = 0")).isZero();
        assertThat(fx.count("select count(*) from task_rollup_day")).isPositive();
        TaskFilter unknown = TaskFilter.builder().agentIds(List.of("no-such-agent")).build();
        assertThat(stats.fromRollup("no-such-agent", ZoneId.of("UTC"), "day"))
                .isEqualTo(stats.compute(unknown, ZoneId.of("UTC"), "day"));
    }

    @Test
    void aMultiRowInsertAppendsOneDeltaPerAgentHourAndStatus() throws Exception {
        // Uncommitted: the scheduled fold cannot take these deltas away while they are counted.
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into task (id, agent_id, status, document, fingerprint, sync_state, created_at, "
                        + "updated_at, observed_at, prompt_tokens, completion_tokens, total_tokens, result_valid, "
                        + "attachment_count, attachments_document, attachments_image, attachments_text, started_at, "
                        + "finished_at, deleted_at) values "
                        + "('r1', 'ra', 'completed', '{}', 'f', 'synced', '2026-01-01T10:05Z', now(), now(), 7, 3, 10, "
                        + "true, 2, 1, 1, 0, '2026-01-01T10:05Z', '2026-01-01T10:05:30Z', null), "
                        + "('r2', 'ra', 'completed', '{}', 'f', 'synced', '2026-01-01T10:55Z', now(), now(), 5, null, 5, "
                        + "false, 0, 0, 0, 0, '2026-01-01T10:55Z', '2026-01-01T10:55:10Z', null), "
                        + "('r3', 'ra', 'failed', '{}', 'f', 'synced', '2026-01-01T10:15Z', now(), now(), null, null, null, "
                        + "null, 1, 0, 0, 1, null, null, null), "
                        + "('r4', 'ra', 'completed', '{}', 'f', 'synced', '2026-01-01T11:00Z', now(), now(), 1, null, null, "
                        + "null, 0, 0, 0, 0, null, '2026-01-01T11:00:05Z', null), "
                        + "('r5', 'ra', 'completed', '{}', 'f', 'synced', '2026-01-01T10:20Z', now(), now(), 100, 100, 200, "
                        + "true, 3, 3, 0, 0, '2026-01-01T10:20Z', '2026-01-01T10:21Z', now())");
                try (ResultSet rs = st.executeQuery("select * from task_rollup_delta where agent_id = 'ra' "
                        + "order by hour, status")) {
                    List<String> rows = new java.util.ArrayList<>();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder(rs.getString("status") + " "
                                + rs.getObject("hour", java.time.OffsetDateTime.class).toInstant());
                        for (int col = 4; col <= rs.getMetaData().getColumnCount(); col++) {
                            row.append(' ').append(rs.getBigDecimal(col).stripTrailingZeros().toPlainString());
                        }
                        rows.add(row.toString());
                    }
                    // tasks, prompt/completion/total tokens, result valid/invalid, with attachments, attachments,
                    // document/image/text/audio/other, durations, duration sum; the deleted r5 counts nowhere.
                    assertThat(rows).containsExactly(
                            "completed 2026-01-01T10:00:00Z 2 12 3 15 1 1 1 2 1 1 0 0 0 2 40",
                            "failed 2026-01-01T10:00:00Z 1 0 0 0 0 0 1 1 0 0 1 0 0 0 0",
                            "completed 2026-01-01T11:00:00Z 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0");
                }
                try (ResultSet rs = st.executeQuery("select count(distinct change_seq), count(*) filter (where "
                        + "change_xid = pg_current_xact_id()) from task where agent_id = 'ra'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("a change-feed position per row, from the column defaults").isEqualTo(5);
                    assertThat(rs.getInt(2)).isEqualTo(5);
                }
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void onlyOneAgentWithoutOtherCriteriaInAWholeHourZoneTakesTheRollups() {
        TaskFilter one = TaskFilter.builder().agentIds(List.of("a")).build();
        assertThat(rollup.serves(one, ZoneId.of("Europe/Berlin"))).isTrue();
        assertThat(rollup.serves(one, ZoneId.of("Asia/Kolkata"))).as("UTC+05:30").isFalse();
        assertThat(rollup.serves(one, ZoneId.of("Australia/Adelaide"))).as("UTC+09:30").isFalse();
        assertThat(rollup.serves(one, ZoneId.of("+02:00"))).isTrue();
        assertThat(rollup.serves(TaskFilter.none(), ZoneId.of("UTC"))).isFalse();
        assertThat(rollup.serves(TaskFilter.builder().agentIds(List.of("a", "b")).build(), ZoneId.of("UTC"))).isFalse();
        assertThat(rollup.serves(TaskFilter.builder().agentIds(List.of("a")).statuses(List.of("completed")).build(),
                ZoneId.of("UTC"))).isFalse();
        assertThat(rollup.serves(TaskFilter.builder().agentIds(List.of("a")).includeDeleted(true).build(),
                ZoneId.of("UTC"))).isFalse();
    }

    @Test
    void percentileInterpolatesLikePostgres() {
        assertThat(StatsRollup.percentile(0.5, 1, "{4.5}")).isEqualTo(4.5);
        assertThat(StatsRollup.percentile(0.5, 2, "{1,3}")).isEqualTo(2.0);
        assertThat(StatsRollup.percentile(0.95, 11, "{10,20}")).isCloseTo(15.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(StatsRollup.percentile(0.5, 3, "{2,7}")).isEqualTo(2.0);
        assertThat(StatsRollup.percentile(0.95, 11, "{20,10}")).as("walked from the long end")
                .isCloseTo(15.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(StatsRollup.percentile(0.5, 0, "{}")).isNull();
    }

    /** Folds until no delta is left (a scheduled fold running at the same time makes ours a no-op). */
    private void foldAll() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            rollup.fold();
            return fx.count("select count(*) from task_rollup_delta") == 0;
        });
    }

    /** For each agent, zone and bucket: the rollup's figures are the aggregation's figures. */
    private void assertSame(XpanderSimulator sim, String when) {
        int compared = 0;
        for (String agent : sim.agentIds()) {
            for (ZoneId zone : ZONES) {
                for (String bucket : List.of("hour", "day", "week", "month")) {
                    TaskFilter filter = TaskFilter.builder().agentIds(List.of(agent)).build();
                    assertThat(rollup.serves(filter, zone)).isTrue();
                    TaskStatsView fast = stats.fromRollup(agent, zone, bucket);
                    TaskStatsView exact = stats.compute(filter, zone, bucket);
                    assertThat(fast).as("%s: agent %s, %s, %s", when, agent, zone, bucket).isEqualTo(exact);
                    assertThat(exact.total()).isPositive();
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(sim.agentIds().size() * ZONES.size() * 4);
    }
}
