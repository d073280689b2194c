package dev.taskmirror.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.taskmirror.sync.SyncScheduler.Start;

/**
 * Which due cycles a tick starts: fast cycles first, full cycles never every slot, and a scope still to be
 * backfilled always a slot; full cycles of different scopes spread over the interval.
 */
class SyncSchedulerChooseTest {

    @Test
    void aBurstOfFullCyclesLeavesASlotForFastCycles() {
        List<Start> due = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            due.add(start("full-" + i, CycleKind.FULL));
        }
        due.add(start("hot-1", CycleKind.HOT));
        due.add(start("hot-2", CycleKind.HOT));

        assertThat(names(SyncScheduler.choose(due, 4, 0, 0))).containsExactly("hot-1", "hot-2", "full-0", "full-1");
        // Three full cycles already running: the last slot is for fast cycles only.
        assertThat(names(SyncScheduler.choose(due.subList(3, 10), 4, 3, 3))).isEmpty();
        assertThat(names(SyncScheduler.choose(due.subList(3, 12), 4, 3, 3))).containsExactly("hot-1");
        // Only full cycles due: all slots but one.
        assertThat(names(SyncScheduler.choose(due.subList(0, 10), 4, 0, 0)))
                .containsExactly("full-0", "full-1", "full-2");
        // Fast cycles running do not count against full ones.
        assertThat(names(SyncScheduler.choose(due.subList(0, 10), 4, 1, 0)))
                .containsExactly("full-0", "full-1", "full-2");
    }

    @Test
    void fastCyclesOfMirroredAgentsLeaveASlotForAnAgentStillToBackfill() {
        List<Start> due = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            due.add(start("hot-" + i, CycleKind.HOT));
        }
        due.add(new Start(SyncScope.agent("new"), CycleKind.RECONCILE, true));

        assertThat(names(SyncScheduler.choose(due, 4, 0, 0))).containsExactly("hot-0", "hot-1", "hot-2", "new");
        // Three fast cycles running: the free slot goes to the full cycle, not to a fourth fast one.
        assertThat(names(SyncScheduler.choose(due, 4, 3, 0))).containsExactly("new");
        // Nothing but fast cycles due: they may take every slot.
        assertThat(names(SyncScheduler.choose(due.subList(0, 9), 4, 0, 0)))
                .containsExactly("hot-0", "hot-1", "hot-2", "hot-3");
        // The backfill already running: the other slots are the fast cycles'.
        assertThat(names(SyncScheduler.choose(due.subList(0, 9), 4, 1, 1)))
                .containsExactly("hot-0", "hot-1", "hot-2");
        // A later full cycle of a mirrored agent waits for a slot the fast cycles leave free.
        List<Start> periodic = new ArrayList<>(due.subList(0, 9));
        periodic.add(start("old", CycleKind.FULL));
        assertThat(names(SyncScheduler.choose(periodic, 4, 0, 0)))
                .containsExactly("hot-0", "hot-1", "hot-2", "hot-3");
        assertThat(names(SyncScheduler.choose(periodic.subList(7, 10), 4, 0, 0)))
                .containsExactly("hot-7", "hot-8", "old");
        // Both due: the reserved slot is the backfill's, whatever the configured order.
        periodic.add(due.get(9));
        assertThat(names(SyncScheduler.choose(periodic, 4, 0, 0))).containsExactly("hot-0", "hot-1", "hot-2", "new");
    }

    @Test
    void reconciliationCountsAsAFullCycleAndOneSlotStillRunsEverything() {
        List<Start> due = List.of(start("a", CycleKind.RECONCILE), start("b", CycleKind.FULL),
                start("c", CycleKind.HOT));
        assertThat(names(SyncScheduler.choose(due, 2, 0, 0))).containsExactly("c", "a");
        assertThat(names(SyncScheduler.choose(due, 1, 0, 0))).containsExactly("c");
        assertThat(names(SyncScheduler.choose(due.subList(0, 2), 1, 0, 0))).containsExactly("a");
        assertThat(names(SyncScheduler.choose(due, 1, 1, 1))).isEmpty();
    }

    @Test
    void fullCyclesOfScopesStartedTogetherFallDueAtDifferentTimesWithinTheInterval() {
        Duration interval = Duration.ofSeconds(30);
        TreeSet<Duration> distinct = new TreeSet<>();
        for (int i = 1; i <= 10; i++) {
            String scope = SyncScope.agent(String.format("agent-%04d", i)).key();
            Duration d = SyncScheduler.staggered(interval, scope);
            assertThat(d).isBetween(Duration.ofSeconds(24), interval).isEqualTo(SyncScheduler.staggered(interval, scope));
            distinct.add(d);
        }
        assertThat(distinct).hasSizeGreaterThanOrEqualTo(8);
        assertThat(distinct.last().minus(distinct.first())).isGreaterThan(Duration.ofSeconds(3));
        assertThat(SyncScheduler.staggered(Duration.ofHours(1), "user:u-1")).isBetween(Duration.ofMinutes(48),
                Duration.ofHours(1));
    }

    private static Start start(String agent, CycleKind kind) {
        return new Start(SyncScope.agent(agent), kind, false);
    }

    private static List<String> names(List<Start> starts) {
        return starts.stream().map(s -> s.scope().refId()).toList();
    }
}
