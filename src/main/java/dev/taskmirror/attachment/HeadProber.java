package dev.taskmirror.attachment;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.taskmirror.common.Timestamps;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * Learns size and content type of input files with HEAD requests, within bounds: a few requests in flight
 * per instance ({@code concurrency} threads, each waiting for one request), a timeout per request and per
 * call, a limited number of redirects, every hop checked by the {@link AddressGuard} and connected to the
 * address it checked. Answers are cached per URL for {@code cache-ttl}. Never called inside a transaction.
 */
@ApplicationScoped
public class HeadProber {

    private static final Logger LOG = Logger.getLogger(HeadProber.class);
    private static final int MAX_HEADER_CHARS = 255;

    private record Cached(ProbeResult result, long expiresAt) {
    }

    private record Head(int status, String contentLength, String contentType, String location) {
    }

    private final AttachmentConfig.Probe config;
    private final AddressGuard guard;
    private final HttpClient client;
    private final ThreadPoolExecutor pool;
    private final Map<String, Cached> cache;

    HeadProber(AttachmentConfig config, Vertx vertx) {
        this.config = config.probe();
        this.guard = new AddressGuard(this.config.allowPrivateAddresses(), this.config.allowedHosts().orElse(List.of()));
        int timeout = (int) Math.max(1, this.config.timeout().toMillis());
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(false)
                .setConnectTimeout(timeout)
                .setMaxPoolSize(this.config.concurrency())
                .setVerifyHost(true));
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(this.config.concurrency(), this.config.concurrency(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "attachment-probe-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.pool.allowCoreThreadTimeOut(true);
        int size = this.config.cacheSize();
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > size;
            }
        });
    }

    @PreDestroy
    void close() {
        pool.shutdownNow();
        client.close();
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Probes the URLs (at most {@code max-files}, within {@code total-timeout}); results in the given order. */
    public List<ProbeResult> probe(List<String> urls) {
        long deadline = System.nanoTime() + config.totalTimeout().toNanos();
        List<ProbeResult> out = new ArrayList<>(Collections.nCopies(urls.size(), null));
        List<Future<ProbeResult>> running = new ArrayList<>(Collections.nCopies(urls.size(), null));
        for (int i = 0; i < urls.size(); i++) {
            String url = urls.get(i);
            if (i >= config.maxFiles()) {
                out.set(i, ProbeResult.failed("skipped", "only the first " + config.maxFiles() + " files are probed"));
                continue;
            }
            ProbeResult hit = cached(url);
            if (hit != null) {
                out.set(i, hit);
                continue;
            }
            try {
                running.set(i, pool.submit(() -> probeOne(url)));
            } catch (RejectedExecutionException e) {
                out.set(i, ProbeResult.failed("skipped", "too many probes in progress; try again later"));
            }
        }
        for (int i = 0; i < urls.size(); i++) {
            Future<ProbeResult> f = running.get(i);
            if (f == null) {
                continue;
            }
            try {
                out.set(i, f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                f.cancel(true);
                out.set(i, ProbeResult.failed("timeout", "no answer within " + config.totalTimeout().toMillis() + " ms"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                out.set(i, ProbeResult.failed("timeout", "interrupted"));
            } catch (ExecutionException e) {
                LOG.debugf(e, "Probe of %s failed", urls.get(i));
                out.set(i, ProbeResult.failed("unreachable", String.valueOf(e.getCause())));
            }
        }
        return out;
    }

    private ProbeResult cached(String url) {
        Cached c = cache.get(url);
        if (c == null) {
            return null;
        }
        if (System.nanoTime() - c.expiresAt() > 0) {
            cache.remove(url);
            return null;
        }
        return c.result().fromCache();
    }

    /** One URL, following redirects; blocking (runs on the probe pool). */
    ProbeResult probeOne(String url) {
        String current = url;
        for (int hop = 0;; hop++) {
            AddressGuard.Target target;
            try {
                target = guard.check(current);
            } catch (AddressGuard.Refused e) {
                return ProbeResult.failed("refused", hop == 0 ? e.getMessage() : "redirect to " + current + ": "
                        + e.getMessage());
            }
            Head head;
            try {
                head = head(target);
            } catch (TimeoutException e) {
                return ProbeResult.failed("timeout", "no answer within " + config.timeout().toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ProbeResult.failed("timeout", "interrupted");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause.getClass().getSimpleName().contains("Timeout")) {
                    return ProbeResult.failed("timeout", "no answer within " + config.timeout().toMillis() + " ms");
                }
                return ProbeResult.failed("unreachable",
                        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
            }
            if (isRedirect(head.status()) && head.location() != null) {
                if (hop >= config.maxRedirects()) {
                    return ProbeResult.failed("http_error", "more than " + config.maxRedirects() + " redirects");
                }
                try {
                    current = target.uri().resolve(head.location().strip()).toString();
                } catch (IllegalArgumentException e) {
                    return ProbeResult.failed("http_error", "invalid redirect location");
                }
                continue;
            }
            ProbeResult result = answer(head);
            if (result.cacheable() && config.cacheTtl().toMillis() > 0) {
                cache.put(url, new Cached(result, System.nanoTime() + config.cacheTtl().toNanos()));
            }
            return result;
        }
    }

    private Head head(AddressGuard.Target t) throws InterruptedException, ExecutionException, TimeoutException {
        long timeout = Math.max(1, config.timeout().toMillis());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.HEAD)
                .setHost(t.host())
                .setPort(t.port())
                .setSsl(t.https())
                .setURI(t.pathAndQuery())
                // Connect to the address the guard checked, never to a second DNS answer.
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(t.address(), t.port())))
                .setFollowRedirects(false)
                .setConnectTimeout(timeout)
                .setIdleTimeout(timeout)
                .putHeader("User-Agent", "task-mirror-attachment-probe");
        return client.request(options)
                .compose(req -> req.send())
                .compose(resp -> resp.end().map(v -> new Head(resp.statusCode(), resp.getHeader("Content-Length"),
                        resp.getHeader("Content-Type"), resp.getHeader("Location"))))
                .toCompletionStage().toCompletableFuture()
                .get(timeout + 50, TimeUnit.MILLISECONDS);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static ProbeResult answer(Head head) {
        String at = Timestamps.format(Timestamps.micros(Instant.now()));
        if (head.status() < 200 || head.status() > 299) {
            return new ProbeResult("http_error", head.status(), null, null, "HTTP " + head.status(), at, false);
        }
        Long size = null;
        try {
            if (head.contentLength() != null) {
                long v = Long.parseLong(head.contentLength().trim());
                size = v >= 0 ? v : null;
            }
        } catch (NumberFormatException e) {
            // an unusable Content-Length is reported as unknown
        }
        String type = head.contentType() == null ? null : head.contentType().strip();
        if (type != null && type.length() > MAX_HEADER_CHARS) {
            type = type.substring(0, MAX_HEADER_CHARS);
        }
        return new ProbeResult("ok", head.status(), size, type, null, at, false);
    }

    /** For tests: forget every cached answer. */
    public void clearCache() {
        cache.clear();
    }
}
