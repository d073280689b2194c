package dev.taskmirror.simulator;

/** The simulated endpoints, used for request counters, the journal and fault matching. */
public enum RouteKind {
    /** E1 {@code POST /agent-execution/{agent_id}}. */
    CREATE,
    /** E2 {@code GET /agent-execution/{task_id}/status}. */
    GET,
    /** E3 {@code GET /agent-execution/executions/history/{agent_id}}. */
    LIST_AGENT,
    /** E4 {@code GET /agent-execution/executions/history/user/{user_id}}. */
    LIST_USER,
    /** E5 {@code PATCH /agent-execution/{task_id}/update}. */
    UPDATE,
    /** E6 {@code DELETE /agent-execution/{task_id}}. */
    STOP,
    /** E7 {@code GET /{org}/agent-execution/{task_id}/events}. */
    EVENTS,
    /** E8 {@code POST /agent-execution/{task_id}/events/push}. */
    PUSH,
    /** E9 {@code GET /activity/{agent_id}/{task_id}}. */
    ACTIVITY,
    /** E10 {@code POST /agent-execution/{agent_id}/report_task}. */
    REPORT,
    /** E11 {@code POST /agents-metrics/{agent_id}/execution}. */
    METRICS;

    /** True for the two list endpoints, the only ones where list faults (omit, duplicate, stale) apply. */
    public boolean isList() {
        return this == LIST_AGENT || this == LIST_USER;
    }
}
