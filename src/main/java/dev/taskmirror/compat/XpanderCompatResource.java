package dev.taskmirror.compat;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.RawJson;

/**
 * The xpander Tasks API (contract section 2) served by the mirror: point an SDK's XPANDER_BASE_URL at
 * {@code http://task-mirror/xpander} and give it a task-mirror client key. Every route also answers with a
 * leading {@code /{organization_id}}. Errors use xpander's shapes ({@code {"detail": ...}}).
 */
@Path("/xpander")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "xpander-compatible", description = "The xpander SDK's Tasks API, served from the mirror")
public class XpanderCompatResource {

    private final CompatTasks tasks;
    private final ActivityCache activity;

    XpanderCompatResource(CompatTasks tasks, ActivityCache activity) {
        this.tasks = tasks;
        this.activity = activity;
    }

    @POST
    @Path("agent-execution/{agentId}")
    @Operation(summary = "E1 create a task (or continue the thread named by id)", description = "Stored and pushed "
            + "to xpander at once; xpander's answer is returned, or the pending task when xpander is unreachable "
            + "(delivery continues).")
    public RawJson create(@RestPath String agentId,
            @Parameter(description = "Agent version, as the SDK sends it") @RestHeader("x-agent-version") String agentVersion,
            ObjectNode body) {
        return tasks.create(agentId, agentVersion, requireBody(body));
    }

    @GET
    @Path("agent-execution/{taskId}/status")
    @Operation(summary = "E2 get a task", description = "From the mirror; a task not mirrored yet is read through.")
    public RawJson get(@RestPath String taskId) {
        return tasks.get(taskId);
    }

    @GET
    @Path("agent-execution/executions/history/user/{userId}")
    @Operation(summary = "E4 tasks of an end user", description = "A bare array of list items, newest first.")
    public StreamingOutput userTasks(@RestPath String userId, @RestQuery("parent_task_id") String parentTaskId,
            @RestQuery("triggering_agent_id") String triggeringAgentId, @RestQuery String status,
            @RestQuery("internal_status") String internalStatus) {
        CompatTasks.Filters f = new CompatTasks.Filters(null, parentTaskId, triggeringAgentId, status, internalStatus);
        if (!tasks.mirrored("user", userId)) {
            byte[] relayed = tasks.relayList("user", userId, f);
            return out -> out.write(relayed);
        }
        return out -> tasks.writeList("user_id", userId, f, out);
    }

    @GET
    @Path("agent-execution/executions/history/{agentId}")
    @Operation(summary = "E3 tasks of an agent", description = "A bare array of list items, newest first; agents "
            + "the mirror does not hold are relayed from xpander.")
    public StreamingOutput agentTasks(@RestPath String agentId, @RestQuery("user_id") String userId,
            @RestQuery("parent_task_id") String parentTaskId, @RestQuery("triggering_agent_id") String triggeringAgentId,
            @RestQuery String status, @RestQuery("internal_status") String internalStatus) {
        CompatTasks.Filters f = new CompatTasks.Filters(userId, parentTaskId, triggeringAgentId, status, internalStatus);
        if (!tasks.mirrored("agent", agentId)) {
            byte[] relayed = tasks.relayList("agent", agentId, f);
            return out -> out.write(relayed);
        }
        return out -> tasks.writeList("agent_id", agentId, f, out);
    }

    @PATCH
    @Path("agent-execution/{taskId}/update")
    @Operation(summary = "E5 update a task", description = "Partial or whole-object body; only fields that differ "
            + "from the mirrored state are forwarded (never a redacted secret). Answers the merged state.")
    public RawJson update(@RestPath String taskId, ObjectNode body) {
        return tasks.update(taskId, requireBody(body));
    }

    @DELETE
    @Path("agent-execution/{taskId}")
    @Operation(summary = "E6 stop a task")
    public RawJson stop(@RestPath String taskId) {
        return tasks.stop(taskId);
    }

    @GET
    @Path("activity/{agentId}/{taskId}")
    @Operation(summary = "E9 activity log of a task", description = "Stored with the task; re-read when the task changed.")
    public RawJson activity(@RestPath String agentId, @RestPath String taskId) {
        return activity.get(agentId, taskId);
    }

    @POST
    @Path("agent-execution/{agentId}/report_task")
    @Operation(summary = "E10 report a task executed elsewhere")
    public RawJson report(@RestPath String agentId, ObjectNode body) {
        return tasks.report(agentId, requireBody(body));
    }

    private static ObjectNode requireBody(ObjectNode body) {
        if (body == null) {
            throw FastApiError.validation(java.util.List.of("body"), "field required", "value_error.missing");
        }
        return body;
    }
}
