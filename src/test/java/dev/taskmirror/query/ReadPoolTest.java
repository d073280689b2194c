package dev.taskmirror.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.RawJson;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Reads run on the pool's threads, never more at once than it has; the reads that wait meanwhile go out
 * together in the next statement; a full queue is a 503.
 */
class ReadPoolTest {

    /** A reader that records every call's ids and holds each call until released. */
    static final class GatedReader implements Function<List<String>, Map<String, ServedTask>> {
        final List<List<String>> calls = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered;

        GatedReader(int expectedEntries) {
            entered = new CountDownLatch(expectedEntries);
        }

        @Override
        public Map<String, ServedTask> apply(List<String> ids) {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            calls.add(List.copyOf(ids));
            threads.add(Thread.currentThread().getName());
            entered.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            if (ids.contains("boom")) {
                throw new IllegalStateException("Task query failed: boom");
            }
            Map<String, ServedTask> found = new HashMap<>();
            for (String id : ids) {
                if (!id.startsWith("missing")) {
                    found.put(id, task(id));
                }
            }
            return found;
        }
    }

    static ServedTask task(String id) {
        return new ServedTask(id, id.length(), new RawJson("{\"id\":\"" + id + "\"}"), "completed", false);
    }

    @Test
    void readsWaitingWhileTheThreadIsBusyGoOutTogether() throws Exception {
        GatedReader reader = new GatedReader(1);
        DistributionSummary batches = DistributionSummary.builder("b").register(new SimpleMeterRegistry());
        ReadPool pool = new ReadPool(1, 100, reader, batches);
        CompletableFuture<Optional<ServedTask>> first = pool.read("a").toCompletableFuture();
        assertThat(reader.entered.await(5, TimeUnit.SECONDS)).isTrue();
        // The thread is held: these wait, duplicates and unknown ids among them.
        List<String> waiting = List.of("c", "d", "c", "missing-1", "e");
        List<CompletableFuture<Optional<ServedTask>>> later = new ArrayList<>();
        for (String id : waiting) {
            later.add(pool.read(id).toCompletableFuture());
        }
        reader.release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).contains(task("a"));
        for (int i = 0; i < waiting.size(); i++) {
            Optional<ServedTask> got = later.get(i).get(5, TimeUnit.SECONDS);
            if (waiting.get(i).startsWith("missing")) {
                assertThat(got).isEmpty();
            } else {
                assertThat(got).contains(task(waiting.get(i)));
            }
        }
        // The single read, then the five waiting ones (four distinct ids) in one call.
        assertThat(reader.calls).containsExactly(List.of("a"), List.of("c", "d", "missing-1", "e"));
        assertThat(reader.threads).containsOnly("mirror-read-1");
        assertThat(batches.count()).isEqualTo(2);
        assertThat(batches.max()).isEqualTo(5);
        pool.stop();
    }

    @Test
    void neverMoreStatementsAtOnceThanThreads() throws Exception {
        GatedReader reader = new GatedReader(2);
        ReadPool pool = new ReadPool(2, 100, reader, null);
        List<CompletableFuture<Optional<ServedTask>>> reads = new ArrayList<>();
        reads.add(pool.read("p").toCompletableFuture());
        // Once the first thread holds p, the second takes q.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reader.inside.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        reads.add(pool.read("q").toCompletableFuture());
        assertThat(reader.entered.await(5, TimeUnit.SECONDS)).isTrue();
        for (String id : List.of("r", "s", "t")) {
            reads.add(pool.read(id).toCompletableFuture());
        }
        reader.release.countDown();
        for (CompletableFuture<Optional<ServedTask>> f : reads) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isPresent();
        }
        assertThat(reader.most.get()).isEqualTo(2);
        assertThat(reader.calls.stream().mapToInt(List::size).sum()).isEqualTo(5);
        assertThat(reader.threads).allMatch(name -> name.startsWith("mirror-read-"));
        pool.stop();
    }

    @Test
    void aBatchHoldsAtMostMaxBatchReads() throws Exception {
        GatedReader reader = new GatedReader(1);
        ReadPool pool = new ReadPool(1, 1000, reader, null);
        CompletableFuture<Optional<ServedTask>> held = pool.read("first").toCompletableFuture();
        assertThat(reader.entered.await(5, TimeUnit.SECONDS)).isTrue();
        int waiting = ReadPool.MAX_BATCH * 2 + 3;
        List<CompletableFuture<Optional<ServedTask>>> later = new ArrayList<>();
        for (int i = 0; i < waiting; i++) {
            later.add(pool.read("t" + i).toCompletableFuture());
        }
        reader.release.countDown();
        assertThat(held.get(5, TimeUnit.SECONDS)).isPresent();
        for (int i = 0; i < waiting; i++) {
            assertThat(later.get(i).get(5, TimeUnit.SECONDS)).contains(task("t" + i));
        }
        assertThat(reader.calls.stream().map(List::size).toList())
                .containsExactly(1, ReadPool.MAX_BATCH, ReadPool.MAX_BATCH, 3);
        pool.stop();
    }

    @Test
    void aFullQueueIsBusyAndAFailedStatementFailsEveryReadInIt() throws Exception {
        GatedReader reader = new GatedReader(1);
        ReadPool pool = new ReadPool(1, 2, reader, null);
        CompletableFuture<Optional<ServedTask>> held = pool.read("x").toCompletableFuture();
        assertThat(reader.entered.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Optional<ServedTask>> failing = pool.read("boom").toCompletableFuture();
        CompletableFuture<Optional<ServedTask>> sameStatement = pool.read("y").toCompletableFuture();
        // One reading, two queued: the fourth has no room.
        assertThatThrownBy(() -> pool.read("z")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.type()).isEqualTo("busy");
        });
        reader.release.countDown();
        assertThat(held.get(5, TimeUnit.SECONDS)).contains(task("x"));
        for (CompletableFuture<Optional<ServedTask>> f : List.of(failing, sameStatement)) {
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("Task query failed: boom");
        }
        // The thread goes on serving.
        assertThat(pool.read("after").toCompletableFuture().get(5, TimeUnit.SECONDS)).contains(task("after"));
        pool.stop();
        assertThatThrownBy(() -> pool.read("stopped")).isInstanceOf(ApiProblem.class);
    }

    @Test
    void aThreadOutlivesInterruptsAndErrorsOfItsReader() throws Exception {
        ReadPool pool = new ReadPool(1, 10, ids -> {
            if (ids.contains("interrupt")) {
                // As a driver or pool may leave it.
                Thread.currentThread().interrupt();
            }
            if (ids.contains("error")) {
                throw new AssertionError("boom");
            }
            Map<String, ServedTask> found = new HashMap<>();
            ids.forEach(id -> found.put(id, task(id)));
            return found;
        }, null);
        assertThat(pool.read("interrupt").toCompletableFuture().get(5, TimeUnit.SECONDS)).contains(task("interrupt"));
        assertThatThrownBy(() -> pool.read("error").toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasRootCauseMessage("boom");
        assertThat(pool.read("after").toCompletableFuture().get(5, TimeUnit.SECONDS)).contains(task("after"));
        pool.stop();
    }

    @Test
    void stopLetsTheStatementInFlightAnswerAndRefusesWhatIsQueued() throws Exception {
        GatedReader reader = new GatedReader(1);
        ReadPool pool = new ReadPool(1, 100_000, reader, null);
        CompletableFuture<Optional<ServedTask>> inFlight = pool.read("x").toCompletableFuture();
        assertThat(reader.entered.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Optional<ServedTask>> queued = pool.read("y").toCompletableFuture();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(pool::stop);
        // Once stopping, new reads are refused at once.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
            try {
                pool.read("probe-" + System.nanoTime());
                Thread.sleep(1);
            } catch (ApiProblem p) {
                assertThat(p.status()).isEqualTo(503);
                assertThat(p.title()).isEqualTo("Shutting down");
                refused = true;
            }
        }
        assertThat(refused).isTrue();
        reader.release.countDown();
        stopped.get(5, TimeUnit.SECONDS);
        assertThat(inFlight.get(5, TimeUnit.SECONDS)).contains(task("x"));
        assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.title()).isEqualTo("Shutting down"));
        // The probes queued before the stop were refused with it; none reached the reader.
        assertThat(reader.calls).containsExactly(List.of("x"));
    }
}
