package dev.taskmirror.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The Task document: canonical field order and server defaults (contract §3.1.1 and §3.1.2, order of §7.2), and
 * the compact form the simulator stores.
 *
 * <p>Stored documents are <em>sparse</em>: fields equal to their default are left out, which keeps 100,000
 * seeded tasks small. Every document written to the wire or handed to callers is expanded to all fields.
 * Stored documents are never modified once published (copy on write), so readers need no lock.
 */
final class TaskDocs {

    static final String ID = "id";
    static final String AGENT_ID = "agent_id";
    static final String ORGANIZATION_ID = "organization_id";
    static final String INPUT = "input";
    static final String STATUS = "status";
    static final String CREATED_AT = "created_at";
    static final String UPDATED_AT = "updated_at";

    /** Task statuses of the contract (§3.4). */
    static final List<String> STATUSES = List.of("pending", "executing", "paused", "error", "failed", "completed",
            "stopped");
    static final Set<String> TERMINAL = Set.of("error", "failed", "completed", "stopped");
    static final List<String> OUTPUT_FORMATS = List.of("text", "markdown", "json", "voice");
    static final List<String> THINK_MODES = List.of("default", "harder");
    static final List<String> REASONING_EFFORTS = List.of("low", "medium", "high", "xhigh");
    static final Set<String> SOURCE_NODE_TYPES = Set.of("workbench", "sdk", "task", "assistant", "webhook", "mcp",
            "a2a", "telegram", "slack");

    private static final Object[][] CANONICAL = {
            {"id", null},
            {"agent_id", null},
            {"organization_id", null},
            {"input", null},
            {"status", TextNode.valueOf("pending")},
            {"internal_status", null},
            {"last_executed_node_id", null},
            {"agent_version", null},
            {"created_at", null},
            {"started_at", null},
            {"paused_at", null},
            {"finished_at", null},
            {"result", null},
            {"parent_execution", null},
            {"sub_executions", SimJson.array()},
            {"finished_sub_executions", SimJson.array()},
            {"is_manually_stopped", BooleanNode.FALSE},
            {"payload_extension", null},
            {"hitl_request", null},
            {"pending_eca_request", null},
            {"source", null},
            {"worker_id", null},
            {"voice_id", null},
            {"output_format", TextNode.valueOf("text")},
            {"output_schema", null},
            {"events_streaming", BooleanNode.FALSE},
            {"used_mutating_tools", BooleanNode.FALSE},
            {"is_continuous", BooleanNode.FALSE},
            {"is_orchestration", BooleanNode.FALSE},
            {"additional_context", null},
            {"instructions_override", null},
            {"test_run_node_id", null},
            {"user_oidc_token", null},
            {"expected_output", null},
            {"mcp_servers", SimJson.array()},
            {"triggering_agent_id", null},
            {"title", null},
            {"think_mode", TextNode.valueOf("default")},
            {"disable_attachment_injection", BooleanNode.FALSE},
            {"user_tokens", null},
            {"deep_planning", defaultDeepPlanning()},
            {"execution_attempts", IntNode.valueOf(1)},
            {"return_metrics", BooleanNode.FALSE},
            {"tokens", null},
            {"used_tools", SimJson.array()},
            {"duration", DoubleNode.valueOf(0.0)},
            {"llm_model_provider", null},
            {"llm_model_name", null},
            {"llm_reasoning_effort", null},
    };

    /** All Task fields in wire order. */
    static final List<String> FIELDS;
    private static final JsonNode[] DEFAULTS;
    private static final Map<String, Integer> INDEX = new HashMap<>();
    /** Fields kept in the sparse form even when equal to the default. */
    private static final Set<String> ALWAYS_STORED = Set.of(ID, AGENT_ID, ORGANIZATION_ID, INPUT, STATUS, CREATED_AT);

    static {
        String[] names = new String[CANONICAL.length];
        DEFAULTS = new JsonNode[CANONICAL.length];
        for (int i = 0; i < CANONICAL.length; i++) {
            names[i] = (String) CANONICAL[i][0];
            DEFAULTS[i] = CANONICAL[i][1] == null ? NullNode.getInstance() : (JsonNode) CANONICAL[i][1];
            INDEX.put(names[i], i);
        }
        FIELDS = List.of(names);
    }

    /** The 12 fields of a TasksListItem (§3.3). */
    static final List<String> LIST_FIELDS = List.of("id", "agent_id", "user_id", "parent_task_id",
            "triggering_agent_id", "organization_id", "status", "created_at", "updated_at", "source_node_type",
            "result", "title");

    private TaskDocs() {
    }

    static ObjectNode defaultDeepPlanning() {
        ObjectNode dp = SimJson.object();
        dp.put("enabled", false);
        dp.put("enforce", false);
        dp.put("started", false);
        dp.put("question_raised", false);
        dp.putArray("tasks");
        return dp;
    }

    static boolean isField(String name) {
        return INDEX.containsKey(name);
    }

    /** The server default of a field (shared instance: never modify it). */
    static JsonNode defaultOf(String field) {
        Integer i = INDEX.get(field);
        return i == null ? NullNode.getInstance() : DEFAULTS[i];
    }

    static boolean isTerminal(String status) {
        return status != null && TERMINAL.contains(status);
    }

    /** A fresh, fully expanded Task with all defaults and the given identity. */
    static ObjectNode blank(String id, String agentId, String orgId, String createdAt) {
        ObjectNode doc = SimJson.object();
        for (int i = 0; i < DEFAULTS.length; i++) {
            doc.set(FIELDS.get(i), DEFAULTS[i].deepCopy());
        }
        doc.put(ID, id);
        doc.put(AGENT_ID, agentId);
        doc.put(ORGANIZATION_ID, orgId);
        doc.put(CREATED_AT, createdAt);
        return doc;
    }

    /** Full Task (deep copy): canonical fields in order, then any extra fields the stored document carries. */
    static ObjectNode expand(ObjectNode sparse) {
        ObjectNode doc = SimJson.object();
        for (int i = 0; i < DEFAULTS.length; i++) {
            String f = FIELDS.get(i);
            JsonNode v = sparse.get(f);
            doc.set(f, (v == null ? DEFAULTS[i] : v).deepCopy());
        }
        Iterator<Map.Entry<String, JsonNode>> it = sparse.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!INDEX.containsKey(e.getKey())) {
                doc.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return doc;
    }

    /** Sparse form of a full (or partial) Task: drops fields equal to their default. Shares nodes with the input. */
    static ObjectNode compact(ObjectNode full) {
        ObjectNode sparse = SimJson.object();
        Iterator<Map.Entry<String, JsonNode>> it = full.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String f = e.getKey();
            if (UPDATED_AT.equals(f)) {
                continue;
            }
            Integer i = INDEX.get(f);
            if (i != null && !ALWAYS_STORED.contains(f) && DEFAULTS[i].equals(e.getValue())) {
                continue;
            }
            sparse.set(f, e.getValue());
        }
        return sparse;
    }

    static JsonNode get(ObjectNode sparse, String field) {
        JsonNode v = sparse.get(field);
        return v == null ? defaultOf(field) : v;
    }

    static String text(ObjectNode sparse, String field) {
        JsonNode v = get(sparse, field);
        return v.isTextual() ? v.asText() : null;
    }

    static String status(ObjectNode sparse) {
        String s = text(sparse, STATUS);
        return s == null ? "pending" : s;
    }

    static String userId(ObjectNode sparse) {
        JsonNode input = sparse.get(INPUT);
        if (input == null) {
            return null;
        }
        JsonNode user = input.get("user");
        return user == null ? null : SimJson.textOrNull(user.get("id"));
    }

    static boolean eventsStreaming(ObjectNode sparse) {
        JsonNode v = sparse.get("events_streaming");
        return v != null && v.asBoolean(false);
    }

    /** {@code source} if it is a SourceNodeType value, else {@code sdk} (contract §5.4 GUESS). */
    static String sourceNodeType(ObjectNode sparse) {
        String source = text(sparse, "source");
        return source != null && SOURCE_NODE_TYPES.contains(source) ? source : "sdk";
    }

    /** Writes the full Task; {@code updatedAt} is added as {@code updated_at} when non-null. */
    static void writeTask(JsonGenerator g, ObjectNode sparse, String updatedAt) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < DEFAULTS.length; i++) {
            String f = FIELDS.get(i);
            JsonNode v = sparse.get(f);
            g.writeFieldName(f);
            g.writeTree(v == null ? DEFAULTS[i] : v);
        }
        Iterator<Map.Entry<String, JsonNode>> it = sparse.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!INDEX.containsKey(e.getKey()) && !UPDATED_AT.equals(e.getKey())) {
                g.writeFieldName(e.getKey());
                g.writeTree(e.getValue());
            }
        }
        if (updatedAt != null) {
            g.writeStringField(UPDATED_AT, updatedAt);
        }
        g.writeEndObject();
    }

    static byte[] taskBytes(ObjectNode sparse, String updatedAt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = SimJson.generator(out)) {
            writeTask(g, sparse, updatedAt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes a TasksListItem (exactly the 12 fields of §3.3). */
    static void writeListItem(JsonGenerator g, ObjectNode sparse, String updatedAt) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", text(sparse, ID));
        g.writeStringField("agent_id", text(sparse, AGENT_ID));
        writeNullableString(g, "user_id", userId(sparse));
        writeNullableString(g, "parent_task_id", text(sparse, "parent_execution"));
        writeNullableString(g, "triggering_agent_id", text(sparse, "triggering_agent_id"));
        g.writeStringField("organization_id", text(sparse, ORGANIZATION_ID));
        g.writeStringField("status", status(sparse));
        writeNullableString(g, "created_at", text(sparse, CREATED_AT));
        writeNullableString(g, "updated_at", updatedAt);
        g.writeStringField("source_node_type", sourceNodeType(sparse));
        writeNullableString(g, "result", text(sparse, "result"));
        writeNullableString(g, "title", text(sparse, "title"));
        g.writeEndObject();
    }

    static ObjectNode listItem(ObjectNode sparse, String updatedAt) {
        ObjectNode item = SimJson.object();
        item.put("id", text(sparse, ID));
        item.put("agent_id", text(sparse, AGENT_ID));
        item.put("user_id", userId(sparse));
        item.put("parent_task_id", text(sparse, "parent_execution"));
        item.put("triggering_agent_id", text(sparse, "triggering_agent_id"));
        item.put("organization_id", text(sparse, ORGANIZATION_ID));
        item.put("status", status(sparse));
        item.put("created_at", text(sparse, CREATED_AT));
        item.put("updated_at", updatedAt);
        item.put("source_node_type", sourceNodeType(sparse));
        item.put("result", text(sparse, "result"));
        item.put("title", text(sparse, "title"));
        return item;
    }

    private static void writeNullableString(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }

    /** Display name the server adds to {@code input.user}: first and last name, else the email. */
    static String displayName(JsonNode user) {
        String first = SimJson.textOrNull(user.get("first_name"));
        String last = SimJson.textOrNull(user.get("last_name"));
        StringBuilder sb = new StringBuilder();
        if (first != null && !first.isBlank()) {
            sb.append(first.trim());
        }
        if (last != null && !last.isBlank()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(last.trim());
        }
        if (sb.length() == 0) {
            String email = SimJson.textOrNull(user.get("email"));
            return email == null ? "" : email;
        }
        return sb.toString();
    }

    /** Sets {@code input.user.display_name} (in place) when a user is present. */
    static void addDisplayName(ObjectNode input) {
        if (input.get("user") instanceof ObjectNode user) {
            user.put("display_name", displayName(user));
        }
    }

    /** Tokens object with {@code total_tokens} = prompt + completion. */
    static ObjectNode tokens(long completion, long prompt) {
        ObjectNode t = SimJson.object();
        putCount(t, "completion_tokens", completion);
        putCount(t, "prompt_tokens", prompt);
        putCount(t, "total_tokens", completion + prompt);
        return t;
    }

    /** Ints when they fit, so documents equal their parsed JSON form. */
    private static void putCount(ObjectNode node, String name, long value) {
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            node.put(name, (int) value);
        } else {
            node.put(name, value);
        }
    }

    static ArrayNode stringArray(List<String> values) {
        ArrayNode a = SimJson.array();
        values.forEach(a::add);
        return a;
    }
}
