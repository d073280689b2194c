package dev.taskmirror.ops;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Task and agent ids of a request in the logging MDC, so every line logged while serving it (also a sync
 * cycle it starts) carries them. Filters run on the thread that runs the resource method.
 */
public class RequestLogContext {

    private static final int MAX_VALUE = 200;

    @ServerRequestFilter
    public void enter(ContainerRequestContext request) {
        leave();
        UriInfo uri = request.getUriInfo();
        String path = uri.getPath().startsWith("/") ? uri.getPath().substring(1) : uri.getPath();
        String id = uri.getPathParameters().getFirst("id");
        if (id != null) {
            if (path.startsWith("tasks/")) {
                MDC.put(LogContext.TASK_ID, cap(id));
            } else if (path.startsWith("outbox/")) {
                MDC.put(LogContext.OUTBOX_ID, cap(id));
            }
        }
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        String agent = query.getFirst("agent_id");
        if (agent != null && !agent.isBlank()) {
            MDC.put(LogContext.AGENT_ID, cap(agent));
        }
    }

    @ServerResponseFilter
    public void leave() {
        MDC.remove(LogContext.TASK_ID);
        MDC.remove(LogContext.OUTBOX_ID);
        MDC.remove(LogContext.AGENT_ID);
    }

    private static String cap(String value) {
        return value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value;
    }
}
