package dev.taskmirror.query;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.taskmirror.common.ApiProblem;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The threads that read single tasks ({@code GET /tasks/{id}}): a few, with a queue, instead of a worker thread
 * per request in flight, and each takes every read waiting in the queue (up to {@link #MAX_BATCH}) into one
 * statement. A read is a fraction of a millisecond of CPU in the JVM and in PostgreSQL, part of it per
 * statement (a round trip, a thread and a backend woken, the executor started: in PostgreSQL alone about a
 * third); reads that arrive while others are being served share that. Nothing waits for a batch to fill: a
 * lone read is one statement at once.
 * With 8 connections on 2 cores, 8 worker threads and 8 backends preempted one another, while one thread per
 * processor served more reads per second (docs/benchmarks.md).
 */
@ApplicationScoped
public class ReadPool {

    private static final Logger LOG = Logger.getLogger(ReadPool.class);

    private static final int QUEUE = 10_000;

    /** Ids per statement at most: enough for every request a busy instance has in flight. */
    static final int MAX_BATCH = 32;

    private record Pending(String id, CompletableFuture<Optional<ServedTask>> result) {
    }

    private final BlockingQueue<Pending> queue;

    private final int capacity;

    private final Function<List<String>, Map<String, ServedTask>> reader;

    private final DistributionSummary batches;

    private final List<Thread> threads = new ArrayList<>();

    private volatile boolean running = true;

    @Inject
    ReadPool(QueryConfig config, TaskQueries queries, MeterRegistry registry) {
        this(config.readConcurrency().orElse(Runtime.getRuntime().availableProcessors()), QUEUE, queries::getAll,
                DistributionSummary.builder("mirror.api.read.batch")
                        .description("Single-task reads answered by one statement").register(registry));
    }

    ReadPool(int threads, int capacity, Function<List<String>, Map<String, ServedTask>> reader,
            DistributionSummary batches) {
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.reader = reader;
        this.batches = batches;
        for (int i = 1; i <= Math.max(1, threads); i++) {
            Thread t = new Thread(this::serve, "mirror-read-" + i);
            t.setDaemon(true);
            this.threads.add(t);
            t.start();
        }
    }

    /**
     * The task as stored, or empty if unknown; completed on a read thread. A full queue is a 503 problem.
     */
    public CompletionStage<Optional<ServedTask>> read(String id) {
        if (!running) {
            throw stopping();
        }
        CompletableFuture<Optional<ServedTask>> result = new CompletableFuture<>();
        Pending pending = new Pending(id, result);
        if (!queue.offer(pending)) {
            throw new ApiProblem(503, "busy", "Too many reads",
                    capacity + " single-task reads are already waiting; retry shortly");
        }
        if (!running && queue.remove(pending)) {
            // Stopped between the check and the offer: no thread is left to take it.
            result.completeExceptionally(stopping());
        }
        return result;
    }

    private void serve() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                // Polled, not taken: an idle thread notices the stop without being interrupted.
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                // Not ours to stop on (a driver or pool may leave the flag set): only running ends the loop.
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            answer(batch);
            batch.clear();
        }
    }

    private void answer(List<Pending> batch) {
        if (batches != null) {
            batches.record(batch.size());
        }
        Map<String, ServedTask> found;
        try {
            found = reader.apply(distinctIds(batch));
        } catch (Throwable e) {
            // Whatever failed, the thread lives on and every read of the statement gets its answer.
            LOG.debugf(e, "Reading %d tasks failed", batch.size());
            for (Pending p : batch) {
                p.result().completeExceptionally(e);
            }
            return;
        }
        for (Pending p : batch) {
            // Completing runs the request's continuation (the response) here, on the read thread.
            p.result().complete(Optional.ofNullable(found.get(p.id())));
        }
    }

    private static List<String> distinctIds(List<Pending> batch) {
        if (batch.size() == 1) {
            return List.of(batch.get(0).id());
        }
        Map<String, Boolean> ids = new LinkedHashMap<>();
        for (Pending p : batch) {
            ids.put(p.id(), Boolean.TRUE);
        }
        return new ArrayList<>(ids.keySet());
    }

    @PreDestroy
    void stop() {
        running = false;
        // Statements in flight finish and answer their reads (2 s in all); what is still queued is refused.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        for (Pending p : left) {
            p.result().completeExceptionally(stopping());
        }
    }

    private static ApiProblem stopping() {
        return new ApiProblem(503, "busy", "Shutting down", "The service is stopping; retry on another instance");
    }
}
