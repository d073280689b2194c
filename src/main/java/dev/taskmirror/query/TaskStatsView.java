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
        Tokens tokens) {

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
}
