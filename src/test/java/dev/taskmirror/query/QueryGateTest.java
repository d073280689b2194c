package dev.taskmirror.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.taskmirror.common.ApiProblem;

/** At most n queries at once; the others wait, and a wait beyond the queue timeout is a 503 problem. */
class QueryGateTest {

    @Test
    void neverMoreThanItsSlotsAtOnceAndEveryQueryRuns() throws Exception {
        QueryGate gate = new QueryGate(2, 10_000);
        AtomicInteger inside = new AtomicInteger();
        List<Integer> seen = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                results.add(pool.submit(() -> gate.run(() -> {
                    seen.add(inside.incrementAndGet());
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    inside.decrementAndGet();
                    return n;
                })));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(40).allSatisfy(n -> assertThat(n).isBetween(1, 2)).contains(2);
    }

    @Test
    void aWaitBeyondTheQueueTimeoutIsABusyProblemAndTheSlotIsReleasedOnFailure() throws Exception {
        QueryGate gate = new QueryGate(1, 50);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> gate.run(() -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        holder.start();
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> gate.run(() -> "late")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.type()).isEqualTo("busy");
        });
        release.countDown();
        holder.join(5000);

        assertThatThrownBy(() -> gate.run(() -> {
            throw new IllegalStateException("query failed");
        })).hasMessage("query failed");
        assertThat(gate.run(() -> "next")).as("the failed query gave its slot back").isEqualTo("next");
    }
}
