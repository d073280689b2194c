package dev.taskmirror.common;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

/**
 * Identity of this replica: {@code mirror.instance-id} (env MIRROR_INSTANCE_ID). Mapped on its own because
 * a mapping rooted at {@code mirror} would claim (and reject) every other {@code mirror.*} property.
 */
@ConfigMapping(prefix = "mirror.instance-id")
public interface InstanceConfig {

    /**
     * Name of this replica in sync leases and outbox claims; must differ between running replicas. The
     * Kubernetes manifest sets it to the pod name. Default: host name, process id and a random suffix.
     */
    @WithParentName
    Optional<String> value();
}
