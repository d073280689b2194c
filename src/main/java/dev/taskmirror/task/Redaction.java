package dev.taskmirror.task;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Removes the secrets a task may carry before anything is stored or served: the end user's OIDC token,
 * per-user MCP tokens, and credentials of per-task MCP servers. Each removed value is replaced by
 * {@link #MARKER} (so clients see that a value exists) and its JSON pointer is reported.
 */
public final class Redaction {

    public static final String MARKER = "[REDACTED]";
    private static final List<String> MCP_SECRET_STRINGS = List.of("api_key", "client_secret");
    private static final List<String> MCP_SECRET_MAPS = List.of("headers", "env_vars");

    private Redaction() {
    }

    public record Result(ObjectNode document, List<String> paths) {
    }

    /** Returns a redacted deep copy; the input is not modified. */
    public static Result redact(ObjectNode source) {
        return redactInPlace(source.deepCopy());
    }

    /**
     * Redacts the document itself and returns it: for a document nobody else holds (a remote answer being
     * applied), which saves a copy of every fetched task.
     */
    public static Result redactInPlace(ObjectNode doc) {
        List<String> paths = new ArrayList<>();
        redactString(doc, "user_oidc_token", "", paths);
        JsonNode userTokens = doc.get("user_tokens");
        if (userTokens instanceof ObjectNode tokens) {
            redactValues(tokens, "/user_tokens", paths);
        } else if (userTokens != null && !userTokens.isNull()) {
            doc.put("user_tokens", MARKER);
            paths.add("/user_tokens");
        }
        JsonNode servers = doc.get("mcp_servers");
        if (servers instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i) instanceof ObjectNode server) {
                    String base = "/mcp_servers/" + i;
                    for (String key : MCP_SECRET_STRINGS) {
                        redactString(server, key, base, paths);
                    }
                    for (String key : MCP_SECRET_MAPS) {
                        if (server.get(key) instanceof ObjectNode map) {
                            redactValues(map, base + "/" + key, paths);
                        }
                    }
                }
            }
        }
        return new Result(doc, List.copyOf(paths));
    }

    /** True if the (client-supplied) value is the marker, i.e. an echo of a redacted value. */
    public static boolean isMarker(JsonNode value) {
        return value != null && value.isTextual() && MARKER.equals(value.asText());
    }

    private static void redactString(ObjectNode node, String key, String base, List<String> paths) {
        JsonNode value = node.get(key);
        if (value != null && !value.isNull() && !isMarker(value)) {
            node.set(key, TextNode.valueOf(MARKER));
            paths.add(base + "/" + key);
        } else if (isMarker(value)) {
            paths.add(base + "/" + key);
        }
    }

    /** Keeps the keys (useful to see which tokens/headers exist), replaces every value, nested ones too. */
    private static void redactValues(ObjectNode map, String base, List<String> paths) {
        Iterator<Map.Entry<String, JsonNode>> it = map.fields();
        List<String> keys = new ArrayList<>();
        while (it.hasNext()) {
            keys.add(it.next().getKey());
        }
        for (String key : keys) {
            JsonNode value = map.get(key);
            String pointer = base + "/" + escape(key);
            if (value instanceof ObjectNode nested) {
                redactValues(nested, pointer, paths);
            } else if (value != null && !value.isNull()) {
                map.set(key, TextNode.valueOf(MARKER));
                paths.add(pointer);
            }
        }
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
