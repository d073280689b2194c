package dev.taskmirror.query;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Aggregates over the tasks matching a filter, for dashboards. */
@Schema(name = "TaskStats")
public record TaskStatsView(
        @Schema(description = "Matching tasks") long total,
        @Schema(description = "Tasks per status") Map<String, Long> byStatus,
        @Schema(description = "Tasks per agent, most first") List<AgentCount> byAgent,
        @Schema(description = "Tasks per time bucket of created_at, in the requested time zone, oldest first") List<Bucket> byTime,
        @Schema(description = "Bucket size: hour, day, week or month") String bucket,
        @Schema(description = "IANA time zone of the buckets", examples = "Europe/Berlin") String timeZone,
        @Schema(description = "Run time of finished tasks (finished_at - started_at)") Durations durationSeconds,
        Tokens tokens,
        @Schema(description = "Input files of the matching tasks") Attachments attachments,
        @Schema(description = "Structured results (output_format json) of the matching tasks") Results results) {

    @Schema(name = "TaskStatsAgent")
    public record AgentCount(String agentId, long count, Map<String, Long> byStatus) {
    }

    @Schema(name = "TaskStatsBucket")
    public record Bucket(@Schema(description = "Start of the bucket, local time with offset") String start, long count,
            Map<String, Long> byStatus) {
    }

    @Schema(name = "TaskStatsDurations")
    public record Durations(long count, Double p50, Double p95, Double avg, Double max) {
    }

    @Schema(name = "TaskStatsTokens")
    public record Tokens(long prompt, long completion, long total) {
    }

    @Schema(name = "TaskStatsAttachments")
    public record Attachments(
            @Schema(description = "Tasks with at least one input file") long tasksWithAttachments,
            @Schema(description = "Input files in all") long total,
            @Schema(description = "Input files per category: document, image, text, audio, other") Map<String, Long> byCategory) {
    }

    @Schema(name = "TaskStatsResults")
    public record Results(
            @Schema(description = "Results judged (valid + invalid); results not judged are not counted") long checked,
            @Schema(description = "JSON valid against output_schema") long valid,
            @Schema(description = "Not JSON, or breaking output_schema") long invalid) {
    }
}
