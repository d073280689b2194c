package dev.taskmirror.remote;

import java.time.Duration;
import java.util.Optional;

/** A remote call that did not produce a usable answer. Messages never contain credentials. */
public class RemoteException extends RuntimeException {

    private final int status;
    private final boolean retryable;
    private final Duration retryAfter;

    public RemoteException(String message, int status, boolean retryable, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** HTTP status, or 0 when no response was received (I/O error, timeout, malformed body). */
    public int status() {
        return status;
    }

    /** True for transient failures worth retrying: I/O, timeouts, 408, 429, 5xx, malformed bodies. */
    public boolean retryable() {
        return retryable;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
