package dev.taskmirror.security;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Who may call task-mirror: client API keys with roles (read, write, admin, metrics). */
@ConfigMapping(prefix = "mirror.security")
public interface SecurityConfig {

    /**
     * Client API keys (env MIRROR_SECURITY_API_KEYS, from a Kubernetes Secret), comma-separated entries
     * {@code name:roles:key} where roles are {@code +}-separated from read, write, admin, metrics, and key is
     * the secret itself or {@code sha256:<hex>} of it. Example: {@code dashboard:read:s3cr3t,worker:read+write:sha256:ab12...}.
     * Clients send the key as {@code X-API-Key} (or {@code Authorization: Bearer}); xpander SDK clients send
     * it as their {@code x-api-key}.
     */
    Optional<List<String>> apiKeys();

    /**
     * Roles granted to requests without a key on the local API. None in production; dev mode and tests open
     * the local API (the xpander-compatible surface always requires a client key).
     */
    Optional<Set<String>> anonymousRoles();

    /** Serve {@code /q/metrics} without a key (Prometheus inside the cluster); else it needs admin or metrics. */
    @WithDefault("true")
    boolean metricsPublic();
}
