package dev.taskmirror.remote;

import java.time.Duration;

/** Transient remote failure: the call may succeed later. Counts against the circuit breaker. */
public class RemoteUnavailableException extends RemoteException {

    public RemoteUnavailableException(String message, int status, Duration retryAfter, Throwable cause) {
        super(message, status, true, retryAfter, cause);
    }
}
