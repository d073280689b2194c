package dev.taskmirror.query;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.taskmirror.common.RawJson;

/** One page of tasks, newest first, with the cursor of the next page (null on the last page). */
@Schema(name = "TaskPage")
public record TaskPage(
        @Schema(description = "Mirrored task documents (see Task)", implementation = Object[].class) List<RawJson> items,
        @Schema(description = "Opaque cursor of the next page; null when this is the last page",
                nullable = true) String nextCursor) {
}
