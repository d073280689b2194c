package dev.taskmirror.query;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.taskmirror.common.RawJson;

/** Result of a bulk get: the tasks found, in request order, and the ids not mirrored. */
@Schema(name = "BatchGetResult")
public record BatchResult(
        @Schema(implementation = Object[].class, description = "Tasks found (see Task), in request order") List<RawJson> items,
        @Schema(description = "Requested ids that are not mirrored") List<String> missing) {
}
