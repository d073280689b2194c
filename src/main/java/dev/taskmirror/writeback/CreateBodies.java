package dev.taskmirror.writeback;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.Timestamps;

/**
 * Builds the remote create body exactly as the SDK sends it (every key, nulls included; contract 2.2),
 * and the task document the mirror shows until the remote answers (contract 5.2).
 */
final class CreateBodies {

    /** Create-request keys holding secrets: sealed in the outbox, never stored in clear. */
    static final List<String> SECRET_KEYS = List.of("user_oidc_token", "user_tokens", "mcp_servers");

    private CreateBodies() {
    }

    static ObjectNode remoteBody(ObjectMapper mapper, String taskId, CreateTaskRequest r) {
        ObjectNode body = mapper.createObjectNode();
        body.put("id", taskId);
        ObjectNode input = body.putObject("input");
        input.put("text", r.prompt() == null ? "" : r.prompt());
        ArrayNode files = input.putArray("files");
        if (r.fileUrls() != null) {
            r.fileUrls().forEach(files::add);
        }
        if (r.userDetails() == null) {
            input.putNull("user");
        } else {
            UserDetails u = r.userDetails();
            ObjectNode user = input.putObject("user");
            user.put("id", u.id());
            user.put("first_name", u.firstName());
            user.put("last_name", u.lastName());
            user.put("email", u.email());
            user.set("additional_attributes", mapper.valueToTree(u.additionalAttributes()));
            user.put("timezone", u.timezone());
        }
        body.set("payload_extension", mapper.valueToTree(r.toolCallPayloadExtension()));
        body.put("source", r.source());
        body.put("worker_id", r.workerId());
        body.put("output_format", r.outputFormat());
        body.set("output_schema", mapper.valueToTree(r.outputSchema()));
        body.put("run_locally", Boolean.TRUE.equals(r.runLocally()));
        body.put("events_streaming", Boolean.TRUE.equals(r.eventsStreaming()));
        body.put("additional_context", r.additionalContext());
        body.put("instructions_override", r.instructionsOverride());
        body.put("test_run_node_id", r.testRunNodeId());
        body.put("user_oidc_token", r.userOidcToken());
        body.put("expected_output", r.expectedOutput());
        ArrayNode servers = body.putArray("mcp_servers");
        if (r.mcpServers() != null) {
            for (McpServer s : r.mcpServers()) {
                servers.add(mcpServer(mapper, s));
            }
        }
        body.put("triggering_agent_id", r.triggeringAgentId());
        body.put("title", r.title());
        body.put("think_mode", r.thinkMode() == null ? "default" : r.thinkMode());
        body.put("disable_attachment_injection", Boolean.TRUE.equals(r.disableAttachmentInjection()));
        body.set("user_tokens", mapper.valueToTree(r.userTokens()));
        body.put("return_metrics", Boolean.TRUE.equals(r.returnMetrics()));
        if (r.parentExecutionId() != null) {
            body.put("parent_execution_id", r.parentExecutionId());
        }
        if (r.llmModelProvider() != null) {
            body.put("llm_model_provider", r.llmModelProvider());
        }
        if (r.llmModelName() != null) {
            body.put("llm_model_name", r.llmModelName());
        }
        if (r.llmReasoningEffort() != null) {
            body.put("llm_reasoning_effort", r.llmReasoningEffort());
        }
        return body;
    }

    /** MCP server with all 15 keys, defaults filled in as the SDK does. */
    private static ObjectNode mcpServer(ObjectMapper mapper, McpServer s) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", s.type() == null ? "remote" : s.type());
        n.put("name", s.name());
        n.put("command", s.command());
        n.put("url", s.url());
        n.put("transport", s.transport() == null ? "streamable-http" : s.transport());
        n.put("auth_type", s.authType() == null ? "none" : s.authType());
        n.put("api_key", s.apiKey());
        n.put("use_secrets_manager", Boolean.TRUE.equals(s.useSecretsManager()));
        n.put("client_id", s.clientId());
        n.put("client_secret", s.clientSecret());
        n.set("headers", s.headers() == null ? mapper.createObjectNode() : mapper.valueToTree(s.headers()));
        n.set("env_vars", s.envVars() == null ? mapper.createObjectNode() : mapper.valueToTree(s.envVars()));
        n.set("allowed_tools", s.allowedTools() == null ? mapper.createArrayNode() : mapper.valueToTree(s.allowedTools()));
        n.set("additional_scopes", s.additionalScopes() == null ? mapper.createArrayNode()
                : mapper.valueToTree(s.additionalScopes()));
        n.put("share_user_token_across_other_agents", !Boolean.FALSE.equals(s.shareUserTokenAcrossOtherAgents()));
        return n;
    }

    /** True if the body carries any secret value worth sealing. */
    static boolean hasSecrets(ObjectNode body) {
        JsonNode servers = body.get("mcp_servers");
        return !body.path("user_oidc_token").isNull() || !body.path("user_tokens").isNull()
                || (servers != null && servers.size() > 0);
    }

    /**
     * The task as the mirror shows it while a report of an external task (E10) is pending: finished, with
     * the reported result and tokens (contract 2.10).
     */
    static ObjectNode reportDocument(ObjectMapper mapper, String taskId, String agentId, String organizationId,
            ObjectNode report, Instant now) {
        ObjectNode body = mapper.createObjectNode();
        body.put("id", taskId);
        ObjectNode input = body.putObject("input");
        JsonNode text = report.get("input");
        input.put("text", text == null || text.isNull() ? "" : text.asText());
        input.putArray("files");
        input.putNull("user");
        body.put("source", "sdk");
        body.put("events_streaming", false);
        ObjectNode doc = localDocument(mapper, agentId, organizationId, null, body, now);
        boolean success = report.path("is_success").asBoolean(true);
        doc.put("status", success ? "completed" : "failed");
        doc.set("result", report.path("result").isMissingNode() ? mapper.nullNode() : report.get("result"));
        double seconds = report.path("duration").asDouble(0);
        doc.put("started_at", Timestamps.format(now.minusMillis((long) (seconds * 1000))));
        doc.put("finished_at", Timestamps.format(now));
        if (report.get("tokens") instanceof ObjectNode tokens) {
            doc.set("tokens", tokens.deepCopy());
        }
        if (report.has("used_tools")) {
            doc.set("used_tools", report.get("used_tools"));
        }
        doc.put("duration", seconds);
        return doc;
    }

    /** The task as the mirror shows it while the create is pending (contract 5.2 defaults). */
    static ObjectNode localDocument(ObjectMapper mapper, String agentId, String organizationId, String agentVersion,
            ObjectNode remoteBody, Instant now) {
        ObjectNode t = mapper.createObjectNode();
        t.put("id", remoteBody.get("id").asText());
        t.put("agent_id", agentId);
        t.put("organization_id", organizationId);
        t.set("input", remoteBody.get("input").deepCopy());
        t.put("status", "pending");
        t.putNull("internal_status");
        t.putNull("last_executed_node_id");
        t.put("agent_version", agentVersion);
        t.put("created_at", Timestamps.format(now));
        t.putNull("started_at");
        t.putNull("paused_at");
        t.putNull("finished_at");
        t.putNull("result");
        t.set("parent_execution", remoteBody.path("parent_execution_id").isMissingNode()
                ? mapper.nullNode() : remoteBody.get("parent_execution_id"));
        t.putArray("sub_executions");
        t.putArray("finished_sub_executions");
        t.put("is_manually_stopped", false);
        t.set("payload_extension", remoteBody.get("payload_extension"));
        t.putNull("hitl_request");
        t.putNull("pending_eca_request");
        t.set("source", remoteBody.get("source"));
        t.set("worker_id", remoteBody.get("worker_id"));
        t.putNull("voice_id");
        JsonNode format = remoteBody.get("output_format");
        t.put("output_format", format == null || format.isNull() ? "text" : format.asText());
        t.set("output_schema", remoteBody.get("output_schema"));
        t.set("events_streaming", remoteBody.get("events_streaming"));
        t.put("used_mutating_tools", false);
        t.put("is_continuous", false);
        t.put("is_orchestration", false);
        for (String k : List.of("additional_context", "instructions_override", "test_run_node_id", "user_oidc_token",
                "expected_output", "mcp_servers", "triggering_agent_id", "title", "think_mode",
                "disable_attachment_injection", "user_tokens", "return_metrics")) {
            t.set(k, remoteBody.get(k));
        }
        ObjectNode plan = t.putObject("deep_planning");
        plan.put("enabled", false);
        plan.put("enforce", false);
        plan.put("started", false);
        plan.put("question_raised", false);
        plan.putArray("tasks");
        t.put("execution_attempts", 1);
        t.putNull("tokens");
        for (String k : List.of("llm_model_provider", "llm_model_name", "llm_reasoning_effort")) {
            if (remoteBody.has(k)) {
                t.set(k, remoteBody.get(k));
            }
        }
        return t;
    }
}
