package dev.taskmirror.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A scripted misbehaviour applied to the next matching request(s). Faults are queued with
 * {@link XpanderSimulator#enqueueFault(Fault)} and matched in queue order by route kind and, optionally, target
 * (the task id for task routes, the agent id for create/list/report/metrics, the user id for user lists). Each
 * fault is used {@link #times()} times, then removed.
 *
 * <pre>{@code
 * sim.enqueueFault(Fault.on(RouteKind.GET).status(503).build());                 // one 503, then normal
 * sim.enqueueFault(Fault.on(RouteKind.CREATE).status(429).retryAfter("2").build());
 * sim.enqueueFault(Fault.on(RouteKind.UPDATE).target(taskId).reset().afterApply().build()); // applied, answer lost
 * sim.enqueueFault(Fault.on(RouteKind.LIST_AGENT).omit(3).build());
 * }</pre>
 *
 * @param kind       route the fault applies to
 * @param target     path id the fault is restricted to, or {@code null} for any
 * @param times      how many matching requests it affects
 * @param delay      wait before answering (alone or combined with another action)
 * @param action     what to do
 * @param status     status code for {@link Action#STATUS}
 * @param retryAfter {@code Retry-After} header value for {@link Action#STATUS}, or {@code null}
 * @param body       response body for {@link Action#STATUS} ({@code null}: {@code {"detail": "<reason>"}}),
 *                   or the garbage sent by {@link Action#MALFORMED} ({@code null}: a fixed broken document)
 * @param count      number of items for {@link Action#OMIT} when {@code ids} is empty
 * @param ids        task ids affected by the list actions (empty: chosen by the simulator)
 * @param afterApply for STATUS, RESET and MALFORMED: perform the request first, then replace the answer (the
 *                   client cannot know that its change was applied); without it the request is not performed
 */
public record Fault(RouteKind kind, String target, int times, Duration delay, Action action, int status,
        String retryAfter, String body, int count, Set<String> ids, boolean afterApply) {

    /** Kinds of misbehaviour. */
    public enum Action {
        /** Only the delay (then the normal answer). */
        NONE,
        /** Answer with {@link Fault#status()} (e.g. 500, 503, 429 with {@code Retry-After}) instead of the result. */
        STATUS,
        /** Close the connection without an answer. */
        RESET,
        /** Answer 200 with {@code Content-Type: application/json} and a body that is not valid JSON. */
        MALFORMED,
        /** Perform the request, then answer 200 with only the first half of the real body. */
        TRUNCATE,
        /** Lists: leave out some items. */
        OMIT,
        /** Lists: repeat an item right after itself. GET: no effect. */
        DUPLICATE,
        /** Lists and GET: serve the version of an item from before its latest change. */
        STALE
    }

    public Fault {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(action, "action");
        delay = delay == null ? Duration.ZERO : delay;
        ids = ids == null ? Set.of() : Set.copyOf(ids);
        if (times < 1) {
            throw new IllegalArgumentException("times must be >= 1");
        }
        if (action == Action.STATUS && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("STATUS fault needs a status code");
        }
    }

    /** Starts a fault for the given route. */
    public static Builder on(RouteKind kind) {
        return new Builder(kind);
    }

    /** True if this fault applies to a request of the given route and path id. */
    public boolean matches(RouteKind requestKind, String requestTarget) {
        return kind == requestKind && (target == null || target.equals(requestTarget));
    }

    /** Builder of {@link Fault}; the last action method called wins. */
    public static final class Builder {
        private final RouteKind kind;
        private String target;
        private int times = 1;
        private Duration delay = Duration.ZERO;
        private Action action = Action.NONE;
        private int status;
        private String retryAfter;
        private String body;
        private int count = 1;
        private Set<String> ids = Set.of();
        private boolean afterApply;

        private Builder(RouteKind kind) {
            this.kind = Objects.requireNonNull(kind);
        }

        /** Restricts the fault to one task id (task routes), agent id or user id (list routes). */
        public Builder target(String id) { target = id; return this; }
        /** Number of matching requests affected (default 1). */
        public Builder times(int n) { times = n; return this; }
        public Builder delay(Duration d) { delay = d; return this; }
        public Builder delayMillis(long ms) { delay = Duration.ofMillis(ms); return this; }
        public Builder status(int code) { action = Action.STATUS; status = code; return this; }
        public Builder retryAfter(String value) { retryAfter = value; return this; }
        public Builder body(String text) { body = text; return this; }
        public Builder reset() { action = Action.RESET; return this; }
        public Builder malformed() { action = Action.MALFORMED; return this; }
        public Builder truncate() { action = Action.TRUNCATE; return this; }
        public Builder omit(int n) { action = Action.OMIT; count = n; return this; }
        public Builder omitIds(String... taskIds) { action = Action.OMIT; ids = Set.of(taskIds); return this; }
        public Builder duplicate() { action = Action.DUPLICATE; return this; }
        public Builder duplicate(String taskId) { action = Action.DUPLICATE; ids = Set.of(taskId); return this; }
        public Builder stale() { action = Action.STALE; return this; }
        public Builder stale(String taskId) { action = Action.STALE; ids = Set.of(taskId); return this; }
        /** Perform the request, then replace its answer. */
        public Builder afterApply() { afterApply = true; return this; }

        public Fault build() {
            return new Fault(kind, target, times, delay, action, status, retryAfter, body, count, ids, afterApply);
        }
    }
}
