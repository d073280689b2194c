package dev.taskmirror.query;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.taskmirror.common.ApiProblem;

/**
 * Bounds how many list and stats requests are computed at once (query and response body); the others wait
 * their turn in arrival order. This is CPU work in the JVM and in PostgreSQL on the same few cores: with every
 * request in flight at once (8 connections on 2 cores in the benchmark) each is preempted many times and the
 * slowest wait several times the median, while a few at a time finish in order. Stats of one agent, same
 * machine and load: p99 87-182 ms ungated, 53-62 ms with 4 slots, 32-40 ms with 2 (at 20 % less throughput);
 * docs/benchmarks.md. Exports, long polls and single-task reads are not gated.
 */
@ApplicationScoped
public class QueryGate {

    private final Semaphore permits;
    private final long queueMillis;

    @Inject
    QueryGate(QueryConfig config) {
        this(config.queryConcurrency().orElse(2 * Runtime.getRuntime().availableProcessors()),
                config.queryQueueTimeout().toMillis());
    }

    QueryGate(int slots, long queueMillis) {
        this.permits = new Semaphore(Math.max(1, slots), true);
        this.queueMillis = queueMillis;
    }

    public <T> T run(Supplier<T> query) {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(queueMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ApiProblem(503, "busy", "Too many queries",
                    "Every query slot stayed busy for " + queueMillis + " ms; retry shortly");
        }
        try {
            return query.get();
        } finally {
            permits.release();
        }
    }
}
