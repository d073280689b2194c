package dev.taskmirror.ops;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.MDC;

/**
 * Puts correlation keys in the logging MDC for a block and restores what was there before, so nested
 * blocks (a sync cycle started by a request) keep the outer keys. JSON logs print the MDC of every line.
 *
 * <pre>{@code
 * try (LogContext ignored = LogContext.of(LogContext.SCOPE, scope.key(), LogContext.AGENT_ID, agentId)) { ... }
 * }</pre>
 */
public final class LogContext implements AutoCloseable {

    public static final String SCOPE = "scope";
    public static final String AGENT_ID = "agent_id";
    public static final String TASK_ID = "task_id";
    public static final String OUTBOX_ID = "outbox_id";

    private final List<String> keys = new ArrayList<>(4);
    private final List<Object> previous = new ArrayList<>(4);

    private LogContext() {
    }

    /** Key/value pairs; a null value leaves that key untouched. */
    public static LogContext of(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key/value pairs expected");
        }
        LogContext ctx = new LogContext();
        for (int i = 0; i < keyValues.length; i += 2) {
            String value = keyValues[i + 1];
            if (value != null) {
                ctx.keys.add(keyValues[i]);
                ctx.previous.add(MDC.put(keyValues[i], value));
            }
        }
        return ctx;
    }

    /** The keys of a sync scope: {@code scope} always, {@code agent_id} for agent scopes. */
    public static LogContext forScope(String kind, String refId) {
        return of(SCOPE, kind + ":" + refId, AGENT_ID, "agent".equals(kind) ? refId : null);
    }

    @Override
    public void close() {
        for (int i = keys.size() - 1; i >= 0; i--) {
            Object old = previous.get(i);
            if (old == null) {
                MDC.remove(keys.get(i));
            } else {
                MDC.put(keys.get(i), old);
            }
        }
    }
}
