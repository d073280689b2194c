package dev.taskmirror.compat;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.taskmirror.remote.RemoteEndpoint;

/**
 * xpander serves every route with and without a leading {@code /{organization_id}} (self-hosted Agent
 * Controller clients send it). Before routing, {@code /xpander/{org}/...} becomes {@code /xpander/...}; an
 * organization other than the mirror's gets 404 as it would from xpander.
 */
public class OrganizationSegmentFilter {

    private static final Set<String> ROUTE_ROOTS = Set.of("agent-execution", "activity", "agents-metrics");

    private final RemoteEndpoint endpoint;

    OrganizationSegmentFilter(RemoteEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> strip(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (!path.startsWith("/xpander/")) {
            return Optional.empty();
        }
        String rest = path.substring("/xpander/".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        String first = rest.substring(0, slash);
        if (ROUTE_ROOTS.contains(first)) {
            return Optional.empty();
        }
        Optional<String> ours = endpoint.organizationId();
        if (ours.isPresent() && !ours.get().equals(first)) {
            return Optional.of(Response.status(404).type("application/json").entity("{\"detail\":\"Not Found\"}").build());
        }
        URI uri = ctx.getUriInfo().getRequestUri();
        URI rewritten = UriBuilder.fromUri(uri).replacePath("/xpander/" + rest.substring(slash + 1)).build();
        ctx.setRequestUri(rewritten);
        return Optional.empty();
    }
}
