package dev.taskmirror.compat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.taskmirror.common.Timestamps;
import dev.taskmirror.task.Redaction;

/** Equality of JSON values the way a client's echo should be judged: by meaning, not by spelling. */
final class JsonDiff {

    private JsonDiff() {
    }

    /** Null and absent are equal; numbers by value; timestamps as instants; objects and arrays deeply. */
    static boolean same(JsonNode a, JsonNode b) {
        boolean aNull = a == null || a.isNull() || a.isMissingNode();
        boolean bNull = b == null || b.isNull() || b.isMissingNode();
        if (aNull || bNull) {
            return aNull && bNull;
        }
        if (a.isNumber() && b.isNumber()) {
            return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText())) == 0;
        }
        if (a.isTextual() && b.isTextual()) {
            if (a.asText().equals(b.asText())) {
                return true;
            }
            Instant x = Timestamps.parse(a.asText());
            Instant y = x == null ? null : Timestamps.parse(b.asText());
            return x != null && x.equals(y);
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject() && b.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = a.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!same(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            Iterator<Map.Entry<String, JsonNode>> jt = b.fields();
            while (jt.hasNext()) {
                Map.Entry<String, JsonNode> e = jt.next();
                if (!a.has(e.getKey()) && !same(null, e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** True if a redaction marker appears anywhere in the value. */
    static boolean containsMarker(JsonNode value) {
        if (value == null) {
            return false;
        }
        if (Redaction.isMarker(value)) {
            return true;
        }
        for (JsonNode child : value) {
            if (containsMarker(child)) {
                return true;
            }
        }
        return false;
    }
}
