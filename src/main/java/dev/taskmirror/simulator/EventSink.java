package dev.taskmirror.simulator;

/**
 * Receiver of a task's server-sent events. Calls for one sink are made in event order while the task is
 * locked, so implementations must not block; they must preserve the call order when they hand off to
 * another thread.
 */
public interface EventSink {

    /** Delivers one complete SSE frame ({@code data: {...}\n\n}). */
    void send(String frame);

    /** The stream is over (task finished, stopped, deleted or simulator reset). */
    void close();
}
