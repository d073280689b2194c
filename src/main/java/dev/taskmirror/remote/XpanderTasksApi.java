package dev.taskmirror.remote;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.smallrye.mutiny.Uni;

/**
 * The xpander Tasks routes the mirror uses (contract section 2). Bodies are raw bytes: the gateway
 * checks status, content type and JSON itself so that every failure is classified, never guessed.
 * Calls are asynchronous so the gateway can bound a whole call (a body dribbled past the deadline is cut
 * off, not waited for). Package-private: only {@link XpanderGateway} may call the remote.
 */
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface XpanderTasksApi {

    @POST
    @Path("agent-execution/{agentId}")
    Uni<RestResponse<byte[]>> create(@PathParam("agentId") String agentId,
            @HeaderParam("x-agent-version") String agentVersion, byte[] body);

    @GET
    @Path("agent-execution/{taskId}/status")
    Uni<RestResponse<byte[]>> get(@PathParam("taskId") String taskId);

    @GET
    @Path("agent-execution/executions/history/{agentId}")
    Uni<RestResponse<byte[]>> listByAgent(@PathParam("agentId") String agentId, @RestQuery Map<String, String> filters);

    @GET
    @Path("agent-execution/executions/history/user/{userId}")
    Uni<RestResponse<byte[]>> listByUser(@PathParam("userId") String userId, @RestQuery Map<String, String> filters);

    @PATCH
    @Path("agent-execution/{taskId}/update")
    Uni<RestResponse<byte[]>> update(@PathParam("taskId") String taskId, byte[] body);

    @DELETE
    @Path("agent-execution/{taskId}")
    Uni<RestResponse<byte[]>> stop(@PathParam("taskId") String taskId);

    @GET
    @Path("activity/{agentId}/{taskId}")
    Uni<RestResponse<byte[]>> activity(@PathParam("agentId") String agentId, @PathParam("taskId") String taskId);

    @POST
    @Path("agent-execution/{agentId}/report_task")
    Uni<RestResponse<byte[]>> reportTask(@PathParam("agentId") String agentId, byte[] body);
}
