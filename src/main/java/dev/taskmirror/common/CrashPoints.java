package dev.taskmirror.common;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.config.ConfigMapping;

/**
 * Named points where crash-safety tests make the process die on the spot, as a SIGKILL would (no shutdown
 * hooks, nothing flushed). Inert unless {@code mirror.testing.crash-at} names a point; never set it in
 * production.
 */
@ApplicationScoped
public class CrashPoints {

    /** Testing aids. */
    @ConfigMapping(prefix = "mirror.testing")
    public interface TestingConfig {
        /**
         * Halt the process when this point is reached: {@code save.after-commit} (a save is committed, not yet
         * answered), {@code relay.after-remote-ack} (xpander applied a save, the outbox row is not yet marked
         * done), {@code sync.mid-page} (inside the transaction applying a page of fetched tasks). A suffix
         * {@code @n} halts the n-th time the point is reached (default the first).
         */
        Optional<String> crashAt();
    }

    public static final String SAVE_AFTER_COMMIT = "save.after-commit";
    public static final String RELAY_AFTER_REMOTE_ACK = "relay.after-remote-ack";
    public static final String SYNC_MID_PAGE = "sync.mid-page";

    private static final Logger LOG = Logger.getLogger(CrashPoints.class);

    private final String crashAt;
    private final int occurrence;
    private final java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();

    CrashPoints(TestingConfig config) {
        String spec = config.crashAt().filter(s -> !s.isBlank()).orElse(null);
        if (spec != null && spec.contains("@")) {
            this.crashAt = spec.substring(0, spec.indexOf('@'));
            this.occurrence = Integer.parseInt(spec.substring(spec.indexOf('@') + 1));
        } else {
            this.crashAt = spec;
            this.occurrence = 1;
        }
        if (crashAt != null) {
            LOG.warnf("Crash point armed: the process will halt at %s (occurrence %d; testing only)", crashAt, occurrence);
        }
    }

    /** Whether the process is set to halt at {@code point} (lets a caller prepare only then). */
    public boolean armed(String point) {
        return point.equals(crashAt);
    }

    public void reached(String point) {
        if (point.equals(crashAt) && hits.incrementAndGet() == occurrence) {
            LOG.errorf("Crash point %s reached: halting", point);
            Runtime.getRuntime().halt(137);
        }
    }
}
