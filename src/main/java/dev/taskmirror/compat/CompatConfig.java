package dev.taskmirror.compat;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The xpander-compatible surface. */
@ConfigMapping(prefix = "mirror.compat")
public interface CompatConfig {

    /** Keep-alive comments on relayed event streams when nothing else was sent for this long. */
    @WithDefault("15s")
    Duration keepAlive();
}
