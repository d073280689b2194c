package dev.taskmirror.compat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.RawJson;
import dev.taskmirror.query.TaskView;
import dev.taskmirror.remote.XpanderGateway;
import dev.taskmirror.sync.SyncScopes;
import dev.taskmirror.task.RemoteObservation;
import dev.taskmirror.task.TaskStatus;
import dev.taskmirror.task.TaskStore;
import dev.taskmirror.writeback.OutboxRelay;
import dev.taskmirror.writeback.SaveOutcome;
import dev.taskmirror.writeback.TaskSaves;
import io.agroal.api.AgroalDataSource;

/**
 * The xpander Tasks API served from the mirror. Reads come from PostgreSQL (a miss reads through to xpander
 * and is mirrored); writes go through the outbox and are pushed at once (write-through), so the answer is
 * xpander's own when it is reachable, and the mirror's pending state when it is not (delivery continues).
 */
@ApplicationScoped
public class CompatTasks {

    private static final Logger LOG = Logger.getLogger(CompatTasks.class);

    /** A task in xpander's shape: the served document without the mirror's own sections. */
    static final String TASK_SQL = "(" + TaskView.SERVED + " - 'mirror' - 'derived')::text";

    /** A TasksListItem (contract 3.3): exactly its 12 fields. */
    static final String LIST_ITEM_SQL = """
            jsonb_build_object('id', t.id, 'agent_id', t.agent_id, 'user_id', t.user_id,
                'parent_task_id', t.parent_task_id, 'triggering_agent_id', t.triggering_agent_id,
                'organization_id', t.organization_id, 'status', t.status, 'created_at', iso_utc(t.created_at),
                'updated_at', iso_utc(t.updated_at),
                'source_node_type', case when t.source in ('workbench', 'sdk', 'task', 'assistant', 'webhook', 'mcp',
                    'a2a', 'telegram', 'slack') then t.source else 'sdk' end,
                'result', t.result, 'title', t.title)::text""";

    /** Task fields a client may not change. */
    private static final Set<String> IMMUTABLE = Set.of("id", "agent_id", "organization_id", "created_at",
            "updated_at", "mirror");
    /** Keys the SDK fills with a one-element tuple when the server omitted them (contract 3.1.1 footnote). */
    private static final Set<String> QUIRK_KEYS = Set.of("expected_output", "mcp_servers", "triggering_agent_id",
            "title");

    private final AgroalDataSource dataSource;
    private final XpanderGateway gateway;
    private final TaskStore store;
    private final TaskSaves saves;
    private final OutboxRelay relay;
    private final SyncScopes scopes;
    private final ObjectMapper mapper;

    CompatTasks(AgroalDataSource dataSource, XpanderGateway gateway, TaskStore store, TaskSaves saves,
            OutboxRelay relay, SyncScopes scopes, ObjectMapper mapper) {
        this.dataSource = dataSource;
        this.gateway = gateway;
        this.store = store;
        this.saves = saves;
        this.relay = relay;
        this.scopes = scopes;
        this.mapper = mapper;
    }

    /** E2 from the mirror; a task not mirrored (or tombstoned) is read from xpander and mirrored. */
    public RawJson get(String taskId) {
        Optional<String> local = read(taskId, false);
        if (local.isPresent()) {
            return new RawJson(local.get());
        }
        Instant at = Instant.now();
        Optional<ObjectNode> remote = gateway.getTask(taskId);
        if (remote.isEmpty()) {
            store.tombstone(taskId, at, "remote_404");
            throw FastApiError.notFound();
        }
        store.applyRemote(List.of(new RemoteObservation(taskId, remote.get(), at, null)));
        return new RawJson(read(taskId, true).orElseThrow(FastApiError::notFound));
    }

    /** E3/E4 filters: exact match, empty values ignored, a status outside the enum is a 422. */
    public record Filters(String userId, String parentTaskId, String triggeringAgentId, String status,
            String internalStatus) {

        static String clean(String v) {
            return v == null || v.isEmpty() ? null : v;
        }

        public Filters {
            userId = clean(userId);
            parentTaskId = clean(parentTaskId);
            triggeringAgentId = clean(triggeringAgentId);
            status = clean(status);
            internalStatus = clean(internalStatus);
            if (status != null && TaskStatus.fromWire(status).isEmpty()) {
                throw FastApiError.validation(List.of("query", "status"),
                        "value is not a valid enumeration member; permitted: " + String.join(", ", TaskStatus.VALUES),
                        "type_error.enum");
            }
        }

        Map<String, String> asQuery() {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            m.put("user_id", userId);
            m.put("parent_task_id", parentTaskId);
            m.put("triggering_agent_id", triggeringAgentId);
            m.put("status", status);
            m.put("internal_status", internalStatus);
            return m;
        }
    }

    /** Whether lists of this agent (or user) are answered from the mirror (else relayed from xpander). */
    public boolean mirrored(String kind, String id) {
        return scopes.all().stream().anyMatch(s -> s.kind().equals(kind) && s.refId().equals(id));
    }

    /** E3/E4 relayed from xpander, for scopes the mirror does not hold. */
    public byte[] relayList(String kind, String id, Filters f) {
        ArrayNode list = "agent".equals(kind) ? gateway.listAgentTasks(id, f.asQuery())
                : gateway.listUserTasks(id, f.asQuery());
        try {
            return mapper.writeValueAsBytes(list);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** E3/E4 from the mirror as a bare JSON array, newest first, streamed from a database cursor. */
    public void writeList(String column, String id, Filters f, OutputStream out) throws IOException {
        StringBuilder sql = new StringBuilder("select " + LIST_ITEM_SQL + " from task t where t.deleted_at is null and t."
                + column + " = ?");
        List<String> params = new ArrayList<>(List.of(id));
        add(sql, params, "user_id", "agent_id".equals(column) ? f.userId() : null);
        add(sql, params, "parent_task_id", f.parentTaskId());
        add(sql, params, "triggering_agent_id", f.triggeringAgentId());
        add(sql, params, "status", f.status());
        add(sql, params, "internal_status", f.internalStatus());
        sql.append(" order by t.created_at desc, t.id desc");
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setFetchSize(500);
                for (int i = 0; i < params.size(); i++) {
                    ps.setString(i + 1, params.get(i));
                }
                var w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
                w.write('[');
                try (ResultSet rs = ps.executeQuery()) {
                    boolean first = true;
                    while (rs.next()) {
                        if (!first) {
                            w.write(',');
                        }
                        first = false;
                        w.write(rs.getString(1));
                    }
                }
                w.write(']');
                w.flush();
            } finally {
                c.rollback();
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("list failed: " + e.getMessage(), e);
        }
    }

    private static void add(StringBuilder sql, List<String> params, String column, String value) {
        if (value != null) {
            sql.append(" and t.").append(column).append(" = ?");
            params.add(value);
        }
    }

    /** E1: create (or continue) through the outbox, pushed at once. */
    public RawJson create(String agentId, String agentVersion, ObjectNode body) {
        validateCreate(body);
        SaveOutcome outcome = saves.createFromSdk(agentId, agentVersion, body);
        return afterPush(outcome);
    }

    /** E10: report an external task through the outbox, pushed at once. */
    public RawJson report(String agentId, ObjectNode body) {
        CompatValidation.report(body);
        JsonNode success = body.get("is_success");
        if (success != null && !success.isNull() && !success.isBoolean()) {
            throw FastApiError.validation(List.of("body", "is_success"), "value could not be parsed to a boolean",
                    "type_error.bool");
        }
        JsonNode input = body.get("input");
        if (input != null && !input.isNull() && !input.isTextual()) {
            throw FastApiError.validation(List.of("body", "input"), "str type expected", "type_error.str");
        }
        return afterPush(saves.reportFromSdk(agentId, body));
    }

    /** E6: stop through the outbox, pushed at once. */
    public RawJson stop(String taskId) {
        ensureMirrored(taskId);
        return afterPush(saves.stop(taskId, null));
    }

    /**
     * E5: forwards only what the client changed compared with the mirrored state. The SDK's {@code save()}
     * sends the whole object as the client holds it: unchanged fields, immutable ones, quirk values and
     * redacted secrets are never forwarded (forwarding a redacted field would erase the secret remotely).
     * The answer is the merged state.
     */
    public RawJson update(String taskId, ObjectNode body) {
        ensureMirrored(taskId);
        ObjectNode current = (ObjectNode) parse(read(taskId, false).orElseThrow(FastApiError::notFound));
        ObjectNode changes = mapper.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = e.getKey().equals("tool_call_payload_extension") ? "payload_extension" : e.getKey();
            JsonNode value = e.getValue();
            if (IMMUTABLE.contains(field) || quirk(field, value)) {
                continue;
            }
            if (JsonDiff.same(value, current.get(field))) {
                continue;
            }
            if (JsonDiff.containsMarker(value)) {
                LOG.debugf("Not forwarding %s of task %s: it holds a redacted value", field, taskId);
                continue;
            }
            changes.set(field, value);
        }
        validateUpdate(changes);
        if (changes.isEmpty()) {
            return new RawJson(read(taskId, false).orElseThrow(FastApiError::notFound));
        }
        SaveOutcome outcome = saves.updateChanges(taskId, changes, null);
        return afterPush(outcome);
    }

    /** Makes sure a task is mirrored before a save: a task only xpander knows is read through first. */
    private void ensureMirrored(String taskId) {
        if (read(taskId, false).isEmpty()) {
            get(taskId);
        }
    }

    /** Pushes the save now; xpander's answer when it came, its error when it refused, else the pending state. */
    private RawJson afterPush(SaveOutcome outcome) {
        OutboxRelay.PushResult result = outcome.outboxId() == null
                ? new OutboxRelay.PushResult(OutboxRelay.PushResult.State.DONE, null, null)
                : relay.pushNow(outcome.outboxId());
        if (result.state() == OutboxRelay.PushResult.State.FAILED && result.httpStatus() != null
                && result.httpStatus() >= 400 && result.httpStatus() < 500) {
            throw FastApiError.of(result.httpStatus(), remoteBody(result.error()));
        }
        return new RawJson(read(outcome.taskId(), true).orElseThrow(FastApiError::notFound));
    }

    /** xpander's own error body when the recorded error carries it, else {"detail": error}. */
    private JsonNode remoteBody(String error) {
        if (error != null) {
            int brace = error.indexOf('{');
            if (brace >= 0) {
                try {
                    JsonNode body = mapper.readTree(error.substring(brace));
                    if (body.has("detail")) {
                        return body;
                    }
                } catch (JsonProcessingException e) {
                    // not JSON: fall through
                }
            }
        }
        return mapper.createObjectNode().put("detail", error == null ? "Request refused" : error);
    }

    private Optional<String> read(String taskId, boolean includeDeleted) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select " + TASK_SQL + " from task t where t.id = ?"
                        + (includeDeleted ? "" : " and t.deleted_at is null"))) {
            ps.setString(1, taskId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SDK sends [null] or [[]] for four fields when the server omitted them: never a real change. */
    private static boolean quirk(String field, JsonNode value) {
        return QUIRK_KEYS.contains(field) && value != null && value.isArray() && value.size() == 1
                && (value.get(0).isNull() || value.get(0).isArray() && value.get(0).isEmpty());
    }

    private static void validateCreate(ObjectNode body) {
        CompatValidation.create(body);
        JsonNode input = body.get("input");
        if (input == null || !input.isObject()) {
            throw FastApiError.validation(List.of("body", "input"), input == null ? "field required"
                    : "value is not a valid dict", input == null ? "value_error.missing" : "type_error.dict");
        }
        enumField(body, "output_format", List.of("text", "markdown", "json", "voice"));
        enumField(body, "think_mode", List.of("default", "harder"));
        JsonNode user = input.get("user");
        if (user != null && !user.isNull() && (!user.isObject() || !user.path("email").isTextual())) {
            throw FastApiError.validation(List.of("body", "input", "user", "email"), "field required",
                    "value_error.missing");
        }
        JsonNode servers = body.get("mcp_servers");
        if (servers != null && servers.isArray()) {
            for (int i = 0; i < servers.size(); i++) {
                JsonNode s = servers.get(i);
                enumAt(s, "type", List.of("local", "remote"), i);
                enumAt(s, "transport", List.of("stdio", "sse", "streamable-http"), i);
                enumAt(s, "auth_type", List.of("api_key", "oauth2", "custom_headers", "none"), i);
            }
        }
    }

    private static void validateUpdate(ObjectNode changes) {
        CompatValidation.update(changes);
        JsonNode status = changes.get("status");
        if (status != null && !status.isNull() && (!status.isTextual() || TaskStatus.fromWire(status.asText()).isEmpty())) {
            throw FastApiError.validation(List.of("body", "status"),
                    "value is not a valid enumeration member; permitted: " + String.join(", ", TaskStatus.VALUES),
                    "type_error.enum");
        }
        if (status != null && status.isNull()) {
            changes.remove("status");
        }
        JsonNode internal = changes.get("internal_status");
        if (internal != null && internal.isTextual() && internal.asText().length() > 255) {
            throw FastApiError.validation(List.of("body", "internal_status"),
                    "ensure this value has at most 255 characters", "value_error.any_str.max_length");
        }
        JsonNode input = changes.get("input");
        if (input != null && !input.isObject()) {
            throw FastApiError.validation(List.of("body", "input"), "value is not a valid dict", "type_error.dict");
        }
    }

    private static void enumField(ObjectNode body, String field, List<String> allowed) {
        JsonNode v = body.get(field);
        if (v != null && !v.isNull() && (!v.isTextual() || !allowed.contains(v.asText()))) {
            throw FastApiError.validation(List.of("body", field), "value is not a valid enumeration member; permitted: "
                    + String.join(", ", allowed), "type_error.enum");
        }
    }

    private static void enumAt(JsonNode server, String field, List<String> allowed, int index) {
        JsonNode v = server == null ? null : server.get(field);
        if (v != null && !v.isNull() && (!v.isTextual() || !allowed.contains(v.asText()))) {
            throw FastApiError.validation(List.of("body", "mcp_servers", index, field),
                    "value is not a valid enumeration member; permitted: " + String.join(", ", allowed),
                    "type_error.enum");
        }
    }
}
