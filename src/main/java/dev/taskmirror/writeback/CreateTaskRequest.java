package dev.taskmirror.writeback;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Creates a task on the remote: the parameters of the SDK's {@code Tasks.create}. Only {@code agent_id}
 * is required. Secret fields ({@code user_oidc_token}, {@code user_tokens}, MCP credentials) reach the
 * remote but are never stored or served in clear.
 */
@Schema(name = "CreateTaskRequest")
public record CreateTaskRequest(
        @Schema(required = true, examples = "7c1d2b6e-3f0a-4c55-9d7e-2a8b1f4e6c10") @NotBlank @Size(max = 255) String agentId,
        @Schema(description = "Prompt text (the task input)", examples = "Summarize the attached report") @Size(max = 1_000_000) String prompt,
        @Schema(description = "Input file URLs") @Size(max = 100) List<@NotBlank @Size(max = 4096) String> fileUrls,
        @Valid UserDetails userDetails,
        @Schema(description = "Pinned agent version, sent as the x-agent-version header") @Size(max = 64) String agentVersion,
        @Schema(description = "Extra fields merged into every tool-call payload") Map<String, Object> toolCallPayloadExtension,
        @Size(max = 255) String source,
        @Size(max = 255) String workerId,
        Boolean runLocally,
        @Pattern(regexp = "text|markdown|json|voice") String outputFormat,
        @Schema(description = "JSON Schema of the expected structured output (with output_format json)") Map<String, Object> outputSchema,
        Boolean eventsStreaming,
        @Size(max = 100_000) String additionalContext,
        @Size(max = 100_000) String instructionsOverride,
        @Size(max = 255) String testRunNodeId,
        @Size(max = 16_384) String userOidcToken,
        @Size(max = 100_000) String expectedOutput,
        @Size(max = 50) List<@Valid McpServer> mcpServers,
        @Size(max = 255) String triggeringAgentId,
        @Size(max = 1000) String title,
        @Pattern(regexp = "default|harder") String thinkMode,
        Boolean disableAttachmentInjection,
        Map<String, Object> userTokens,
        Boolean returnMetrics,
        @Schema(description = "Parent task id (sub-tasks)") @Size(max = 255) String parentExecutionId,
        @Size(max = 255) String llmModelProvider,
        @Size(max = 255) String llmModelName,
        @Pattern(regexp = "low|medium|high|xhigh") String llmReasoningEffort) {
}
