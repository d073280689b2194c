package dev.taskmirror.api;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import dev.taskmirror.query.BatchResult;
import dev.taskmirror.query.TaskQueries;
import dev.taskmirror.query.TaskView;

@Path("/tasks/batch-get")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Tasks")
public class BatchGetResource {

    @Schema(name = "BatchGetRequest")
    public record Request(
            @Schema(description = "Task ids, at most 500", examples = "[\"5b0e9a43-8c7d-4f21-a6b2-0d3e9c1f7a58\"]")
            @NotNull @Size(min = 1, max = 500) List<@NotBlank @Size(max = 255) String> ids) {
    }

    private final TaskQueries queries;

    BatchGetResource(TaskQueries queries) {
        this.queries = queries;
    }

    @POST
    @Operation(summary = "Get up to 500 tasks in one call", description = "Found tasks in request order, and the "
            + "ids that are not mirrored. Tombstones are returned (mirror.deleted true).")
    public BatchResult batchGet(@Valid @NotNull Request request,
            @Parameter(description = "summary or full (default)") @RestQuery String view,
            @Parameter(description = "Only these top-level fields") @RestQuery String fields) {
        List<String> ids = request.ids().stream().distinct().toList();
        return queries.batchGet(ids, TaskView.parse(view, fields));
    }
}
