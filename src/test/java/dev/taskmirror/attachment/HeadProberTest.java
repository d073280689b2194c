package dev.taskmirror.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.vertx.core.Vertx;

/** HEAD probing against a real local HTTP server: answers, redirects, the address policy, bounds, the cache. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeadProberTest {

    record Cfg(boolean enabled, Duration timeout, Duration totalTimeout, int concurrency, int maxFiles,
            int maxRedirects, Duration cacheTtl, int cacheSize, boolean allowPrivateAddresses,
            Optional<List<String>> allowedHosts) implements AttachmentConfig.Probe {

        /** Generous timeouts: a loaded machine must not turn an answer into a timeout. */
        static Cfg defaults() {
            return new Cfg(true, Duration.ofSeconds(2), Duration.ofSeconds(5), 2, 5, 2, Duration.ofMinutes(5), 100,
                    false, Optional.of(List.of("127.0.0.1")));
        }

        /** A short request timeout, for the timeout cases (the slow handler takes 2.5 s). */
        static Cfg shortTimeout() {
            return new Cfg(true, Duration.ofMillis(300), Duration.ofSeconds(5), 2, 5, 2, Duration.ofMinutes(5), 100,
                    false, Optional.of(List.of("127.0.0.1")));
        }
    }

    Vertx vertx;
    HttpServer server;
    ExecutorService serverThreads;
    String base;
    int port;
    final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    final Map<String, String> methods = new ConcurrentHashMap<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();

    @BeforeAll
    void start() throws IOException {
        vertx = Vertx.vertx();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
        base = "http://127.0.0.1:" + port;
    }

    @AfterAll
    void stop() {
        server.stop(0);
        serverThreads.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void clear() {
        hits.clear();
        methods.clear();
        maxInFlight.set(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        methods.put(path, ex.getRequestMethod());
        boolean held = path.startsWith("/hold/");
        if (held) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        }
        try {
            if (path.startsWith("/files/")) {
                ex.getResponseHeaders().add("Content-Type", path.endsWith(".pdf") ? "application/pdf" : "text/csv");
                ex.getResponseHeaders().add("Content-Length", "12345");
                ex.sendResponseHeaders(200, -1);
            } else if (path.equals("/go")) {
                redirect(ex, "/files/report.pdf");
            } else if (path.equals("/go-out")) {
                redirect(ex, "http://localhost:" + port + "/files/secret.txt");
            } else if (path.equals("/go-metadata")) {
                redirect(ex, "http://127.0.0.2:" + port + "/latest/meta-data/");
            } else if (path.equals("/loop")) {
                redirect(ex, "/loop");
            } else if (path.startsWith("/hold/")) {
                sleep(250);
                ex.getResponseHeaders().add("Content-Length", "1");
                ex.sendResponseHeaders(200, -1);
            } else if (path.equals("/slow")) {
                sleep(2500);
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        } finally {
            if (held) {
                inFlight.decrementAndGet();
            }
            ex.close();
        }
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.sendResponseHeaders(302, -1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HeadProber prober(Cfg cfg) {
        return new HeadProber(() -> cfg, vertx);
    }

    private int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    @Test
    void aHeadRequestGivesSizeAndContentType() {
        HeadProber p = prober(Cfg.defaults());
        try {
            List<ProbeResult> r = p.probe(List.of(base + "/files/report.pdf?sig=abc", base + "/missing.png"));
            assertThat(r.get(0).status()).isEqualTo("ok");
            assertThat(r.get(0).httpStatus()).isEqualTo(200);
            assertThat(r.get(0).size()).isEqualTo(12345L);
            assertThat(r.get(0).contentType()).isEqualTo("application/pdf");
            assertThat(r.get(0).probedAt()).endsWith("Z");
            assertThat(r.get(0).cached()).isFalse();
            assertThat(methods.get("/files/report.pdf")).isEqualTo("HEAD");
            assertThat(r.get(1).status()).isEqualTo("http_error");
            assertThat(r.get(1).httpStatus()).isEqualTo(404);
            assertThat(r.get(1).size()).isNull();
        } finally {
            p.close();
        }
    }

    @Test
    void redirectsAreFollowedOnlyToPermittedAddresses() {
        HeadProber p = prober(Cfg.defaults());
        try {
            List<ProbeResult> r = p.probe(List.of(base + "/go", base + "/go-out", base + "/go-metadata", base + "/loop"));
            assertThat(r.get(0).status()).isEqualTo("ok");
            assertThat(r.get(0).contentType()).isEqualTo("application/pdf");
            assertThat(r.get(1).status()).isEqualTo("refused");
            assertThat(r.get(1).error()).contains("redirect to http://localhost:" + port).contains("non-public address");
            assertThat(r.get(2).status()).isEqualTo("refused");
            assertThat(r.get(3).status()).isEqualTo("http_error");
            assertThat(r.get(3).error()).isEqualTo("more than 2 redirects");
            assertThat(hits("/loop")).isEqualTo(3);
            assertThat(hits("/files/secret.txt")).as("the refused target is never asked").isZero();
            assertThat(hits("/latest/meta-data/")).isZero();
        } finally {
            p.close();
        }
    }

    @Test
    void nonPublicAddressesAreRefusedWithoutARequest() {
        Cfg strict = new Cfg(true, Duration.ofSeconds(2), Duration.ofSeconds(5), 2, 5, 2, Duration.ofMinutes(5), 100,
                false, Optional.empty());
        HeadProber p = prober(strict);
        try {
            List<ProbeResult> r = p.probe(List.of(base + "/files/a.pdf", "http://localhost:" + port + "/files/b.pdf",
                    "http://[::1]:" + port + "/files/c.pdf", "ftp://127.0.0.1/files/d.pdf", "not a url at all"));
            assertThat(r).extracting(ProbeResult::status).containsOnly("refused");
            assertThat(hits).isEmpty();
        } finally {
            p.close();
        }
        Cfg open = new Cfg(true, Duration.ofSeconds(2), Duration.ofSeconds(5), 2, 5, 2, Duration.ofMinutes(5), 100,
                true, Optional.empty());
        HeadProber allowed = prober(open);
        try {
            assertThat(allowed.probe(List.of("http://localhost:" + port + "/files/b.pdf")).get(0).status())
                    .as("allow-private-addresses").isEqualTo("ok");
        } finally {
            allowed.close();
        }
    }

    @Test
    void answersAreCachedFailuresAreNot() throws Exception {
        HeadProber p = prober(Cfg.defaults());
        try {
            String url = base + "/files/cached.csv";
            assertThat(p.probe(List.of(url)).get(0).cached()).isFalse();
            ProbeResult again = p.probe(List.of(url)).get(0);
            assertThat(again.cached()).isTrue();
            assertThat(again.size()).isEqualTo(12345L);
            assertThat(hits("/files/cached.csv")).isEqualTo(1);
            p.probe(List.of(base + "/missing.txt"));
            assertThat(p.probe(List.of(base + "/missing.txt")).get(0).cached()).as("a 404 is an answer").isTrue();
            assertThat(hits("/missing.txt")).isEqualTo(1);
            p.clearCache();
            p.probe(List.of(url));
            assertThat(hits("/files/cached.csv")).isEqualTo(2);
        } finally {
            p.close();
        }
        HeadProber impatient = prober(Cfg.shortTimeout());
        try {
            assertThat(impatient.probe(List.of(base + "/slow")).get(0).status()).isEqualTo("timeout");
            assertThat(impatient.probe(List.of(base + "/slow")).get(0).cached()).isFalse();
            assertThat(hits("/slow")).as("a timeout is retried").isEqualTo(2);
        } finally {
            impatient.close();
        }
        Cfg shortTtl = new Cfg(true, Duration.ofSeconds(2), Duration.ofSeconds(5), 2, 5, 2, Duration.ofMillis(100),
                100, false, Optional.of(List.of("127.0.0.1")));
        HeadProber expiring = prober(shortTtl);
        try {
            String url = base + "/files/ttl.pdf";
            expiring.probe(List.of(url));
            Thread.sleep(150);
            assertThat(expiring.probe(List.of(url)).get(0).cached()).as("expired").isFalse();
            assertThat(hits("/files/ttl.pdf")).isEqualTo(2);
        } finally {
            expiring.close();
        }
    }

    @Test
    void boundedInTimeConcurrencyAndCount() throws Exception {
        HeadProber impatient = prober(Cfg.shortTimeout());
        try {
            long start = System.nanoTime();
            ProbeResult slow = impatient.probe(List.of(base + "/slow")).get(0);
            assertThat(slow.status()).isEqualTo("timeout");
            assertThat(slow.error()).isEqualTo("no answer within 300 ms");
            assertThat((System.nanoTime() - start) / 1_000_000).as("not waiting for the 2.5 s answer")
                    .isLessThan(2_000);
        } finally {
            impatient.close();
        }
        HeadProber p = prober(Cfg.defaults());
        try {
            List<ProbeResult> held = p.probe(List.of(base + "/hold/1", base + "/hold/2", base + "/hold/3",
                    base + "/hold/4", base + "/hold/5", base + "/hold/6"));
            assertThat(held.subList(0, 5)).extracting(ProbeResult::status).containsOnly("ok");
            assertThat(held.get(5).status()).as("beyond max-files").isEqualTo("skipped");
            assertThat(hits("/hold/6")).isZero();
            assertThat(maxInFlight.get()).as("concurrency bound").isBetween(1, 2);

            int closed;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                closed = s.getLocalPort();
            }
            ProbeResult refused = p.probe(List.of("http://127.0.0.1:" + closed + "/a.pdf")).get(0);
            assertThat(refused.status()).isEqualTo("unreachable");
        } finally {
            p.close();
        }
        // Per request 10 s, per call 800 ms: the call ends at its own bound, well before the 2.5 s answer.
        Cfg tight = new Cfg(true, Duration.ofSeconds(10), Duration.ofMillis(800), 2, 5, 2, Duration.ofMinutes(5), 100,
                false, Optional.of(List.of("127.0.0.1")));
        HeadProber total = prober(tight);
        try {
            long start = System.nanoTime();
            List<ProbeResult> r = total.probe(List.of(base + "/slow", base + "/files/x.pdf"));
            assertThat((System.nanoTime() - start) / 1_000_000).as("total timeout").isLessThan(2_000);
            assertThat(r.get(0).status()).isEqualTo("timeout");
            assertThat(r.get(0).error()).isEqualTo("no answer within 800 ms");
            assertThat(r.get(1).status()).isEqualTo("ok");
        } finally {
            total.close();
        }
    }
}
