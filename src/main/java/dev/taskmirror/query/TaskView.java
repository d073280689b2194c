package dev.taskmirror.query;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.taskmirror.common.ApiProblem;

/**
 * What each task in a response contains: the full document, a summary without the large fields, or a
 * chosen set of top-level fields.
 */
public record TaskView(Kind kind, List<String> fields) {

    public enum Kind {
        FULL, SUMMARY, FIELDS
    }

    public static final TaskView FULL = new TaskView(Kind.FULL, List.of());
    public static final TaskView SUMMARY = new TaskView(Kind.SUMMARY, List.of());
    private static final Pattern FIELD = Pattern.compile("[a-z0-9_]{1,64}");

    /** The mirror section of a served task, as jsonb. */
    static final String MIRROR = """
            jsonb_build_object(
                'version', t.version,
                'sync_state', t.sync_state,
                'synced_at', iso_utc(t.synced_at),
                'sync_error', t.sync_error,
                'conflicts', t.conflicts,
                'deleted', t.deleted_at is not null,
                'deleted_at', iso_utc(t.deleted_at),
                'deletion_reason', t.deletion_reason,
                'redacted', coalesce(t.redacted_paths, '[]'::jsonb))""";

    /**
     * The derived section of a served task: what the mirror computed from the document (attachments by
     * category, the structured-result check), kept apart from the remote's fields. See
     * docs/attachments-and-results.md.
     */
    static final String DERIVED = """
            jsonb_build_object(
                'attachment_count', t.attachment_count,
                'attachments_by_category', jsonb_build_object('document', t.attachments_document,
                    'image', t.attachments_image, 'text', t.attachments_text, 'audio', t.attachments_audio,
                    'other', t.attachments_other),
                'result_json', t.result_json,
                'result_valid', t.result_valid,
                'result_errors', t.result_errors)""";

    /** The served document of task row {@code t}: remote document, pending saves, updated_at, mirror, derived. */
    public static final String SERVED = "(t.document || coalesce(t.overlay, '{}'::jsonb) || jsonb_build_object("
            + "'updated_at', iso_utc(t.updated_at), 'mirror', " + MIRROR + ", 'derived', " + DERIVED + "))";

    /** Dashboard-sized: identity, status, timing, tokens; no prompt, result, schemas or user details. */
    static final String SUMMARY_SQL = """
            jsonb_build_object(
                'id', t.id, 'agent_id', t.agent_id, 'organization_id', t.organization_id,
                'status', t.status, 'internal_status', t.internal_status, 'title', t.title, 'source', t.source,
                'user_id', t.user_id, 'parent_execution', t.parent_task_id,
                'triggering_agent_id', t.triggering_agent_id, 'agent_version', t.agent_version,
                'output_format', t.output_format, 'is_manually_stopped', t.is_manually_stopped,
                'created_at', iso_utc(t.created_at), 'started_at', iso_utc(t.started_at),
                'paused_at', iso_utc(t.paused_at), 'finished_at', iso_utc(t.finished_at),
                'updated_at', iso_utc(t.updated_at), 'has_result', t.result is not null,
                'attachment_count', t.attachment_count, 'result_valid', t.result_valid,
                'tokens', t.document -> 'tokens', 'mirror', """ + MIRROR + ")";

    /**
     * Parses {@code view} and {@code fields}. {@code fields} wins; {@code id} is always included.
     *
     * @throws ApiProblem 400 for an unknown view or a malformed field name
     */
    public static TaskView parse(String view, String fields) {
        if (fields != null && !fields.isBlank()) {
            List<String> names = new ArrayList<>();
            names.add("id");
            for (String part : fields.split(",")) {
                String f = part.trim();
                if (f.isEmpty() || names.contains(f)) {
                    continue;
                }
                if (!FIELD.matcher(f).matches()) {
                    throw ApiProblem.badRequest("Invalid field name '" + f + "'",
                            List.of(new ApiProblem.InvalidParam("fields", "top-level field names, comma-separated")));
                }
                names.add(f);
            }
            if (names.size() > 60) {
                throw ApiProblem.badRequest("Too many fields",
                        List.of(new ApiProblem.InvalidParam("fields", "at most 60 fields")));
            }
            return new TaskView(Kind.FIELDS, List.copyOf(names));
        }
        if (view == null || view.isBlank() || view.equals("full")) {
            return FULL;
        }
        if (view.equals("summary")) {
            return SUMMARY;
        }
        throw ApiProblem.badRequest("view must be summary or full",
                List.of(new ApiProblem.InvalidParam("view", "summary or full")));
    }

    /** SQL producing the response JSON (text) of row {@code t}; field names become parameters of {@code w}. */
    String select(SqlWhere w) {
        return switch (kind) {
            case FULL -> SERVED + "::text";
            case SUMMARY -> SUMMARY_SQL + "::text";
            case FIELDS -> {
                StringBuilder sb = new StringBuilder("(select jsonb_build_object(");
                for (int i = 0; i < fields.size(); i++) {
                    String p = w.param(fields.get(i));
                    sb.append(i == 0 ? "" : ", ").append("cast(").append(p).append(" as text), s.doc -> cast(").append(p)
                            .append(" as text)");
                }
                sb.append(")::text from (select ").append(SERVED).append(" as doc) s)");
                yield sb.toString();
            }
        };
    }

    String label() {
        return kind == Kind.FIELDS ? "fields:" + String.join(",", fields) : kind.name().toLowerCase();
    }
}
