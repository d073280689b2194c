package dev.taskmirror.result;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * What a task's structured result is worth: the parsed {@code result} of an {@code output_format: json}
 * task, and whether it satisfies the task's {@code output_schema}. Derived from the served document at write
 * time (see {@code TaskRecord.deriveColumns}), so filters and stats read plain columns.
 * <p>
 * {@code valid} is {@code null} when the result is not judged: not a json task, no result, an
 * {@code error}/{@code failed} task (its result is the error text), a result too large to check, or an
 * {@code output_schema} that cannot be applied (the reason is in {@code errors}). {@code false} means the
 * result is not JSON or breaks the schema; {@code errors} says why.
 *
 * @param json   the parsed result, or null
 * @param valid  see above
 * @param errors short human-readable reasons (at most {@link #MAX_ERRORS} plus a "more" line), or null
 */
public record ResultCheck(JsonNode json, Boolean valid, List<String> errors) {

    /** Nothing to judge. */
    public static final ResultCheck NONE = new ResultCheck(null, null, null);

    /** Results longer than this are neither parsed nor validated (the raw string is still served). */
    public static final int MAX_CHECKED_CHARS = 1_000_000;
    static final int MAX_ERRORS = 10;
    static final int MAX_ERROR_CHARS = 300;

    private static final ObjectMapper PARSER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build()).build())
            // Exact numbers: a double would turn 1e400 into Infinity, which is not JSON and cannot be stored.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Judges a result.
     *
     * @param outputFormat the task's {@code output_format}
     * @param status       the task's status
     * @param outputSchema the task's {@code output_schema} (null, JSON null or missing: only JSON-ness is checked)
     * @param result       the task's {@code result}
     */
    public static ResultCheck of(String outputFormat, String status, JsonNode outputSchema, String result) {
        if (!"json".equals(outputFormat) || result == null || "error".equals(status) || "failed".equals(status)) {
            return NONE;
        }
        if (result.length() > MAX_CHECKED_CHARS) {
            return new ResultCheck(null, null, List.of("result is too large to check (" + result.length()
                    + " characters, limit " + MAX_CHECKED_CHARS + ")"));
        }
        JsonNode parsed;
        try {
            parsed = PARSER.readTree(result);
        } catch (JsonProcessingException e) {
            return new ResultCheck(null, false, List.of(clip("not JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")"))));
        }
        if (parsed == null || parsed.isMissingNode()) {
            return new ResultCheck(null, false, List.of("not JSON: the result is blank"));
        }
        List<String> errors = new ArrayList<>();
        Boolean valid = true;
        if (outputSchema != null && !outputSchema.isNull() && !outputSchema.isMissingNode()) {
            SchemaValidators.Outcome outcome = SchemaValidators.validate(outputSchema, parsed);
            valid = outcome.valid();
            errors.addAll(outcome.errors());
        }
        JsonNode stored = parsed;
        if (containsNul(parsed)) {
            // PostgreSQL's jsonb cannot hold U+0000; the raw result string still carries it.
            stored = null;
            errors.add("result_json omitted: the result contains the character U+0000, which cannot be stored");
        }
        return new ResultCheck(stored, valid, errors.isEmpty() ? null : List.copyOf(errors));
    }

    /** The errors as a JSON array for the {@code result_errors} column, or null. */
    public ArrayNode errorsNode() {
        if (errors == null) {
            return null;
        }
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        errors.forEach(a::add);
        return a;
    }

    /**
     * Whether two parsed results are the same JSON: numbers compare by value, so a result read back from the
     * database (where {@code 12.50} may come back as a double) does not count as a change.
     */
    public static boolean sameJson(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals((x, y) -> {
            if (x.isNumber() && y.isNumber()) {
                return x.decimalValue().compareTo(y.decimalValue());
            }
            return x.equals(y) ? 0 : 1;
        }, b);
    }

    static String clip(String s) {
        return s.length() <= MAX_ERROR_CHARS ? s : s.substring(0, MAX_ERROR_CHARS - 1) + "…";
    }

    private static boolean containsNul(JsonNode n) {
        if (n.isTextual()) {
            return n.textValue().indexOf('\0') >= 0;
        }
        if (n.isObject()) {
            for (var e : n.properties()) {
                if (e.getKey().indexOf('\0') >= 0 || containsNul(e.getValue())) {
                    return true;
                }
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) {
                if (containsNul(c)) {
                    return true;
                }
            }
        }
        return false;
    }
}
