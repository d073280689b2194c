package dev.taskmirror.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.taskmirror.common.ApiProblem;
import io.smallrye.mutiny.Uni;

/** Reads run on the pool's threads, never more at once than it has, the others queue; a full queue is a 503. */
class ReadPoolTest {

    @Test
    void atMostItsThreadsAtOnceTheRestQueuedAndAFullQueueIsBusy() throws Exception {
        ReadPool pool = new ReadPool(2, 2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch twoRunning = new CountDownLatch(2);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<java.util.concurrent.CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            results.add(pool.<Integer> submit(() -> {
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                threads.add(Thread.currentThread().getName());
                twoRunning.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
                return Uni.createFrom().item(n);
            }).subscribeAsCompletionStage());
        }
        assertThat(twoRunning.await(5, TimeUnit.SECONDS)).isTrue();
        // Two running, two queued: the fifth has no room.
        assertThatThrownBy(() -> pool.submit(() -> Uni.createFrom().item(5)).await().atMost(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.status()).isEqualTo(503);
                    assertThat(p.type()).isEqualTo("busy");
                });
        release.countDown();
        for (int i = 0; i < 4; i++) {
            assertThat(results.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(most.get()).isEqualTo(2);
        assertThat(threads).hasSize(4).allMatch(name -> name.startsWith("mirror-read-"));
        assertThat(pool.submit(() -> Uni.createFrom().item("after")).await().atMost(Duration.ofSeconds(5)))
                .isEqualTo("after");
        pool.stop();
    }
}
