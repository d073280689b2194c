package dev.taskmirror.writeback;

import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A per-task MCP server (the SDK's MCPServerDetails). {@code api_key}, {@code client_secret},
 * {@code headers} and {@code env_vars} are forwarded to the remote but never stored or returned in clear.
 */
@Schema(name = "McpServer")
public record McpServer(
        @Pattern(regexp = "local|remote") String type,
        @Size(max = 255) String name,
        @Size(max = 4096) String command,
        @Size(max = 2048) String url,
        @Pattern(regexp = "stdio|sse|streamable-http") String transport,
        @Pattern(regexp = "api_key|oauth2|custom_headers|none") String authType,
        @Size(max = 8192) String apiKey,
        Boolean useSecretsManager,
        @Size(max = 1024) String clientId,
        @Size(max = 8192) String clientSecret,
        Map<String, String> headers,
        Map<String, String> envVars,
        List<String> allowedTools,
        List<String> additionalScopes,
        Boolean shareUserTokenAcrossOtherAgents) {
}
