package dev.taskmirror.result;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;

import dev.taskmirror.common.Errors;
import com.networknt.schema.SpecificationVersion;

/**
 * Validates parsed results against {@code output_schema} with networknt's json-schema-validator. Schemas
 * without {@code $schema} are read as JSON Schema 2020-12; drafts 4, 6, 7 and 2019-09 are honoured when
 * declared. Nothing is ever fetched: a {@code $ref} outside the schema makes it unusable (no request leaves
 * the service). Compiled schemas are cached by content (tasks of one agent share a few schemas).
 */
final class SchemaValidators {

    /** Outcome of one validation: {@code valid} is null when the schema could not be applied. */
    record Outcome(Boolean valid, List<String> errors) {
    }

    static final int MAX_SCHEMA_CHARS = 256 * 1024;
    /** Budget for the regular expressions of one validation. */
    static final long REGEX_BUDGET_MILLIS = 200;
    private static final int CACHE_SIZE = 256;

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12, b -> b
                    // Keyed by $id otherwise: two tasks with the same $id but different schemas would collide.
                    .schemaCacheEnabled(false)
                    .schemaLoader(l -> l.fetchRemoteResources(false))
                    .schemaRegistryConfig(SchemaRegistryConfig.builder()
                            .regularExpressionFactory(BoundedRegex.FACTORY).build()));

    /** Schema text → compiled {@link Schema}, or the reason it cannot be used. */
    private static final Map<String, Object> CACHE = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
                    return size() > CACHE_SIZE;
                }
            });

    private SchemaValidators() {
    }

    static Outcome validate(JsonNode schemaNode, JsonNode instance) {
        if (!schemaNode.isObject() && !schemaNode.isBoolean()) {
            return new Outcome(null, List.of("output_schema is not a JSON Schema (expected an object or a boolean)"));
        }
        Object compiled = compile(schemaNode);
        if (compiled instanceof String reason) {
            return new Outcome(null, List.of(reason));
        }
        List<Error> found;
        try {
            found = BoundedRegex.withBudget(REGEX_BUDGET_MILLIS, () -> ((Schema) compiled).validate(instance));
        } catch (BoundedRegex.BudgetExceeded e) {
            return new Outcome(null, List.of("output_schema could not be applied: its patterns took longer than "
                    + REGEX_BUDGET_MILLIS + " ms"));
        } catch (RuntimeException e) {
            return new Outcome(null, List.of(ResultCheck.clip("output_schema could not be applied: " + reason(e))));
        }
        if (found.isEmpty()) {
            return new Outcome(true, List.of());
        }
        List<String> errors = new ArrayList<>();
        for (Error e : found) {
            if (errors.size() == ResultCheck.MAX_ERRORS) {
                errors.add("… and " + (found.size() - ResultCheck.MAX_ERRORS) + " more");
                break;
            }
            String at = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
            errors.add(ResultCheck.clip((at.isEmpty() ? "" : at + ": ") + e.getMessage()));
        }
        return new Outcome(false, List.copyOf(errors));
    }

    private static Object compile(JsonNode schemaNode) {
        String key = schemaNode.toString();
        if (key.length() > MAX_SCHEMA_CHARS) {
            return "output_schema is too large to apply (" + key.length() + " characters, limit " + MAX_SCHEMA_CHARS
                    + ")";
        }
        Object hit = CACHE.get(key);
        if (hit != null) {
            return hit;
        }
        Object value;
        try {
            value = REGISTRY.getSchema(schemaNode);
        } catch (RuntimeException e) {
            value = ResultCheck.clip("output_schema is not a usable JSON Schema: " + reason(e));
        }
        CACHE.put(key, value);
        return value;
    }

    /** The innermost message: the library wraps causes as "ClassName: message". */
    private static String reason(Throwable e) {
        Throwable t = Errors.root(e);
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof java.io.FileNotFoundException) {
            m = "cannot load " + m + " (schemas are never fetched)";
        }
        return m.replaceAll("\\s+", " ").trim();
    }
}
