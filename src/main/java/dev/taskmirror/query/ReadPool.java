package dev.taskmirror.query;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.taskmirror.common.ApiProblem;
import io.smallrye.mutiny.Uni;

/**
 * The threads that read single tasks ({@code GET /tasks/{id}}): a few, with a queue, instead of a worker
 * thread per request in flight. A read is a fraction of a millisecond of CPU in the JVM and in PostgreSQL;
 * with 8 connections on 2 cores, 8 worker threads and 8 backends preempted one another, while one thread per
 * processor, the other requests queued, served more reads per second (docs/benchmarks.md). A semaphore in
 * front of the worker threads did worse: the waiting threads still park and wake.
 */
@ApplicationScoped
public class ReadPool {

    private static final int QUEUE = 10_000;

    private final ThreadPoolExecutor executor;

    private final int queue;

    @Inject
    ReadPool(QueryConfig config) {
        this(config.readConcurrency().orElse(Runtime.getRuntime().availableProcessors()), QUEUE);
    }

    ReadPool(int threads, int queue) {
        int n = Math.max(1, threads);
        this.queue = queue;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "mirror-read-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code read} on a read thread; a full queue is a 503 problem. */
    public <T> Uni<T> submit(Supplier<Uni<? extends T>> read) {
        return Uni.createFrom().deferred(read).runSubscriptionOn(command -> {
            try {
                executor.execute(command);
            } catch (RejectedExecutionException e) {
                throw new ApiProblem(503, "busy", "Too many reads",
                        queue + " single-task reads are already waiting; retry shortly");
            }
        });
    }

    @PreDestroy
    void stop() {
        executor.shutdown();
    }
}
