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
 * backfilled always a slot; a scope whose full cycle waits runs its fast cycle meanwhile; full cycles of
 * different scopes spread over the interval.
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
    void aScopeWaitingForAFullCycleSlotRunsItsFastCycleMeanwhile() {
        // Start-up: every mirrored agent's full cycle is due at once, and their fast cycles too.
        List<Start> due = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            due.add(new Start(SyncScope.agent("a-" + i), CycleKind.FULL, false, i != 4));
        }
        List<Start> chosen = SyncScheduler.choose(due, 4, 0, 0);
        assertThat(names(chosen)).containsExactly("a-0", "a-1", "a-2", "a-3");
        assertThat(chosen).extracting(Start::kind).containsExactly(CycleKind.FULL, CycleKind.FULL, CycleKind.FULL,
                CycleKind.HOT);
        // Three full cycles and that fast cycle running: nothing more. The fast cycle done, the next waiting
        // scope whose fast cycle is due gets the slot (a-4's is not due).
        assertThat(SyncScheduler.choose(due.subList(4, 10), 4, 4, 3)).isEmpty();
        chosen = SyncScheduler.choose(due.subList(4, 10), 4, 3, 3);
        assertThat(names(chosen)).containsExactly("a-5");
        assertThat(chosen.get(0).kind()).isEqualTo(CycleKind.HOT);
        // A full cycle slot free again: the full cycle itself, not its fast one.
        chosen = SyncScheduler.choose(due.subList(3, 10), 4, 2, 2);
        assertThat(chosen).extracting(Start::kind).containsExactly(CycleKind.FULL, CycleKind.HOT);
        assertThat(names(chosen)).containsExactly("a-3", "a-5");
        // A scope still to be backfilled never runs a fast cycle instead.
        List<Start> backfills = List.of(new Start(SyncScope.agent("n-1"), CycleKind.RECONCILE, true, true),
                new Start(SyncScope.agent("n-2"), CycleKind.RECONCILE, true, true));
        assertThat(SyncScheduler.choose(backfills, 2, 0, 0)).extracting(Start::kind)
                .containsExactly(CycleKind.RECONCILE);
        // Real fast cycles come before fast cycles in place of waiting full ones.
        List<Start> mixed = new ArrayList<>(due.subList(3, 10));
        mixed.add(start("hot", CycleKind.HOT));
        chosen = SyncScheduler.choose(mixed, 4, 3, 3);
        assertThat(names(chosen)).containsExactly("hot");
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
