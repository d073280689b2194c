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

/**
 * The xpander Tasks routes the mirror uses (contract section 2). Bodies are raw bytes: the gateway
 * checks status, content type and JSON itself so that every failure is classified, never guessed.
 * Package-private: only {@link XpanderGateway} may call the remote.
 */
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface XpanderTasksApi {

    @POST
    @Path("agent-execution/{agentId}")
    RestResponse<byte[]> create(@PathParam("agentId") String agentId,
            @HeaderParam("x-agent-version") String agentVersion, byte[] body);

    @GET
    @Path("agent-execution/{taskId}/status")
    RestResponse<byte[]> get(@PathParam("taskId") String taskId);

    @GET
    @Path("agent-execution/executions/history/{agentId}")
    RestResponse<byte[]> listByAgent(@PathParam("agentId") String agentId, @RestQuery Map<String, String> filters);

    @GET
    @Path("agent-execution/executions/history/user/{userId}")
    RestResponse<byte[]> listByUser(@PathParam("userId") String userId, @RestQuery Map<String, String> filters);

    @PATCH
    @Path("agent-execution/{taskId}/update")
    RestResponse<byte[]> update(@PathParam("taskId") String taskId, byte[] body);

    @DELETE
    @Path("agent-execution/{taskId}")
    RestResponse<byte[]> stop(@PathParam("taskId") String taskId);

    @GET
    @Path("activity/{agentId}/{taskId}")
    RestResponse<byte[]> activity(@PathParam("agentId") String agentId, @PathParam("taskId") String taskId);

    @POST
    @Path("agent-execution/{agentId}/report_task")
    RestResponse<byte[]> reportTask(@PathParam("agentId") String agentId, byte[] body);
}
