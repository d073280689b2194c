package dev.taskmirror.remote;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * Where the remote is: the configured xpander service, or (dev mode and tests without an API key) the
 * built-in simulator. Resolved lazily because the simulator binds its port at start-up.
 */
@ApplicationScoped
public class RemoteEndpoint {

    private final XpanderConfig config;
    private final Instance<RemoteEndpointOverride> override;

    RemoteEndpoint(XpanderConfig config, Instance<RemoteEndpointOverride> override) {
        this.config = config;
        this.override = override;
    }

    /** True when the service talks to the built-in simulator instead of a configured xpander endpoint. */
    public boolean simulated() {
        return config.apiKey().filter(k -> !k.isBlank()).isEmpty() && override.isResolvable();
    }

    /** True when some remote is usable: an API key is configured, or the simulator is present. */
    public boolean available() {
        return config.apiKey().filter(k -> !k.isBlank()).isPresent() || override.isResolvable();
    }

    public String apiKey() {
        if (simulated()) {
            return override.get().apiKey();
        }
        return config.apiKey().orElseThrow(() -> new IllegalStateException(
                "No xpander API key configured: set XPANDER_API_KEY"));
    }

    public String baseUrl() {
        if (simulated()) {
            return override.get().baseUrl();
        }
        return normalise(config.baseUrl());
    }

    public Optional<String> organizationId() {
        if (simulated()) {
            return override.get().organizationId();
        }
        return config.organizationId().filter(s -> !s.isBlank());
    }

    /** Agents mirrored when {@code mirror.sync.agent-ids} is empty (the simulator's demo agents). */
    public List<String> defaultAgentIds() {
        return simulated() ? override.get().agentIds() : List.of();
    }

    /**
     * REST root per the SDK: the organization id is appended only for a self-hosted Agent Controller
     * (base URL containing {@code agent-controller} or the controller port {@code 9016}).
     */
    public URI restRoot() {
        String base = stripSlash(baseUrl());
        if (!simulated() && (base.contains("agent-controller") || base.contains("9016"))) {
            base = base + "/" + organizationId().orElse("None");
        }
        return URI.create(base + "/");
    }

    /** Event-stream URL of one task (contract 1.3); the organization id is always in this path. */
    public URI taskEventsUrl(String taskId) {
        String org = organizationId().orElse("None");
        String eventsBase;
        Optional<String> configured = simulated() ? Optional.empty() : config.eventsBaseUrl();
        String base = stripSlash(baseUrl());
        if (configured.isPresent()) {
            eventsBase = stripSlash(configured.get());
        } else if (simulated()) {
            eventsBase = base + "/" + org + "/events";
        } else if (base.contains("inbound.stg.xpander")) {
            eventsBase = "https://agent-controller.stg.xpander.ai/" + org + "/events";
        } else if (base.contains("inbound.xpander")) {
            eventsBase = "https://agent-controller.xpander.ai/" + org + "/events";
        } else if (base.contains("8085")) {
            eventsBase = "http://localhost:9016/" + org + "/events";
        } else {
            eventsBase = base + "/" + org + "/events";
        }
        // The id is one path segment, whatever it holds (a client-chosen id may contain '/', '..', spaces).
        String segment = java.net.URLEncoder.encode(taskId, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        return URI.create(eventsBase.replace("/events", "/agent-execution/" + segment + "/events"));
    }

    static String normalise(String url) {
        String u = url.trim();
        if (!u.startsWith("http://") && !u.startsWith("https://")) {
            u = "https://" + u;
        }
        return stripSlash(u);
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
