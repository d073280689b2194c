package dev.taskmirror.query;

import java.util.List;

import dev.taskmirror.common.ApiProblem;

/** Sort order of a task list: a timestamp column and a direction; the task id breaks ties. */
public record SortSpec(String field, boolean descending) {

    public static final List<String> FIELDS = List.of("created_at", "updated_at", "finished_at");
    public static final SortSpec DEFAULT = new SortSpec("created_at", true);

    /** Parses {@code created_at:asc|desc}; a bare field name or {@code -field} sorts descending (newest first). */
    public static SortSpec parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        String t = text.trim();
        boolean desc = true;
        if (t.startsWith("-")) {
            t = t.substring(1);
        } else if (t.contains(":")) {
            String dir = t.substring(t.indexOf(':') + 1);
            t = t.substring(0, t.indexOf(':'));
            if (dir.equals("asc")) {
                desc = false;
            } else if (!dir.equals("desc")) {
                throw ApiProblem.badRequest("sort direction must be asc or desc",
                        List.of(new ApiProblem.InvalidParam("sort", "direction must be asc or desc")));
            }
        }
        if (!FIELDS.contains(t)) {
            throw ApiProblem.badRequest("sort must be one of " + FIELDS + " with an optional :asc or :desc",
                    List.of(new ApiProblem.InvalidParam("sort", "unknown sort field '" + t + "'")));
        }
        return new SortSpec(t, desc);
    }

    /** Whether the column may be null (nulls sort as the largest value: last ascending, first descending). */
    public boolean nullable() {
        return field.equals("finished_at");
    }
}
