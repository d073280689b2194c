package dev.taskmirror.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.taskmirror.common.ApiProblem;

/** RFC 9457 problem details, served as {@code application/problem+json}. */
@Schema(name = "Problem")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @Schema(examples = "https://task-mirror.dev/problems/not-found") String type,
        @Schema(examples = "Task not found") String title,
        @Schema(examples = "404") int status,
        @Schema(examples = "Task 'abc' does not exist") String detail,
        @Schema(examples = "/tasks/abc") String instance,
        List<ApiProblem.InvalidParam> invalidParams) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://task-mirror.dev/problems/";
}
