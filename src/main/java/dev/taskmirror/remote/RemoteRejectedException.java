package dev.taskmirror.remote;

/** The remote refused the request (4xx other than 404, 408 and 429): retrying the same call will not help. */
public class RemoteRejectedException extends RemoteException {

    private final String body;

    public RemoteRejectedException(String message, int status, String body) {
        super(message, status, false, null, null);
        this.body = body;
    }

    /** The remote's error body (FastAPI {@code {"detail": ...}}), truncated. */
    public String body() {
        return body;
    }
}
