package dev.taskmirror.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

import dev.taskmirror.attachment.AttachmentCategory;
import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.query.TaskFilter;

/** Filter parameters shared by the task list, its exports and the stats. */
public class TaskParams {

    @RestQuery("id")
    @Parameter(description = "Only these task ids (repeatable or comma-separated, at most 500)")
    public List<String> id;

    @RestQuery("agent_id")
    @Parameter(description = "Agent id (repeatable or comma-separated)", example = "7c1d2b6e-3f0a-4c55-9d7e-2a8b1f4e6c10")
    public List<String> agentId;

    @RestQuery
    @Parameter(description = "Status (repeatable or comma-separated): pending, executing, paused, error, failed, completed, stopped", example = "executing")
    public List<String> status;

    @RestQuery("user_id")
    @Parameter(description = "End user id (input.user.id)", example = "user-42")
    public String userId;

    @RestQuery("parent_task_id")
    @Parameter(description = "Parent task id (sub-tasks of it)", example = "5b0e9a43-8c7d-4f21-a6b2-0d3e9c1f7a58")
    public String parentTaskId;

    @RestQuery("triggering_agent_id")
    @Parameter(description = "Agent that triggered the task", example = "7c1d2b6e-3f0a-4c55-9d7e-2a8b1f4e6c10")
    public String triggeringAgentId;

    @RestQuery
    @Parameter(description = "Source tag (repeatable or comma-separated)", example = "sdk")
    public List<String> source;

    @RestQuery("internal_status")
    @Parameter(description = "Customer-defined internal status (exact match)", example = "reviewed")
    public String internalStatus;

    @RestQuery("output_format")
    @Parameter(description = "Output format (repeatable or comma-separated): text, markdown, json, voice", example = "json")
    public List<String> outputFormat;

    @RestQuery("has_result")
    @Parameter(description = "Only tasks with (true) or without (false) a result", example = "true")
    public String hasResult;

    @RestQuery("is_manually_stopped")
    @Parameter(description = "Only tasks stopped by a user (true) or not (false)", example = "false")
    public String isManuallyStopped;

    @RestQuery("created_after")
    @Parameter(description = "Created at or after (ISO-8601 timestamp or date)", example = "2026-03-01T00:00:00Z")
    public String createdAfter;

    @RestQuery("created_before")
    @Parameter(description = "Created before (ISO-8601)", example = "2026-03-02T00:00:00Z")
    public String createdBefore;

    @RestQuery("updated_after")
    @Parameter(description = "Last changed at or after (ISO-8601)", example = "2026-03-01T00:00:00Z")
    public String updatedAfter;

    @RestQuery("updated_before")
    @Parameter(description = "Last changed before (ISO-8601)", example = "2026-03-02T00:00:00Z")
    public String updatedBefore;

    @RestQuery("finished_after")
    @Parameter(description = "Finished at or after (ISO-8601)", example = "2026-03-01T00:00:00Z")
    public String finishedAfter;

    @RestQuery("finished_before")
    @Parameter(description = "Finished before (ISO-8601)", example = "2026-03-02T00:00:00Z")
    public String finishedBefore;

    @RestQuery
    @Parameter(description = "Full-text search over title, prompt and result (web-search syntax: words, \"phrases\", -exclusions, or)", example = "quarterly report -draft")
    public String q;

    @RestQuery("include_deleted")
    @Parameter(description = "Include tasks deleted on the remote (tombstones)", example = "false")
    public String includeDeleted;

    @RestQuery("has_attachments")
    @Parameter(description = "Only tasks with (true) or without (false) input files", example = "true")
    public String hasAttachments;

    @RestQuery("attachment_category")
    @Parameter(description = "Tasks with at least one input file of any of these categories (repeatable or "
            + "comma-separated): document, image, text, audio, other", example = "image")
    public List<String> attachmentCategory;

    @RestQuery("result_valid")
    @Parameter(description = "json tasks whose result is (true) or is not (false) JSON valid against output_schema; "
            + "tasks whose result is not judged match neither", example = "false")
    public String resultValid;

    public TaskFilter toFilter() {
        List<String> ids = Params.list(id);
        if (ids.size() > 500) {
            throw ApiProblem.badRequest("At most 500 ids", List.of(new ApiProblem.InvalidParam("id", "at most 500 ids")));
        }
        List<String> formats = Params.list(outputFormat);
        for (String f : formats) {
            if (!List.of("text", "markdown", "json", "voice").contains(f)) {
                throw ApiProblem.badRequest("Unknown output_format '" + f + "'",
                        List.of(new ApiProblem.InvalidParam("output_format", "text, markdown, json or voice")));
            }
        }
        List<String> categories = Params.list(attachmentCategory);
        for (String c : categories) {
            if (AttachmentCategory.fromWire(c).isEmpty()) {
                throw ApiProblem.badRequest("Unknown attachment_category '" + c + "'",
                        List.of(new ApiProblem.InvalidParam("attachment_category",
                                "one of " + String.join(", ", AttachmentCategory.VALUES))));
            }
        }
        String query = q == null || q.isBlank() ? null : q.trim();
        if (query != null && query.length() > 500) {
            throw ApiProblem.badRequest("q is too long", List.of(new ApiProblem.InvalidParam("q", "at most 500 characters")));
        }
        return TaskFilter.builder()
                .ids(ids)
                .agentIds(Params.list(agentId))
                .statuses(Params.statuses(status))
                .userId(Params.text("user_id", userId))
                .parentTaskId(Params.text("parent_task_id", parentTaskId))
                .triggeringAgentId(Params.text("triggering_agent_id", triggeringAgentId))
                .sources(Params.list(source))
                .internalStatus(Params.text("internal_status", internalStatus))
                .outputFormats(formats)
                .hasResult(Params.optionalBool("has_result", hasResult))
                .manuallyStopped(Params.optionalBool("is_manually_stopped", isManuallyStopped))
                .createdAfter(Params.instant("created_after", createdAfter))
                .createdBefore(Params.instant("created_before", createdBefore))
                .updatedAfter(Params.instant("updated_after", updatedAfter))
                .updatedBefore(Params.instant("updated_before", updatedBefore))
                .finishedAfter(Params.instant("finished_after", finishedAfter))
                .finishedBefore(Params.instant("finished_before", finishedBefore))
                .q(query)
                .includeDeleted(Params.bool("include_deleted", includeDeleted))
                .hasAttachments(Params.optionalBool("has_attachments", hasAttachments))
                .attachmentCategories(categories)
                .resultValid(Params.optionalBool("result_valid", resultValid))
                .build();
    }
}
