package dev.taskmirror.attachment;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Attachments of tasks: {@code GET /tasks/{id}/attachments?probe=true}.
 * Ranges are checked at start-up by {@code dev.taskmirror.ops.SettingRanges}.
 */
@ConfigMapping(prefix = "mirror.attachments")
public interface AttachmentConfig {

    /** HEAD requests that learn an input file's size and content type. */
    Probe probe();

    interface Probe {

        /** Allow {@code probe=true}. When false the files are listed without probing ({@code probe.status: disabled}). */
        @WithDefault("true")
        boolean enabled();

        /** Timeout of one HEAD request (connect and response headers), per redirect hop. */
        @WithDefault("2s")
        Duration timeout();

        /** Longest time one {@code probe=true} request spends probing; files not done by then report {@code timeout}. */
        @WithDefault("5s")
        Duration totalTimeout();

        /** HEAD requests in flight at once, across all requests of this instance. */
        @WithDefault("4")
        int concurrency();

        /** Files probed per task and request; the others report {@code skipped}. */
        @WithDefault("20")
        int maxFiles();

        /** Redirects followed per file; each target passes the address policy again. */
        @WithDefault("3")
        int maxRedirects();

        /** How long a probe answer (a 2xx, or an HTTP error status) is reused for the same URL; 0 disables the cache. */
        @WithDefault("10m")
        Duration cacheTtl();

        /** Most URLs kept in the probe cache (least recently used ones are dropped). */
        @WithDefault("10000")
        int cacheSize();

        /**
         * Allow probing loopback, link-local, private and other non-public addresses. Off by default: probing
         * follows URLs that task creators chose, and must not reach the cluster's internal services or a cloud
         * metadata endpoint (SSRF).
         */
        @WithDefault("false")
        boolean allowPrivateAddresses();

        /**
         * Host names (as written in URLs, e.g. an internal file server) exempt from the non-public address
         * check. Redirects to other hosts are still checked.
         */
        Optional<List<String>> allowedHosts();
    }
}
