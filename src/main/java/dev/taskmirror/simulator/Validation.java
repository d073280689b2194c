package dev.taskmirror.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Request validation and normalization in the style of the FastAPI backend (pydantic v1 error items, §5.8).
 * Each {@code normalize*} method either returns the normalized request or throws a 422 {@link ApiException}
 * listing every problem found.
 */
final class Validation {

    static final int INTERNAL_STATUS_MAX = 255;

    static final List<String> MCP_TYPES = List.of("local", "remote");
    static final List<String> MCP_TRANSPORTS = List.of("stdio", "sse", "streamable-http");
    static final List<String> MCP_AUTH_TYPES = List.of("api_key", "oauth2", "custom_headers", "none");
    static final List<String> EVENT_TYPES = List.of("task_created", "task_updated", "task_finished", "chunk",
            "auth_event", "tool_call_request", "tool_call_result", "sub_agent_trigger", "think", "analyze",
            "plan_updated", "task_compactization");

    private static final Set<String> IMMUTABLE = Set.of("id", "agent_id", "organization_id", "created_at",
            "updated_at");
    /** Fields whose missing value the SDK replaces by a one-element tuple (§3.1.1 footnote). */
    private static final Set<String> QUIRK_STRING_FIELDS = Set.of("expected_output", "triggering_agent_id", "title");

    private enum Type { STRING, BOOL, INT, NUMBER, OBJECT, ANY, STRINGS, DATETIME, OUTPUT_FORMAT, THINK_MODE, EFFORT,
        STATUS, INPUT, MCP, TOKENS, DEEP_PLANNING, INTERNAL_STATUS }

    /** Keys of a create request (§2.2) with their types; other keys are ignored like pydantic does. */
    private static final Map<String, Type> CREATE_KEYS = Map.ofEntries(
            Map.entry("id", Type.STRING),
            Map.entry("input", Type.INPUT),
            Map.entry("payload_extension", Type.OBJECT),
            Map.entry("source", Type.STRING),
            Map.entry("worker_id", Type.STRING),
            Map.entry("output_format", Type.OUTPUT_FORMAT),
            Map.entry("output_schema", Type.OBJECT),
            Map.entry("run_locally", Type.BOOL),
            Map.entry("events_streaming", Type.BOOL),
            Map.entry("additional_context", Type.STRING),
            Map.entry("instructions_override", Type.STRING),
            Map.entry("test_run_node_id", Type.STRING),
            Map.entry("user_oidc_token", Type.STRING),
            Map.entry("expected_output", Type.STRING),
            Map.entry("mcp_servers", Type.MCP),
            Map.entry("triggering_agent_id", Type.STRING),
            Map.entry("title", Type.STRING),
            Map.entry("think_mode", Type.THINK_MODE),
            Map.entry("disable_attachment_injection", Type.BOOL),
            Map.entry("user_tokens", Type.OBJECT),
            Map.entry("return_metrics", Type.BOOL),
            Map.entry("parent_execution_id", Type.STRING),
            Map.entry("llm_model_provider", Type.STRING),
            Map.entry("llm_model_name", Type.STRING),
            Map.entry("llm_reasoning_effort", Type.EFFORT),
            Map.entry("voice_id", Type.STRING));

    /** Mutable Task fields accepted by PATCH (§5.5). */
    private static final Map<String, Type> PATCH_KEYS = Map.ofEntries(
            Map.entry("input", Type.INPUT),
            Map.entry("status", Type.STATUS),
            Map.entry("internal_status", Type.INTERNAL_STATUS),
            Map.entry("last_executed_node_id", Type.STRING),
            Map.entry("agent_version", Type.STRING),
            Map.entry("started_at", Type.DATETIME),
            Map.entry("paused_at", Type.DATETIME),
            Map.entry("finished_at", Type.DATETIME),
            Map.entry("result", Type.STRING),
            Map.entry("parent_execution", Type.STRING),
            Map.entry("sub_executions", Type.STRINGS),
            Map.entry("finished_sub_executions", Type.STRINGS),
            Map.entry("is_manually_stopped", Type.BOOL),
            Map.entry("payload_extension", Type.OBJECT),
            Map.entry("tool_call_payload_extension", Type.OBJECT),
            Map.entry("hitl_request", Type.OBJECT),
            Map.entry("pending_eca_request", Type.OBJECT),
            Map.entry("source", Type.STRING),
            Map.entry("worker_id", Type.STRING),
            Map.entry("voice_id", Type.STRING),
            Map.entry("output_format", Type.OUTPUT_FORMAT),
            Map.entry("output_schema", Type.OBJECT),
            Map.entry("events_streaming", Type.BOOL),
            Map.entry("used_mutating_tools", Type.BOOL),
            Map.entry("is_continuous", Type.BOOL),
            Map.entry("is_orchestration", Type.BOOL),
            Map.entry("additional_context", Type.STRING),
            Map.entry("instructions_override", Type.STRING),
            Map.entry("test_run_node_id", Type.STRING),
            Map.entry("user_oidc_token", Type.STRING),
            Map.entry("expected_output", Type.STRING),
            Map.entry("mcp_servers", Type.MCP),
            Map.entry("triggering_agent_id", Type.STRING),
            Map.entry("title", Type.STRING),
            Map.entry("think_mode", Type.THINK_MODE),
            Map.entry("disable_attachment_injection", Type.BOOL),
            Map.entry("user_tokens", Type.OBJECT),
            Map.entry("deep_planning", Type.DEEP_PLANNING),
            Map.entry("execution_attempts", Type.INT),
            Map.entry("return_metrics", Type.BOOL),
            Map.entry("tokens", Type.TOKENS),
            Map.entry("used_tools", Type.STRINGS),
            Map.entry("duration", Type.NUMBER),
            Map.entry("llm_model_provider", Type.STRING),
            Map.entry("llm_model_name", Type.STRING),
            Map.entry("llm_reasoning_effort", Type.EFFORT));

    private static final Map<String, Type> REPORT_KEYS = Map.of(
            "id", Type.STRING,
            "input", Type.STRING,
            "llm_response", Type.ANY,
            "tokens", Type.TOKENS,
            "is_success", Type.BOOL,
            "result", Type.STRING,
            "duration", Type.NUMBER,
            "used_tools", Type.STRINGS);

    private final List<ObjectNode> errors = new ArrayList<>();

    private Validation() {
    }

    // ---------------------------------------------------------------- bodies

    /** Parses a request body that must be a JSON object. */
    static ObjectNode parseObject(String text) {
        JsonNode node = parseJson(text);
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.validation(List.of("body"), "value is not a valid dict", "type_error.dict");
        }
        return object;
    }

    /** Parses a request body that must be a JSON array. */
    static ArrayNode parseArray(String text) {
        JsonNode node = parseJson(text);
        if (!(node instanceof ArrayNode array)) {
            throw ApiException.validation(List.of("body"), "value is not a valid list", "type_error.list");
        }
        return array;
    }

    private static JsonNode parseJson(String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.validation(List.of("body"), "field required", "value_error.missing");
        }
        try {
            JsonNode node = SimJson.MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw ApiException.validation(List.of("body"), "field required", "value_error.missing");
            }
            return node;
        } catch (JsonProcessingException e) {
            long offset = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getCharOffset());
            ObjectNode error = ApiException.error(List.of("body", (int) offset), "Expecting value",
                    "value_error.jsondecode");
            error.putObject("ctx").put("msg", e.getOriginalMessage()).put("pos", offset);
            throw ApiException.validation(List.of(error));
        }
    }

    /**
     * Validates a create request (§2.2). Returns only the known keys, normalized: {@code input} with defaults and
     * {@code user.display_name}, MCP servers completed with their defaults, {@code output_format} null/absent →
     * {@code text}, {@code think_mode} null/absent → {@code default}, booleans null/absent → false.
     */
    static ObjectNode normalizeCreate(ObjectNode body) {
        Validation v = new Validation();
        ObjectNode out = SimJson.object();
        if (!body.has("input")) {
            v.add(List.of("body", "input"), "field required", "value_error.missing");
        }
        Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            Type type = CREATE_KEYS.get(e.getKey());
            if (type == null) {
                continue;
            }
            JsonNode value = v.normalize(type, e.getValue(), List.of("body", e.getKey()));
            if (value != null) {
                out.set(e.getKey(), value);
            }
        }
        v.throwIfAny();
        if (!out.hasNonNull("output_format")) {
            out.put("output_format", "text");
        }
        if (!out.hasNonNull("think_mode")) {
            out.put("think_mode", "default");
        }
        for (String b : List.of("run_locally", "events_streaming", "disable_attachment_injection", "return_metrics")) {
            if (!out.hasNonNull(b)) {
                out.put(b, false);
            }
        }
        if (!out.hasNonNull("mcp_servers")) {
            out.putArray("mcp_servers");
        }
        JsonNode id = out.get("id");
        if (id != null && id.isTextual() && id.asText().isBlank()) {
            out.set("id", NullNode.getInstance());
        }
        return out;
    }

    /**
     * Validates a PATCH body (§5.5): returns the Task fields to set. Immutable keys and the SDK's quirk values
     * ({@code [null]}, {@code [[]]}) are dropped, {@code tool_call_payload_extension} is mapped to
     * {@code payload_extension} (unless both are present), {@code status: null} is ignored, unknown keys are
     * ignored.
     */
    static ObjectNode normalizePatch(ObjectNode body) {
        Validation v = new Validation();
        ObjectNode out = SimJson.object();
        Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode raw = e.getValue();
            if (IMMUTABLE.contains(key)) {
                continue;
            }
            Type type = PATCH_KEYS.get(key);
            if (type == null) {
                continue;
            }
            if (QUIRK_STRING_FIELDS.contains(key) && isQuirk(raw, false)) {
                continue;
            }
            if ("mcp_servers".equals(key) && isQuirk(raw, true)) {
                continue;
            }
            if ("status".equals(key) && raw.isNull()) {
                continue;
            }
            if ("input".equals(key) && raw.isNull()) {
                v.add(List.of("body", "input"), "none is not an allowed value", "type_error.none.not_allowed");
                continue;
            }
            JsonNode value = v.normalize(type, raw, List.of("body", key));
            if (value == null) {
                continue;
            }
            if ("tool_call_payload_extension".equals(key)) {
                if (!body.has("payload_extension")) {
                    out.set("payload_extension", value);
                }
            } else {
                out.set(key, value);
            }
        }
        v.throwIfAny();
        return out;
    }

    /** Validates a report_task body (§2.10) and fills its defaults. */
    static ObjectNode normalizeReport(ObjectNode body) {
        Validation v = new Validation();
        ObjectNode out = SimJson.object();
        Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            Type type = REPORT_KEYS.get(e.getKey());
            if (type == null) {
                continue;
            }
            JsonNode value = v.normalize(type, e.getValue(), List.of("body", e.getKey()));
            if (value != null) {
                out.set(e.getKey(), value);
            }
        }
        v.throwIfAny();
        if (!out.hasNonNull("is_success")) {
            out.put("is_success", true);
        }
        if (!out.hasNonNull("duration")) {
            out.put("duration", 0.0);
        }
        if (!out.hasNonNull("used_tools")) {
            out.putArray("used_tools");
        }
        return out;
    }

    /** Validates pushed events (§2.9): each item an object with a known {@code type}. */
    static void validateEvents(ArrayNode events) {
        Validation v = new Validation();
        for (int i = 0; i < events.size(); i++) {
            JsonNode item = events.get(i);
            if (!(item instanceof ObjectNode event)) {
                v.add(List.of("body", i), "value is not a valid dict", "type_error.dict");
                continue;
            }
            JsonNode type = event.get("type");
            if (type == null || type.isNull()) {
                v.add(List.of("body", i, "type"), "field required", "value_error.missing");
            } else {
                v.enumValue(type, EVENT_TYPES, List.of("body", i, "type"));
            }
        }
        v.throwIfAny();
    }

    /** Query filter {@code status} of the list endpoints. */
    static void validateStatusQuery(String status) {
        if (status != null && !TaskDocs.STATUSES.contains(status)) {
            Validation v = new Validation();
            v.enumValue(TextNode.valueOf(status), TaskDocs.STATUSES, List.of("query", "status"));
            v.throwIfAny();
        }
    }

    // ---------------------------------------------------------------- types

    private static boolean isQuirk(JsonNode raw, boolean nestedArray) {
        if (!raw.isArray() || raw.size() != 1) {
            return false;
        }
        JsonNode only = raw.get(0);
        return nestedArray ? only.isArray() && only.isEmpty() : only.isNull();
    }

    private JsonNode normalize(Type type, JsonNode value, List<Object> loc) {
        switch (type) {
            case ANY:
                return value;
            case STRING:
                return string(value, loc, Integer.MAX_VALUE);
            case INTERNAL_STATUS:
                return string(value, loc, INTERNAL_STATUS_MAX);
            case BOOL:
                if (value.isNull() || value.isBoolean()) {
                    return value;
                }
                return add(loc, "value could not be parsed to a boolean", "type_error.bool");
            case INT:
                if (value.isNull() || value.isIntegralNumber()) {
                    return value.isNull() ? value : IntNode.valueOf(value.asInt());
                }
                return add(loc, "value is not a valid integer", "type_error.integer");
            case NUMBER:
                if (value.isNull() || value.isNumber()) {
                    return value.isNull() ? value : DoubleNode.valueOf(value.asDouble());
                }
                return add(loc, "value is not a valid float", "type_error.float");
            case OBJECT:
                if (value.isNull() || value.isObject()) {
                    return value;
                }
                return add(loc, "value is not a valid dict", "type_error.dict");
            case STRINGS:
                return strings(value, loc);
            case DATETIME:
                if (value.isNull()) {
                    return value;
                }
                Long micros = value.isTextual() ? SimJson.parseMicros(value.asText()) : null;
                if (micros == null) {
                    return add(loc, "invalid datetime format", "value_error.datetime");
                }
                return TextNode.valueOf(SimJson.ts(micros));
            case OUTPUT_FORMAT:
                return value.isNull() ? value : enumValue(value, TaskDocs.OUTPUT_FORMATS, loc);
            case THINK_MODE:
                return value.isNull() ? value : enumValue(value, TaskDocs.THINK_MODES, loc);
            case EFFORT:
                return value.isNull() ? value : enumValue(value, TaskDocs.REASONING_EFFORTS, loc);
            case STATUS:
                return enumValue(value, TaskDocs.STATUSES, loc);
            case INPUT:
                return input(value, loc);
            case MCP:
                return mcpServers(value, loc);
            case TOKENS:
                return tokens(value, loc);
            case DEEP_PLANNING:
                return deepPlanning(value, loc);
            default:
                throw new IllegalStateException(type.name());
        }
    }

    private JsonNode string(JsonNode value, List<Object> loc, int maxLength) {
        if (value.isNull()) {
            return value;
        }
        if (!value.isTextual()) {
            return add(loc, "str type expected", "type_error.str");
        }
        if (value.asText().length() > maxLength) {
            ObjectNode e = ApiException.error(loc, "ensure this value has at most " + maxLength + " characters",
                    "value_error.any_str.max_length");
            e.putObject("ctx").put("limit_value", maxLength);
            errors.add(e);
            return null;
        }
        return value;
    }

    private JsonNode strings(JsonNode value, List<Object> loc) {
        if (value.isNull()) {
            return value;
        }
        if (!value.isArray()) {
            return add(loc, "value is not a valid list", "type_error.list");
        }
        boolean ok = true;
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                add(append(loc, i), "str type expected", "type_error.str");
                ok = false;
            }
        }
        return ok ? value : null;
    }

    private JsonNode enumValue(JsonNode value, List<String> allowed, List<Object> loc) {
        if (value.isTextual() && allowed.contains(value.asText())) {
            return value;
        }
        String permitted = allowed.stream().map(a -> "'" + a + "'").collect(Collectors.joining(", "));
        ObjectNode e = ApiException.error(loc, "value is not a valid enumeration member; permitted: " + permitted,
                "type_error.enum");
        ArrayNode values = e.putObject("ctx").putArray("enum_values");
        allowed.forEach(values::add);
        errors.add(e);
        return null;
    }

    private JsonNode input(JsonNode value, List<Object> loc) {
        if (value.isNull()) {
            return add(loc, "none is not an allowed value", "type_error.none.not_allowed");
        }
        if (!value.isObject()) {
            return add(loc, "value is not a valid dict", "type_error.dict");
        }
        int before = errors.size();
        ObjectNode in = SimJson.object();
        JsonNode text = value.get("text");
        in.set("text", text == null ? TextNode.valueOf("") : string(text, append(loc, "text"), Integer.MAX_VALUE));
        JsonNode files = value.get("files");
        in.set("files", files == null ? SimJson.array() : strings(files, append(loc, "files")));
        JsonNode user = value.get("user");
        in.set("user", user == null || user.isNull() ? NullNode.getInstance() : user(user, append(loc, "user")));
        copyExtras(value, in);
        if (errors.size() > before) {
            return null;
        }
        TaskDocs.addDisplayName(in);
        return in;
    }

    private JsonNode user(JsonNode value, List<Object> loc) {
        if (!value.isObject()) {
            return add(loc, "value is not a valid dict", "type_error.dict");
        }
        ObjectNode u = SimJson.object();
        for (String key : List.of("id", "first_name", "last_name")) {
            JsonNode v = value.get(key);
            u.set(key, v == null ? NullNode.getInstance() : string(v, append(loc, key), Integer.MAX_VALUE));
        }
        JsonNode email = value.get("email");
        if (email == null || email.isNull()) {
            add(append(loc, "email"), email == null ? "field required" : "none is not an allowed value",
                    email == null ? "value_error.missing" : "type_error.none.not_allowed");
        } else {
            u.set("email", string(email, append(loc, "email"), Integer.MAX_VALUE));
        }
        JsonNode attrs = value.get("additional_attributes");
        u.set("additional_attributes", attrs == null ? NullNode.getInstance()
                : normalize(Type.OBJECT, attrs, append(loc, "additional_attributes")));
        JsonNode tz = value.get("timezone");
        u.set("timezone", tz == null ? NullNode.getInstance() : string(tz, append(loc, "timezone"), Integer.MAX_VALUE));
        copyExtras(value, u);
        u.remove("display_name");
        return u;
    }

    private JsonNode mcpServers(JsonNode value, List<Object> loc) {
        if (value.isNull()) {
            return value;
        }
        if (!value.isArray()) {
            return add(loc, "value is not a valid list", "type_error.list");
        }
        int before = errors.size();
        ArrayNode out = SimJson.array();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            List<Object> l = append(loc, i);
            if (!item.isObject()) {
                add(l, "value is not a valid dict", "type_error.dict");
                continue;
            }
            out.add(mcpServer(item, l));
        }
        return errors.size() > before ? null : out;
    }

    private ObjectNode mcpServer(JsonNode item, List<Object> loc) {
        ObjectNode s = SimJson.object();
        s.set("type", enumOrDefault(item.get("type"), MCP_TYPES, "remote", append(loc, "type")));
        s.set("name", stringOrNull(item.get("name"), append(loc, "name")));
        s.set("command", stringOrNull(item.get("command"), append(loc, "command")));
        s.set("url", stringOrNull(item.get("url"), append(loc, "url")));
        s.set("transport", enumOrDefault(item.get("transport"), MCP_TRANSPORTS, "streamable-http",
                append(loc, "transport")));
        s.set("auth_type", enumOrDefault(item.get("auth_type"), MCP_AUTH_TYPES, "none", append(loc, "auth_type")));
        s.set("api_key", stringOrNull(item.get("api_key"), append(loc, "api_key")));
        s.set("use_secrets_manager", boolOrDefault(item.get("use_secrets_manager"), false,
                append(loc, "use_secrets_manager")));
        s.set("client_id", stringOrNull(item.get("client_id"), append(loc, "client_id")));
        s.set("client_secret", stringOrNull(item.get("client_secret"), append(loc, "client_secret")));
        s.set("headers", objectOrEmpty(item.get("headers"), append(loc, "headers")));
        s.set("env_vars", objectOrEmpty(item.get("env_vars"), append(loc, "env_vars")));
        s.set("allowed_tools", stringsOrEmpty(item.get("allowed_tools"), append(loc, "allowed_tools")));
        s.set("additional_scopes", stringsOrEmpty(item.get("additional_scopes"), append(loc, "additional_scopes")));
        s.set("share_user_token_across_other_agents", boolOrDefault(item.get("share_user_token_across_other_agents"),
                true, append(loc, "share_user_token_across_other_agents")));
        copyExtras(item, s);
        return s;
    }

    private JsonNode tokens(JsonNode value, List<Object> loc) {
        if (value.isNull()) {
            return value;
        }
        if (!value.isObject()) {
            return add(loc, "value is not a valid dict", "type_error.dict");
        }
        long completion = 0;
        long prompt = 0;
        JsonNode c = value.get("completion_tokens");
        JsonNode p = value.get("prompt_tokens");
        if (c != null && !c.isNull()) {
            if (!c.isIntegralNumber()) {
                return add(append(loc, "completion_tokens"), "value is not a valid integer", "type_error.integer");
            }
            completion = c.asLong();
        }
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber()) {
                return add(append(loc, "prompt_tokens"), "value is not a valid integer", "type_error.integer");
            }
            prompt = p.asLong();
        }
        return TaskDocs.tokens(completion, prompt);
    }

    private JsonNode deepPlanning(JsonNode value, List<Object> loc) {
        if (value.isNull()) {
            return value;
        }
        if (!value.isObject()) {
            return add(loc, "value is not a valid dict", "type_error.dict");
        }
        ObjectNode dp = TaskDocs.defaultDeepPlanning();
        Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            dp.set(e.getKey(), e.getValue());
        }
        JsonNode tasks = dp.get("tasks");
        if (!tasks.isArray()) {
            return add(append(loc, "tasks"), "value is not a valid list", "type_error.list");
        }
        for (int i = 0; i < tasks.size(); i++) {
            JsonNode item = tasks.get(i);
            if (!item.isObject() || !item.path("id").isTextual() || !item.path("title").isTextual()) {
                return add(append(append(loc, "tasks"), i), "field required", "value_error.missing");
            }
        }
        return dp;
    }

    private JsonNode enumOrDefault(JsonNode v, List<String> allowed, String dflt, List<Object> loc) {
        return v == null || v.isNull() ? TextNode.valueOf(dflt) : enumValue(v, allowed, loc);
    }

    private JsonNode stringOrNull(JsonNode v, List<Object> loc) {
        return v == null ? NullNode.getInstance() : string(v, loc, Integer.MAX_VALUE);
    }

    private JsonNode boolOrDefault(JsonNode v, boolean dflt, List<Object> loc) {
        if (v == null || v.isNull()) {
            return BooleanNode.valueOf(dflt);
        }
        return v.isBoolean() ? v : add(loc, "value could not be parsed to a boolean", "type_error.bool");
    }

    private JsonNode objectOrEmpty(JsonNode v, List<Object> loc) {
        if (v == null || v.isNull()) {
            return SimJson.object();
        }
        return v.isObject() ? v : add(loc, "value is not a valid dict", "type_error.dict");
    }

    private JsonNode stringsOrEmpty(JsonNode v, List<Object> loc) {
        return v == null || v.isNull() ? SimJson.array() : strings(v, loc);
    }

    private static void copyExtras(JsonNode from, ObjectNode to) {
        Iterator<Map.Entry<String, JsonNode>> it = from.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!to.has(e.getKey())) {
                to.set(e.getKey(), e.getValue());
            }
        }
    }

    private static List<Object> append(List<Object> loc, Object part) {
        List<Object> l = new ArrayList<>(loc.size() + 1);
        l.addAll(loc);
        l.add(part);
        return l;
    }

    private JsonNode add(List<Object> loc, String msg, String type) {
        errors.add(ApiException.error(loc, msg, type));
        return null;
    }

    private void throwIfAny() {
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
    }
}
