package dev.taskmirror.query;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.taskmirror.common.RawJson;

/** One page of tasks, with the cursor of the next page (null on the last page). */
@Schema(name = "TaskPage")
public record TaskPage(
        @Schema(description = "Tasks (see Task), in the view asked for", implementation = Object[].class) List<RawJson> items,
        @Schema(description = "Opaque cursor of the next page; null when this is the last page", nullable = true) String nextCursor,
        @Schema(description = "Matching tasks (with include_total=true)", nullable = true)
        @JsonInclude(JsonInclude.Include.NON_NULL) Long total,
        @Schema(description = "True when total is the planner's estimate (beyond the exact-count cap)", nullable = true)
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean totalIsEstimate,
        @Schema(description = "With an id filter: requested ids that are not mirrored", nullable = true)
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> missing) {

    public TaskPage(List<RawJson> items, String nextCursor) {
        this(items, nextCursor, null, null, null);
    }
}
