package dev.taskmirror.api;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.RawJson;
import dev.taskmirror.query.QueryConfig;
import dev.taskmirror.query.ServedTask;
import dev.taskmirror.query.SortSpec;
import dev.taskmirror.query.TaskFilter;
import dev.taskmirror.query.TaskPage;
import dev.taskmirror.query.TaskQueries;
import dev.taskmirror.sync.SyncEngine;
import dev.taskmirror.writeback.CreateTaskRequest;
import dev.taskmirror.writeback.SaveOutcome;
import dev.taskmirror.writeback.TaskPatch;
import dev.taskmirror.writeback.TaskSaves;

@Path("/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tasks", description = "Mirrored xpander tasks: local queries and saves that reach the remote")
public class TaskResource {

    private final TaskQueries queries;
    private final TaskSaves saves;
    private final SyncEngine sync;
    private final QueryConfig config;

    TaskResource(TaskQueries queries, TaskSaves saves, SyncEngine sync, QueryConfig config) {
        this.queries = queries;
        this.saves = saves;
        this.sync = sync;
        this.config = config;
    }

    @GET
    @Operation(summary = "List mirrored tasks", description = "Newest first by default; keyset paging with an opaque cursor.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = TaskPage.class)))
    @APIResponse(responseCode = "400", description = "Invalid parameter or cursor",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public TaskPage list(
            @Parameter(description = "Agent id (repeatable or comma-separated)", example = "7c1d2b6e-3f0a-4c55-9d7e-2a8b1f4e6c10") @RestQuery("agent_id") List<String> agentId,
            @Parameter(description = "Status (repeatable or comma-separated)", example = "executing") @RestQuery List<String> status,
            @Parameter(description = "End user id (input.user.id)", example = "user-42") @RestQuery("user_id") String userId,
            @Parameter(description = "Parent task id") @RestQuery("parent_task_id") String parentTaskId,
            @Parameter(description = "Agent that triggered the task") @RestQuery("triggering_agent_id") String triggeringAgentId,
            @Parameter(description = "Created at or after (ISO-8601)", example = "2026-03-01T00:00:00Z") @RestQuery("created_after") String createdAfter,
            @Parameter(description = "Created before (ISO-8601)", example = "2026-03-02T00:00:00Z") @RestQuery("created_before") String createdBefore,
            @Parameter(description = "Include tasks deleted on the remote (tombstones)") @RestQuery("include_deleted") String includeDeleted,
            @Parameter(description = "Sort: created_at, updated_at or finished_at, with :asc or :desc (default created_at:desc)", example = "updated_at:desc") @RestQuery String sort,
            @Parameter(description = "Page size, 1 to 500 (default 50)", example = "50") @RestQuery String limit,
            @Parameter(description = "Cursor from the previous page's next_cursor") @RestQuery String cursor) {
        TaskFilter filter = new TaskFilter(Params.list(agentId), Params.statuses(status), Params.text("user_id", userId),
                Params.text("parent_task_id", parentTaskId), Params.text("triggering_agent_id", triggeringAgentId),
                Params.instant("created_after", createdAfter), Params.instant("created_before", createdBefore),
                Params.bool("include_deleted", includeDeleted));
        return queries.list(filter, SortSpec.parse(sort), Params.limit(limit, config.defaultLimit(), config.maxLimit()),
                cursor);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a mirrored task", description = "The remote document (secrets removed) plus a mirror section.")
    @APIResponse(responseCode = "200", description = "The task", content = @Content(schema = @Schema(ref = "Task")))
    @APIResponse(responseCode = "404", description = "Unknown task",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RestResponse<RawJson> get(@RestPath String id,
            @Parameter(description = "Read the task from the remote first (also mirrors a task not yet seen)") @RestQuery String refresh) {
        if (Params.bool("refresh", refresh)) {
            sync.refresh(List.of(id));
        }
        ServedTask task = queries.get(id).orElseThrow(() -> ApiProblem.notFound("Task", id));
        return RestResponse.ResponseBuilder.ok(task.json()).header("ETag", task.etag()).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a task on the remote", description = "Stored locally with its outbox entry in one "
            + "transaction and answered at once (mirror.sync_state pending); the relay creates it remotely.")
    @APIResponse(responseCode = "201", description = "Accepted and stored", content = @Content(schema = @Schema(ref = "Task")))
    @APIResponse(responseCode = "422", description = "Invalid input",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RestResponse<RawJson> create(@Valid @NotNull CreateTaskRequest request,
            @Parameter(description = "Makes retries safe: the same key and body return the first task") @RestHeader("Idempotency-Key") String idempotencyKey) {
        SaveOutcome outcome = saves.create(request, idempotencyKey);
        ServedTask task = served(outcome.taskId());
        return RestResponse.ResponseBuilder.<RawJson> create(outcome.created() ? 201 : 200)
                .entity(task.json())
                .location(URI.create("/tasks/" + outcome.taskId()))
                .header("ETag", task.etag())
                .build();
    }

    @PATCH
    @Path("{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @Operation(summary = "Save fields of a task", description = "Merge semantics: absent fields stay, null clears. "
            + "Answered at once with mirror.sync_state pending; status and result stay remote-owned (a value the "
            + "remote changed meanwhile is kept and the conflict recorded).")
    @APIResponse(responseCode = "202", description = "Save accepted", content = @Content(schema = @Schema(ref = "Task")))
    @APIResponse(responseCode = "412", description = "If-Match does not match the current ETag",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RestResponse<RawJson> update(@RestPath String id, @NotNull TaskPatch patch,
            @Parameter(description = "ETag of the state the change is based on") @RestHeader("If-Match") String ifMatch) {
        saves.update(id, patch, ifMatch);
        return accepted(id);
    }

    @POST
    @Path("{id}/stop")
    @Operation(summary = "Stop a task", description = "Shows stopped at once (pending); the relay stops it remotely.")
    @APIResponse(responseCode = "202", description = "Stop accepted", content = @Content(schema = @Schema(ref = "Task")))
    public RestResponse<RawJson> stop(@RestPath String id, @RestHeader("If-Match") String ifMatch) {
        saves.stop(id, ifMatch);
        return accepted(id);
    }

    private RestResponse<RawJson> accepted(String id) {
        ServedTask task = served(id);
        return RestResponse.ResponseBuilder.<RawJson> create(202).entity(task.json()).header("ETag", task.etag()).build();
    }

    private ServedTask served(String id) {
        return queries.get(id).orElseThrow(() -> ApiProblem.notFound("Task", id));
    }
}
