package dev.taskmirror.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.taskmirror.simulator.RouteKind;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;

/**
 * The scheduler ticks at {@code mirror.sync.tick}, also below a second: fast cycles run every
 * {@code mirror.sync.active-interval} to within a tick. (A {@code @Scheduled} method would be checked only
 * once a second by Quarkus's simple scheduler, whatever its interval.)
 */
class SyncTickIT {

    @Test
    void fastCyclesFollowAnActiveIntervalBelowASecond() throws Exception {
        ItDatabase.truncate();
        try (SimulatorProcess remote = new SimulatorProcess(SimulatorOptions.builder().agents(1).tasks(20).build())) {
            remote.sim().setLifecycleEnabled(false);
            Map<String, String> env = new HashMap<>(remote.env());
            env.put("MIRROR_SYNC_ACTIVE_INTERVAL", "200ms");
            env.put("MIRROR_SYNC_TICK", "50ms");
            env.put("MIRROR_SYNC_INITIAL_DELAY", "0s");
            try (AppProcess app = new AppProcess("sync-tick", env).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> ItDatabase.count("select count(*) from task") == 20);
                // The backfill done, only fast cycles fall due (a full cycle every 24-30 s); each lists the three
                // unfinished statuses.
                Thread.sleep(500);
                long before = remote.sim().requestCount(RouteKind.LIST_AGENT);
                Thread.sleep(3_000);
                long cycles = (remote.sim().requestCount(RouteKind.LIST_AGENT) - before) / 3;
                // Every 200-250 ms plus the cycle itself: about 12 in 3 s; ticks checked once a second give 3-4.
                assertThat(cycles).as("fast cycles in 3 s").isGreaterThanOrEqualTo(6);
            }
        }
    }
}
