package dev.taskmirror.compat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.taskmirror.common.Timestamps;
import dev.taskmirror.task.TaskStatus;

/**
 * The JSON types xpander accepts for the fields of a create (E1), an update (E5) and a report (E10), checked
 * before anything is stored: a body xpander would refuse with 422 is refused here the same way, instead of
 * being stored, pushed, refused and parked as a failed save. Unknown keys are ignored, as xpander does.
 */
final class CompatValidation {

    private enum Type {
        STRING, BOOL, INT, NUMBER, OBJECT, STRINGS, DATETIME, INPUT, MCP, TOKENS, DEEP_PLANNING, ANY,
        OUTPUT_FORMAT, THINK_MODE, EFFORT, STATUS
    }

    private static final List<String> OUTPUT_FORMATS = List.of("text", "markdown", "json", "voice");
    private static final List<String> THINK_MODES = List.of("default", "harder");
    private static final List<String> EFFORTS = List.of("low", "medium", "high", "xhigh");
    private static final List<String> MCP_TYPES = List.of("local", "remote");
    private static final List<String> MCP_TRANSPORTS = List.of("stdio", "sse", "streamable-http");
    private static final List<String> MCP_AUTH_TYPES = List.of("api_key", "oauth2", "custom_headers", "none");

    private static final Map<String, Type> CREATE = Map.ofEntries(
            Map.entry("id", Type.STRING), Map.entry("input", Type.INPUT), Map.entry("payload_extension", Type.OBJECT),
            Map.entry("source", Type.STRING), Map.entry("worker_id", Type.STRING),
            Map.entry("output_format", Type.OUTPUT_FORMAT), Map.entry("output_schema", Type.OBJECT),
            Map.entry("run_locally", Type.BOOL), Map.entry("events_streaming", Type.BOOL),
            Map.entry("additional_context", Type.STRING), Map.entry("instructions_override", Type.STRING),
            Map.entry("test_run_node_id", Type.STRING), Map.entry("user_oidc_token", Type.STRING),
            Map.entry("expected_output", Type.STRING), Map.entry("mcp_servers", Type.MCP),
            Map.entry("triggering_agent_id", Type.STRING), Map.entry("title", Type.STRING),
            Map.entry("think_mode", Type.THINK_MODE), Map.entry("disable_attachment_injection", Type.BOOL),
            Map.entry("user_tokens", Type.OBJECT), Map.entry("return_metrics", Type.BOOL),
            Map.entry("parent_execution_id", Type.STRING), Map.entry("llm_model_provider", Type.STRING),
            Map.entry("llm_model_name", Type.STRING), Map.entry("llm_reasoning_effort", Type.EFFORT),
            Map.entry("voice_id", Type.STRING));

    private static final Map<String, Type> UPDATE = Map.ofEntries(
            Map.entry("input", Type.INPUT), Map.entry("status", Type.STATUS), Map.entry("internal_status", Type.STRING),
            Map.entry("last_executed_node_id", Type.STRING), Map.entry("agent_version", Type.STRING),
            Map.entry("started_at", Type.DATETIME), Map.entry("paused_at", Type.DATETIME),
            Map.entry("finished_at", Type.DATETIME), Map.entry("result", Type.STRING),
            Map.entry("parent_execution", Type.STRING), Map.entry("sub_executions", Type.STRINGS),
            Map.entry("finished_sub_executions", Type.STRINGS), Map.entry("is_manually_stopped", Type.BOOL),
            Map.entry("payload_extension", Type.OBJECT), Map.entry("tool_call_payload_extension", Type.OBJECT),
            Map.entry("hitl_request", Type.OBJECT), Map.entry("pending_eca_request", Type.OBJECT),
            Map.entry("source", Type.STRING), Map.entry("worker_id", Type.STRING), Map.entry("voice_id", Type.STRING),
            Map.entry("output_format", Type.OUTPUT_FORMAT), Map.entry("output_schema", Type.OBJECT),
            Map.entry("events_streaming", Type.BOOL), Map.entry("used_mutating_tools", Type.BOOL),
            Map.entry("is_continuous", Type.BOOL), Map.entry("is_orchestration", Type.BOOL),
            Map.entry("additional_context", Type.STRING), Map.entry("instructions_override", Type.STRING),
            Map.entry("test_run_node_id", Type.STRING), Map.entry("user_oidc_token", Type.STRING),
            Map.entry("expected_output", Type.STRING), Map.entry("mcp_servers", Type.MCP),
            Map.entry("triggering_agent_id", Type.STRING), Map.entry("title", Type.STRING),
            Map.entry("think_mode", Type.THINK_MODE), Map.entry("disable_attachment_injection", Type.BOOL),
            Map.entry("user_tokens", Type.OBJECT), Map.entry("deep_planning", Type.DEEP_PLANNING),
            Map.entry("execution_attempts", Type.INT), Map.entry("return_metrics", Type.BOOL),
            Map.entry("tokens", Type.TOKENS), Map.entry("used_tools", Type.STRINGS), Map.entry("duration", Type.NUMBER),
            Map.entry("llm_model_provider", Type.STRING), Map.entry("llm_model_name", Type.STRING),
            Map.entry("llm_reasoning_effort", Type.EFFORT));

    private static final Map<String, Type> REPORT = Map.of(
            "id", Type.STRING, "input", Type.STRING, "llm_response", Type.ANY, "tokens", Type.TOKENS,
            "is_success", Type.BOOL, "result", Type.STRING, "duration", Type.NUMBER, "used_tools", Type.STRINGS);

    private CompatValidation() {
    }

    static void create(JsonNode body) {
        check(body, CREATE);
    }

    static void update(JsonNode changes) {
        check(changes, UPDATE);
    }

    static void report(JsonNode body) {
        check(body, REPORT);
    }

    private static void check(JsonNode body, Map<String, Type> types) {
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            Type type = types.get(e.getKey());
            if (type != null) {
                value(type, e.getValue(), List.of("body", e.getKey()));
            }
        }
    }

    private static void value(Type type, JsonNode v, List<Object> loc) {
        if (v == null || v.isNull()) {
            if (type == Type.INPUT) {
                fail(loc, "none is not an allowed value", "type_error.none.not_allowed");
            }
            return;
        }
        switch (type) {
            case ANY -> {
            }
            case STRING -> require(v.isTextual(), loc, "str type expected", "type_error.str");
            case BOOL -> require(v.isBoolean(), loc, "value could not be parsed to a boolean", "type_error.bool");
            case INT -> require(v.isIntegralNumber(), loc, "value is not a valid integer", "type_error.integer");
            case NUMBER -> require(v.isNumber(), loc, "value is not a valid float", "type_error.float");
            case OBJECT -> require(v.isObject(), loc, "value is not a valid dict", "type_error.dict");
            case DATETIME -> require(v.isTextual() && Timestamps.parse(v.asText()) != null, loc,
                    "invalid datetime format", "value_error.datetime");
            case STRINGS -> strings(v, loc);
            case OUTPUT_FORMAT -> oneOf(v, OUTPUT_FORMATS, loc);
            case THINK_MODE -> oneOf(v, THINK_MODES, loc);
            case EFFORT -> oneOf(v, EFFORTS, loc);
            case STATUS -> oneOf(v, TaskStatus.VALUES, loc);
            case INPUT -> input(v, loc);
            case MCP -> mcpServers(v, loc);
            case TOKENS -> {
                require(v.isObject(), loc, "value is not a valid dict", "type_error.dict");
                for (String k : List.of("completion_tokens", "prompt_tokens")) {
                    JsonNode n = v.get(k);
                    require(n == null || n.isNull() || n.isIntegralNumber(), at(loc, k), "value is not a valid integer",
                            "type_error.integer");
                }
            }
            case DEEP_PLANNING -> {
                require(v.isObject(), loc, "value is not a valid dict", "type_error.dict");
                JsonNode tasks = v.get("tasks");
                if (tasks != null) {
                    require(tasks.isArray(), at(loc, "tasks"), "value is not a valid list", "type_error.list");
                    for (int i = 0; i < tasks.size(); i++) {
                        JsonNode t = tasks.get(i);
                        require(t.isObject() && t.path("id").isTextual() && t.path("title").isTextual(),
                                at(at(loc, "tasks"), i), "field required", "value_error.missing");
                    }
                }
            }
            default -> throw new IllegalStateException(type.name());
        }
    }

    private static void input(JsonNode v, List<Object> loc) {
        require(v.isObject(), loc, "value is not a valid dict", "type_error.dict");
        value(Type.STRING, v.get("text"), at(loc, "text"));
        value(Type.STRINGS, v.get("files"), at(loc, "files"));
        JsonNode user = v.get("user");
        if (user == null || user.isNull()) {
            return;
        }
        List<Object> u = at(loc, "user");
        require(user.isObject(), u, "value is not a valid dict", "type_error.dict");
        for (String k : List.of("id", "first_name", "last_name", "timezone")) {
            value(Type.STRING, user.get(k), at(u, k));
        }
        JsonNode email = user.get("email");
        require(email != null && !email.isNull(), at(u, "email"), "field required", "value_error.missing");
        value(Type.STRING, email, at(u, "email"));
        value(Type.OBJECT, user.get("additional_attributes"), at(u, "additional_attributes"));
    }

    private static void mcpServers(JsonNode v, List<Object> loc) {
        require(v.isArray(), loc, "value is not a valid list", "type_error.list");
        for (int i = 0; i < v.size(); i++) {
            JsonNode s = v.get(i);
            List<Object> l = at(loc, i);
            require(s.isObject(), l, "value is not a valid dict", "type_error.dict");
            enumOrNull(s.get("type"), MCP_TYPES, at(l, "type"));
            enumOrNull(s.get("transport"), MCP_TRANSPORTS, at(l, "transport"));
            enumOrNull(s.get("auth_type"), MCP_AUTH_TYPES, at(l, "auth_type"));
            for (String k : List.of("name", "command", "url", "api_key", "client_id", "client_secret")) {
                value(Type.STRING, s.get(k), at(l, k));
            }
            for (String k : List.of("use_secrets_manager", "share_user_token_across_other_agents")) {
                value(Type.BOOL, s.get(k), at(l, k));
            }
            for (String k : List.of("headers", "env_vars")) {
                value(Type.OBJECT, s.get(k), at(l, k));
            }
            for (String k : List.of("allowed_tools", "additional_scopes")) {
                value(Type.STRINGS, s.get(k), at(l, k));
            }
        }
    }

    private static void strings(JsonNode v, List<Object> loc) {
        require(v.isArray(), loc, "value is not a valid list", "type_error.list");
        for (int i = 0; i < v.size(); i++) {
            require(v.get(i).isTextual(), at(loc, i), "str type expected", "type_error.str");
        }
    }

    private static void enumOrNull(JsonNode v, List<String> allowed, List<Object> loc) {
        if (v != null && !v.isNull()) {
            oneOf(v, allowed, loc);
        }
    }

    private static void oneOf(JsonNode v, List<String> allowed, List<Object> loc) {
        require(v.isTextual() && allowed.contains(v.asText()), loc,
                "value is not a valid enumeration member; permitted: " + String.join(", ", allowed), "type_error.enum");
    }

    private static void require(boolean ok, List<Object> loc, String msg, String type) {
        if (!ok) {
            fail(loc, msg, type);
        }
    }

    private static void fail(List<Object> loc, String msg, String type) {
        throw FastApiError.validation(loc, msg, type);
    }

    private static List<Object> at(List<Object> loc, Object part) {
        List<Object> l = new ArrayList<>(loc);
        l.add(part);
        return l;
    }
}
