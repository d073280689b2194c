package dev.taskmirror.api;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.ResponseHeader;
import org.jboss.resteasy.reactive.RestResponse;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.RawJson;
import dev.taskmirror.query.QueryConfig;
import dev.taskmirror.query.QueryGate;
import dev.taskmirror.query.ReadPool;
import dev.taskmirror.query.ServedTask;
import dev.taskmirror.query.SortSpec;
import dev.taskmirror.query.TaskExporter;
import dev.taskmirror.query.TaskFilter;
import dev.taskmirror.query.TaskPage;
import dev.taskmirror.query.TaskQueries;
import dev.taskmirror.query.TaskStats;
import dev.taskmirror.query.TaskStatsView;
import dev.taskmirror.query.TaskView;
import dev.taskmirror.query.TaskWaiters;
import dev.taskmirror.sync.SyncEngine;
import dev.taskmirror.writeback.CreateTaskRequest;
import dev.taskmirror.writeback.SaveOutcome;
import dev.taskmirror.writeback.TaskPatch;
import dev.taskmirror.writeback.TaskSaves;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

@Path("/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@Tag(name = "Tasks", description = "Mirrored xpander tasks: local queries and saves that reach the remote")
public class TaskResource {

    private static final String PROBLEM = Problem.MEDIA_TYPE;

    private final TaskQueries queries;
    private final TaskStats stats;
    private final TaskExporter exporter;
    private final TaskWaiters waiters;
    private final TaskSaves saves;
    private final SyncEngine sync;
    private final Conditional conditional;
    private final QueryConfig config;
    private final QueryGate gate;
    private final ReadPool reads;

    TaskResource(TaskQueries queries, TaskStats stats, TaskExporter exporter, TaskWaiters waiters, TaskSaves saves,
            SyncEngine sync, Conditional conditional, QueryConfig config, QueryGate gate, ReadPool reads) {
        this.queries = queries;
        this.stats = stats;
        this.exporter = exporter;
        this.waiters = waiters;
        this.saves = saves;
        this.sync = sync;
        this.conditional = conditional;
        this.config = config;
        this.gate = gate;
        this.reads = reads;
    }

    @GET
    @Operation(summary = "List mirrored tasks", description = "Newest first by default; keyset paging with an opaque "
            + "cursor whose cost does not depend on depth. Send Accept: application/x-ndjson or text/csv to export "
            + "every matching task as a stream instead. Conditional with If-None-Match.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = TaskPage.class)))
    @APIResponse(responseCode = "304", description = "Not modified (If-None-Match)")
    @APIResponse(responseCode = "400", description = "Invalid parameter or cursor",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Every query slot stayed busy (mirror.api.query-queue-timeout)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    public RestResponse<byte[]> list(@BeanParam TaskParams params,
            @Parameter(description = "Sort: created_at, updated_at or finished_at, with :asc or :desc (default created_at:desc); id breaks ties", example = "updated_at:desc") @RestQuery String sort,
            @Parameter(description = "Page size, 1 to 500 (default 50)", example = "50") @RestQuery String limit,
            @Parameter(description = "next_cursor of the previous page") @RestQuery String cursor,
            @Parameter(description = "summary (no prompt, result or schemas) or full (default)", example = "summary") @RestQuery String view,
            @Parameter(description = "Only these top-level fields (comma-separated; id always included)", example = "id,status,title,updated_at") @RestQuery String fields,
            @Parameter(description = "Add total (exact up to 10000, else total_is_estimate=true)", example = "true") @RestQuery("include_total") String includeTotal,
            @RestHeader("If-None-Match") String ifNoneMatch) {
        TaskFilter filter = params.toFilter();
        SortSpec order = SortSpec.parse(sort);
        TaskView shape = TaskView.parse(view, fields);
        int size = Params.limit(limit, config.defaultLimit(), config.maxLimit());
        boolean total = Params.bool("include_total", includeTotal);
        // The query and the response body in one slot: both are CPU work on the same cores.
        return gate.run(() -> conditional.json(queries.list(filter, order, shape, size, cursor, total), ifNoneMatch,
                Conditional.REVALIDATE));
    }

    @GET
    @Produces("application/x-ndjson;qs=0.5")
    @ResponseHeader(name = "Content-Disposition", value = "attachment; filename=\"tasks.ndjson\"")
    @Operation(summary = "Export mirrored tasks as NDJSON", description = "Every task matching the filters, one "
            + "document (or view) per line, streamed from a database cursor without paging.")
    public StreamingOutput exportNdjson(@BeanParam TaskParams params, @RestQuery String sort, @RestQuery String view,
            @RestQuery String fields) {
        return export(params, sort, view, fields, TaskExporter.Format.NDJSON);
    }

    @GET
    @Produces("text/csv;qs=0.5")
    @ResponseHeader(name = "Content-Disposition", value = "attachment; filename=\"tasks.csv\"")
    @Operation(summary = "Export mirrored tasks as CSV", description = "Every task matching the filters: fixed columns "
            + "(id, agent_id, status, …, result) or the fields parameter; cells that a spreadsheet would evaluate "
            + "are escaped.")
    public StreamingOutput exportCsv(@BeanParam TaskParams params, @RestQuery String sort, @RestQuery String view,
            @RestQuery String fields) {
        return export(params, sort, view, fields, TaskExporter.Format.CSV);
    }

    private StreamingOutput export(TaskParams params, String sort, String view, String fields,
            TaskExporter.Format format) {
        var filter = params.toFilter();
        SortSpec order = SortSpec.parse(sort);
        TaskView shape = TaskView.parse(view, fields);
        return out -> exporter.export(filter, order, shape, format, out);
    }

    @GET
    @Path("stats")
    @Operation(summary = "Aggregates for dashboards", description = "Counts by status, by agent and by time bucket "
            + "(in a time zone), run-time percentiles of finished tasks, token totals — over the same filters as "
            + "the list.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = TaskStatsView.class)))
    @APIResponse(responseCode = "503", description = "Every query slot stayed busy (mirror.api.query-queue-timeout)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    public RestResponse<byte[]> stats(@BeanParam TaskParams params,
            @Parameter(description = "IANA time zone of the time buckets (default UTC)", example = "Europe/Berlin") @RestQuery String tz,
            @Parameter(description = "hour, day (default), week or month", example = "day") @RestQuery String bucket,
            @RestHeader("If-None-Match") String ifNoneMatch) {
        TaskFilter filter = params.toFilter();
        ZoneId zone = TaskStats.zone(tz);
        String size = TaskStats.bucket(bucket);
        long maxAge = Math.max(0, config.statsCacheTtl().toSeconds());
        return gate.run(() -> conditional.json(stats.stats(filter, zone, size), ifNoneMatch,
                maxAge > 0 ? "max-age=" + maxAge : Conditional.REVALIDATE));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a mirrored task", description = "The remote document (secrets removed) plus updated_at "
            + "and a mirror section. With wait, answers when the task reaches a terminal status or the time is up "
            + "(no thread is held while waiting).")
    @APIResponse(responseCode = "200", description = "The task", content = @Content(schema = @Schema(ref = "Task")))
    @APIResponse(responseCode = "304", description = "Not modified (If-None-Match)")
    @APIResponse(responseCode = "404", description = "Unknown task",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Every read thread busy and the read queue full (mirror.api.read-concurrency)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    @NonBlocking
    public Uni<RestResponse<RawJson>> get(@RestPath String id,
            @Parameter(description = "Read the task from xpander first (also mirrors a task not seen yet)", example = "false") @RestQuery String refresh,
            @Parameter(description = "Wait up to this long for a terminal status (e.g. 30s, 2m; at most mirror.api.max-wait)", example = "30s") @RestQuery String wait,
            @RestHeader("If-None-Match") String ifNoneMatch) {
        Duration timeout = Params.duration("wait", wait, config.maxWait());
        if (Params.bool("refresh", refresh)) {
            // A remote call first: a worker thread, not one of the few read threads.
            return Uni.createFrom().deferred(() -> {
                sync.refresh(List.of(id));
                return get(id, timeout, ifNoneMatch);
            }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
        return get(id, timeout, ifNoneMatch);
    }

    private Uni<RestResponse<RawJson>> get(String id, Duration timeout, String ifNoneMatch) {
        if (timeout == null || timeout.isZero()) {
            return read(id).map(task -> respond(task, ifNoneMatch));
        }
        // Register before reading, so a change committed in between is not missed.
        CompletableFuture<Boolean> done = waiters.await(id, timeout);
        return read(id).onFailure().invoke(() -> done.complete(true)).flatMap(now -> {
            if (now.terminal() || now.deleted()) {
                done.complete(true);
                return Uni.createFrom().item(respond(now, ifNoneMatch));
            }
            return Uni.createFrom().completionStage(done).flatMap(x -> read(id)).map(task -> respond(task, ifNoneMatch));
        });
    }

    /** A read on the read threads (batched with the reads waiting beside it); unknown is a 404. */
    private Uni<ServedTask> read(String id) {
        return Uni.createFrom().deferred(() -> Uni.createFrom().completionStage(reads.read(id)))
                .map(found -> found.orElseThrow(() -> ApiProblem.notFound("Task", id)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a task on xpander", description = "Stored locally with its outbox entry in one "
            + "transaction and answered at once (mirror.sync_state pending); the relay creates it remotely.")
    @APIResponse(responseCode = "201", description = "Accepted and stored", content = @Content(schema = @Schema(ref = "Task")))
    @APIResponse(responseCode = "422", description = "Invalid input",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    public RestResponse<RawJson> create(@Valid @NotNull CreateTaskRequest request,
            @Parameter(description = "Makes retries safe: the same key and body return the first task") @RestHeader("Idempotency-Key") String idempotencyKey) {
        SaveOutcome outcome = saves.create(request, idempotencyKey);
        ServedTask task = stored(outcome.taskId());
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
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
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

    private RestResponse<RawJson> respond(ServedTask task, String ifNoneMatch) {
        if (Conditional.matches(ifNoneMatch, task.etag())) {
            return RestResponse.ResponseBuilder.<RawJson> create(RestResponse.Status.NOT_MODIFIED)
                    .header("ETag", task.etag()).header("Cache-Control", Conditional.REVALIDATE).build();
        }
        return RestResponse.ResponseBuilder.ok(task.json()).header("ETag", task.etag())
                .header("Cache-Control", Conditional.REVALIDATE).build();
    }

    private RestResponse<RawJson> accepted(String id) {
        ServedTask task = stored(id);
        return RestResponse.ResponseBuilder.<RawJson> create(202).entity(task.json()).header("ETag", task.etag()).build();
    }

    /** The task as stored now, read on the calling (worker) thread. */
    private ServedTask stored(String id) {
        return queries.get(id).orElseThrow(() -> ApiProblem.notFound("Task", id));
    }
}
