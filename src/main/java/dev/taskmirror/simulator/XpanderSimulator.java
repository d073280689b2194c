package dev.taskmirror.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.taskmirror.simulator.SimTask.Version;

/**
 * Stateful, offline simulation of the xpander.ai Tasks API (the SDK surface {@code /agent-execution/...}).
 *
 * <p>Holds organizations, API keys, agents and tasks; drives task lifecycles on a controllable clock (a simulated
 * worker moves tasks pending → executing [→ paused → executing] → completed/failed/error, with results, tokens and
 * SSE events); simulates new tasks arriving and other actors editing tasks; counts requests and plays scripted
 * faults. Plain Java: {@link SimulatorHttpServer} exposes it over HTTP, tests may also drive it directly.
 *
 * <p>Determinism: with a manual clock, the same options and the same sequence of calls produce identical state
 * and identical JSON. Thread safety: every method may be called from any thread; reads (get, list) take no lock.
 *
 * <p>Java API overview:
 * <ul>
 *   <li>clock: {@link #now()}, {@link #advance(Duration)}, {@link #tick()}, {@link #isManualClock()},
 *       {@link #setLifecycleEnabled(boolean)}</li>
 *   <li>state: {@link #reset(SimulatorOptions)}, {@link #options()}</li>
 *   <li>identity: {@link #organizationId()}, {@link #apiKey()}, {@link #agentIds()}, {@link #registerAgent(String)},
 *       {@link #addOrganization(String, String)}</li>
 *   <li>inspection: {@link #task(String)}, {@link #tasks(String)}, {@link #listItem(String)},
 *       {@link #taskIds(String)}, {@link #taskCount()}, {@link #updatedAt(String)}, {@link #events(String)},
 *       {@link #activity(String)}, {@link #metricsReports()}</li>
 *   <li>remote actors: {@link #createTask(String, Consumer)}, {@link #mutate(String, Consumer)},
 *       {@link #finish(String, String, String)}, {@link #stop(String)}, {@link #delete(String)},
 *       {@link #recreate(String, Consumer)}, {@link #pushEvent(String, String, JsonNode)}</li>
 *   <li>accounting: {@link #requestCount(RouteKind)}, {@link #requestCounts()}, {@link #getCount(String)},
 *       {@link #journal()}, {@link #resetCounters()}</li>
 *   <li>faults: {@link #enqueueFault(Fault)}, {@link #pendingFaults()}, {@link #clearFaults()},
 *       {@link #takeFault(RouteKind, String)}</li>
 * </ul>
 */
public final class XpanderSimulator {

    private static final int METRICS_KEPT = 1000;
    private static final int USER_POOL = 48;
    private static final int STRIPES = 64;

    private volatile State state;
    private final Object resetLock = new Object();
    private final Object[] idStripes = new Object[STRIPES];

    private final EnumMap<RouteKind, LongAdder> counters = new EnumMap<>(RouteKind.class);
    private final ConcurrentHashMap<String, LongAdder> getCounts = new ConcurrentHashMap<>();
    private volatile Journal journal = new Journal(1000);
    private final List<FaultSlot> faults = new ArrayList<>();
    private volatile int faultCount;
    private final List<ObjectNode> metrics = Collections.synchronizedList(new ArrayList<>());

    /** A simulator with {@link SimulatorOptions#defaults()}. */
    public XpanderSimulator() {
        this(SimulatorOptions.defaults());
    }

    public XpanderSimulator(SimulatorOptions options) {
        for (int i = 0; i < STRIPES; i++) {
            idStripes[i] = new Object();
        }
        for (RouteKind k : RouteKind.values()) {
            counters.put(k, new LongAdder());
        }
        reset(options);
    }

    // =====================================================================================================
    // State and clock
    // =====================================================================================================

    /**
     * Replaces the whole state by a freshly seeded one (same result for the same options). Also clears request
     * counters, the journal, pending faults and recorded metrics, and closes open event streams.
     */
    public void reset(SimulatorOptions options) {
        synchronized (resetLock) {
            State next = new State(options);
            seed(next);
            State old = state;
            state = next;
            resetCounters();
            clearFaults();
            metrics.clear();
            if (old != null) {
                old.closeAllStreams();
            }
        }
    }

    /** Resets with the current options. */
    public void reset() {
        reset(options());
    }

    public SimulatorOptions options() {
        return state.options;
    }

    /** Current simulated time (microsecond precision). */
    public Instant now() {
        return SimJson.instant(state.clock.now());
    }

    public boolean isManualClock() {
        return state.options.manualClock();
    }

    /**
     * Moves the clock forward and runs every lifecycle step, arrival and remote edit that falls due, each at its
     * own due time. With a real-time clock the duration is added as an offset to the wall clock.
     */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot go back in time");
        }
        State s = state;
        s.tickLock.lock();
        try {
            long target = s.clock.now() + duration.toNanos() / 1_000;
            if (s.lifecycleEnabled) {
                runDue(s, target, true);
            }
            s.clock.setAtLeast(target);
        } finally {
            s.tickLock.unlock();
        }
    }

    /** Runs the steps due now (the automatic ticker calls this). Returns the number of steps run. */
    public int tick() {
        State s = state;
        if (!s.lifecycleEnabled) {
            return 0;
        }
        s.tickLock.lock();
        try {
            return runDue(s, s.clock.now(), false);
        } finally {
            s.tickLock.unlock();
        }
    }

    /**
     * Freezes (false) or resumes (true) automatic progression: lifecycle steps, arrivals and remote edits. While
     * frozen the clock still moves; overdue steps run at the next tick after resuming.
     */
    public void setLifecycleEnabled(boolean enabled) {
        state.lifecycleEnabled = enabled;
    }

    public boolean isLifecycleEnabled() {
        return state.lifecycleEnabled;
    }

    /** Number of scheduled lifecycle steps (including the next arrival and remote edit). */
    public int scheduledSteps() {
        State s = state;
        synchronized (s.schedule) {
            return s.schedule.size();
        }
    }

    // =====================================================================================================
    // Identity
    // =====================================================================================================

    public String organizationId() {
        return state.options.organizationId();
    }

    public String apiKey() {
        return state.options.apiKey();
    }

    /** Agents of the default organization: the seeded ones first, then registered ones, in registration order. */
    public List<String> agentIds() {
        return List.copyOf(state.orgAgents.getOrDefault(organizationId(), new CopyOnWriteArrayList<>()));
    }

    /** Registers an agent in the default organization (idempotent). */
    public void registerAgent(String agentId) {
        registerAgent(organizationId(), agentId);
    }

    /** Registers an agent in an organization (idempotent; an agent belongs to one organization). */
    public void registerAgent(String orgId, String agentId) {
        State s = state;
        String existing = s.agentOrg.putIfAbsent(agentId, orgId);
        if (existing != null && !existing.equals(orgId)) {
            throw new IllegalArgumentException("agent " + agentId + " belongs to organization " + existing);
        }
        if (existing == null) {
            s.orgAgents.computeIfAbsent(orgId, k -> new CopyOnWriteArrayList<>()).add(agentId);
        }
    }

    /** Adds an organization reachable with the given API key (for cross-organization tests). */
    public void addOrganization(String orgId, String apiKey) {
        state.apiKeys.put(apiKey, orgId);
    }

    /** The organization of an API key, if the key is known. */
    public Optional<String> organizationOfKey(String apiKey) {
        return apiKey == null ? Optional.empty() : Optional.ofNullable(state.apiKeys.get(apiKey));
    }

    // =====================================================================================================
    // Inspection
    // =====================================================================================================

    /** The full Task as GET would return it (a deep copy), or empty if unknown or deleted. */
    public Optional<ObjectNode> task(String id) {
        SimTask t = state.tasks.get(id);
        if (t == null || t.deleted) {
            return Optional.empty();
        }
        Version v = t.current;
        ObjectNode doc = TaskDocs.expand(v.doc());
        if (state.options.includeUpdatedAtInTask()) {
            doc.put(TaskDocs.UPDATED_AT, SimJson.ts(v.updatedMicros()));
        }
        return Optional.of(doc);
    }

    /** All tasks of an agent as full Tasks, newest first (the E3 order). */
    public List<ObjectNode> tasks(String agentId) {
        List<ObjectNode> out = new ArrayList<>();
        NavigableSet<SimTask> index = state.byAgent.get(agentId);
        if (index != null) {
            for (SimTask t : index) {
                if (!t.deleted) {
                    out.add(TaskDocs.expand(t.current.doc()));
                }
            }
        }
        return out;
    }

    /** Task ids of an agent, newest first. */
    public List<String> taskIds(String agentId) {
        List<String> out = new ArrayList<>();
        NavigableSet<SimTask> index = state.byAgent.get(agentId);
        if (index != null) {
            for (SimTask t : index) {
                if (!t.deleted) {
                    out.add(t.id);
                }
            }
        }
        return out;
    }

    /** The TasksListItem of a task, as the lists return it. */
    public Optional<ObjectNode> listItem(String id) {
        SimTask t = state.tasks.get(id);
        if (t == null || t.deleted) {
            return Optional.empty();
        }
        Version v = t.current;
        return Optional.of(TaskDocs.listItem(v.doc(), SimJson.ts(v.updatedMicros())));
    }

    /** Number of live (not deleted) tasks over all organizations. */
    public int taskCount() {
        return state.tasks.size();
    }

    /** {@code updated_at} of a task. */
    public Optional<Instant> updatedAt(String id) {
        SimTask t = state.tasks.get(id);
        return t == null || t.deleted ? Optional.empty() : Optional.of(SimJson.instant(t.current.updatedMicros()));
    }

    /** The event log of the task's current turn (what a new SSE subscriber would receive first). */
    public List<ObjectNode> events(String taskId) {
        State s = state;
        SimTask t = requireTask(s, taskId);
        List<String> frames;
        synchronized (t) {
            ensureLog(s, t);
            frames = List.copyOf(t.events);
        }
        List<ObjectNode> out = new ArrayList<>(frames.size());
        for (String f : frames) {
            JsonNode parsed = parseFrame(f);
            if (parsed instanceof ObjectNode o) {
                out.add(o);
            }
        }
        return out;
    }

    /** Number of open event-stream subscriptions of a task. */
    public int subscriberCount(String taskId) {
        SimTask t = state.tasks.get(taskId);
        if (t == null) {
            return 0;
        }
        synchronized (t) {
            return t.sinks.size();
        }
    }

    /** The activity thread (E9) of a task. */
    public ObjectNode activity(String taskId) {
        SimTask t = requireTask(state, taskId);
        return activity(t.orgId, t.agentId, taskId);
    }

    /** Bodies received on E11, oldest first (the last 1000). */
    public List<ObjectNode> metricsReports() {
        synchronized (metrics) {
            List<ObjectNode> out = new ArrayList<>(metrics.size());
            metrics.forEach(m -> out.add(m.deepCopy()));
            return out;
        }
    }

    // =====================================================================================================
    // Remote actors (Java API)
    // =====================================================================================================

    /**
     * Creates a task as another client would (E1 semantics, including validation, events and lifecycle). The
     * customizer edits a generated, realistic create request before it is applied: e.g.
     * {@code r -> r.put("title", "x").put("events_streaming", true)} or
     * {@code r -> ((ObjectNode) r.get("input")).put("text", "hi")}. Set {@code id} to choose the task id, and
     * {@code agent_version} to simulate the {@code x-agent-version} header.
     *
     * @return the created Task (copy)
     */
    public ObjectNode createTask(String agentId, Consumer<ObjectNode> customizer) {
        State s = state;
        String orgId = orgOfAgent(s, agentId);
        ObjectNode request;
        synchronized (s.actorRandom) {
            request = ContentGenerator.createRequest(s.actorRandom.split(), s.users, agentIds(), agentId).deepCopy();
        }
        if (customizer != null) {
            customizer.accept(request);
        }
        JsonNode version = request.remove("agent_version");
        ObjectNode normalized = Validation.normalizeCreate(request);
        return render(s, create(s, orgId, agentId, normalized, version == null || version.isNull() ? null
                : version.asText()));
    }

    /** Creates a task with a random realistic request. */
    public ObjectNode createTask(String agentId) {
        return createTask(agentId, null);
    }

    /**
     * Edits a task as another actor would (a remote change the mirror must pick up): the editor receives a full
     * copy of the Task and may change anything except {@code id}, {@code agent_id}, {@code organization_id} and
     * {@code created_at}. Bumps {@code updated_at}, derives timestamps on status changes (as PATCH does) and emits
     * {@code task_updated} / {@code task_finished}.
     *
     * @return the Task after the edit
     */
    public ObjectNode mutate(String taskId, Consumer<ObjectNode> editor) {
        State s = state;
        SimTask t = requireTask(s, taskId);
        synchronized (t) {
            checkLive(t);
            ObjectNode full = TaskDocs.expand(t.current.doc());
            String before = TaskDocs.status(full);
            Long started = micros(full, "started_at");
            Long finished = micros(full, "finished_at");
            long now = s.clock.now();
            editor.accept(full);
            full.put(TaskDocs.ID, t.id);
            full.put(TaskDocs.AGENT_ID, t.agentId);
            full.put(TaskDocs.ORGANIZATION_ID, t.orgId);
            full.put(TaskDocs.CREATED_AT, SimJson.ts(t.createdMicros));
            full.remove(TaskDocs.UPDATED_AT);
            if (!(full.get(TaskDocs.INPUT) instanceof ObjectNode)) {
                throw new IllegalArgumentException("input must be an object");
            }
            TaskDocs.addDisplayName((ObjectNode) full.get(TaskDocs.INPUT));
            if (!full.path(TaskDocs.STATUS).isTextual()) {
                full.put(TaskDocs.STATUS, before);
            }
            deriveTimestamps(full, before, started, finished, now);
            commit(s, t, full, eventFor(before, TaskDocs.status(full)), now);
        }
        return render(s, t);
    }

    /**
     * Finishes a task as its worker would: terminal {@code status} (completed, failed, error or stopped),
     * {@code result}, {@code finished_at}, and tokens (except for stopped). Emits {@code task_finished}.
     */
    public ObjectNode finish(String taskId, String status, String result) {
        if (!TaskDocs.isTerminal(status)) {
            throw new IllegalArgumentException("not a terminal status: " + status);
        }
        State s = state;
        SimTask t = requireTask(s, taskId);
        synchronized (t) {
            checkLive(t);
            ObjectNode full = TaskDocs.expand(t.current.doc());
            String before = TaskDocs.status(full);
            long now = s.clock.now();
            full.put(TaskDocs.STATUS, status);
            full.put("result", result);
            full.putNull("hitl_request");
            full.putNull("pending_eca_request");
            if (full.get("started_at").isNull()) {
                full.put("started_at", SimJson.ts(now));
            }
            full.put("finished_at", SimJson.ts(now));
            if (!"stopped".equals(status)) {
                full.set("tokens", ContentGenerator.tokens(taskRandom(s, t.id, 7)));
            } else {
                full.put("is_manually_stopped", true);
            }
            commit(s, t, full, TaskDocs.isTerminal(before) ? "task_updated" : "task_finished", now);
        }
        return render(s, t);
    }

    /** Stops a task exactly like E6 (idempotent on terminal tasks). */
    public ObjectNode stop(String taskId) {
        SimTask t = requireTask(state, taskId);
        return stop(t.orgId, taskId);
    }

    /**
     * Deletes a task (only possible on the v1 facade, i.e. by another actor): afterwards GET, PATCH, DELETE and
     * activity answer 404, it leaves the lists, and its event streams are closed.
     *
     * @return false if the task did not exist
     */
    public boolean delete(String taskId) {
        State s = state;
        SimTask t = s.tasks.get(taskId);
        if (t == null) {
            return false;
        }
        synchronized (t) {
            if (t.deleted) {
                return false;
            }
            t.deleted = true;
            s.tasks.remove(taskId, t);
            unindex(s, t);
            s.tombstones.put(taskId, t);
            closeSinks(t);
        }
        return true;
    }

    /**
     * Creates a new task reusing the id of a deleted task (new {@code created_at}, fresh state). The agent is the
     * deleted task's agent. The customizer works as in {@link #createTask(String, Consumer)}.
     */
    public ObjectNode recreate(String taskId, Consumer<ObjectNode> customizer) {
        SimTask old = state.tombstones.get(taskId);
        if (old == null) {
            throw new IllegalStateException("task " + taskId + " was not deleted");
        }
        return createTask(old.agentId, r -> {
            if (customizer != null) {
                customizer.accept(r);
            }
            r.put("id", taskId);
        });
    }

    /** Appends an event (unvalidated, so malformed events can be tested) and fans it out to subscribers. */
    public void pushEvent(String taskId, String type, JsonNode data) {
        State s = state;
        SimTask t = requireTask(s, taskId);
        ObjectNode event = SimJson.object();
        event.put("type", type);
        event.put("task_id", taskId);
        event.put("organization_id", t.orgId);
        event.put("time", SimJson.ts(s.clock.now()));
        event.set("data", data == null ? NullNode.getInstance() : data);
        ArrayNode events = SimJson.array();
        events.add(event);
        appendPushed(s, t, events);
    }

    // =====================================================================================================
    // Request accounting
    // =====================================================================================================

    /** Requests received for a route (counted when the route matched, before auth and faults). */
    public long requestCount(RouteKind kind) {
        return counters.get(kind).sum();
    }

    public Map<RouteKind, Long> requestCounts() {
        EnumMap<RouteKind, Long> out = new EnumMap<>(RouteKind.class);
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** GET /status requests for one task id. */
    public long getCount(String taskId) {
        LongAdder a = getCounts.get(taskId);
        return a == null ? 0 : a.sum();
    }

    /** The last {@link SimulatorOptions#journalSize()} requests, oldest first. */
    public List<RecordedRequest> journal() {
        return journal.entries();
    }

    /** Clears counters, per-task GET counters and the journal. */
    public void resetCounters() {
        counters.values().forEach(LongAdder::reset);
        getCounts.clear();
        State s = state;
        journal = new Journal(s == null ? 1000 : s.options.journalSize());
    }

    /** Counts a matched request (called by the HTTP layer). */
    void countRequest(RouteKind kind, String target) {
        counters.get(kind).increment();
        if (kind == RouteKind.GET && target != null) {
            getCounts.computeIfAbsent(target, k -> new LongAdder()).increment();
        }
    }

    /** Adds a journal entry (called by the HTTP layer once the answer is known). */
    void record(RouteKind kind, String method, String path, String query, Map<String, String> headers, String body,
            String target, int status) {
        journal.add(kind, method, path, query, headers, body, target, status);
    }

    // =====================================================================================================
    // Faults
    // =====================================================================================================

    /** Queues a fault; faults are matched in queue order. */
    public void enqueueFault(Fault fault) {
        synchronized (faults) {
            faults.add(new FaultSlot(fault));
            faultCount = faults.size();
        }
    }

    public void enqueueFaults(Fault... list) {
        for (Fault f : list) {
            enqueueFault(f);
        }
    }

    /** Faults still queued, with {@code times} = remaining uses. */
    public List<Fault> pendingFaults() {
        synchronized (faults) {
            List<Fault> out = new ArrayList<>();
            for (FaultSlot slot : faults) {
                Fault f = slot.fault;
                out.add(new Fault(f.kind(), f.target(), slot.remaining, f.delay(), f.action(), f.status(),
                        f.retryAfter(), f.body(), f.count(), f.ids(), f.afterApply()));
            }
            return out;
        }
    }

    public void clearFaults() {
        synchronized (faults) {
            faults.clear();
            faultCount = 0;
        }
    }

    /**
     * Takes one use of the first queued fault matching the request (called by the HTTP layer; public so other
     * transports can reuse the fault script).
     */
    public Optional<Fault> takeFault(RouteKind kind, String target) {
        if (faultCount == 0) {
            return Optional.empty();
        }
        synchronized (faults) {
            Iterator<FaultSlot> it = faults.iterator();
            while (it.hasNext()) {
                FaultSlot slot = it.next();
                if (slot.fault.matches(kind, target)) {
                    if (--slot.remaining <= 0) {
                        it.remove();
                        faultCount = faults.size();
                    }
                    return Optional.of(slot.fault);
                }
            }
        }
        return Optional.empty();
    }

    private static final class FaultSlot {
        final Fault fault;
        int remaining;

        FaultSlot(Fault fault) {
            this.fault = fault;
            this.remaining = fault.times();
        }
    }

    // =====================================================================================================
    // API operations (used by the HTTP layer; orgId is the caller's organization from the API key)
    // =====================================================================================================

    /** E1: create a task, or continue the thread when {@code id} names an existing task of the same agent. */
    ObjectNode createFromHttp(String orgId, String agentId, String bodyText, String agentVersion) {
        ObjectNode normalized = Validation.normalizeCreate(Validation.parseObject(bodyText));
        State s = state;
        checkAgent(s, orgId, agentId);
        return render(s, create(s, orgId, agentId, normalized, agentVersion));
    }

    /** E2 body (the current version, or the previous one for a stale-read fault). */
    byte[] getTaskBytes(String orgId, String taskId, boolean stale) {
        State s = state;
        SimTask t = find(s, orgId, taskId);
        Version v = t.current;
        if (stale) {
            synchronized (t) {
                if (t.previous != null) {
                    v = t.previous;
                }
            }
        }
        return TaskDocs.taskBytes(v.doc(), s.options.includeUpdatedAtInTask() ? SimJson.ts(v.updatedMicros()) : null);
    }

    /** List filters of E3/E4 (null = absent). */
    record Filters(String userId, String parentTaskId, String triggeringAgentId, String status, String internalStatus) {
        boolean accepts(ObjectNode doc) {
            return (userId == null || userId.equals(TaskDocs.userId(doc)))
                    && (parentTaskId == null || parentTaskId.equals(TaskDocs.text(doc, "parent_execution")))
                    && (triggeringAgentId == null || triggeringAgentId.equals(TaskDocs.text(doc, "triggering_agent_id")))
                    && (status == null || status.equals(TaskDocs.status(doc)))
                    && (internalStatus == null || internalStatus.equals(TaskDocs.text(doc, "internal_status")));
        }
    }

    /** E3 body. */
    byte[] listAgentBytes(String orgId, String agentId, Filters filters, Fault fault) {
        Validation.validateStatusQuery(filters.status());
        State s = state;
        String owner = s.agentOrg.get(agentId);
        if (owner == null && s.options.autoRegisterAgents()) {
            registerAgent(orgId, agentId);
            owner = orgId;
        }
        if (owner == null || !owner.equals(orgId)) {
            throw ApiException.notFound("Agent not found");
        }
        return listBytes(s, s.byAgent.get(agentId), orgId, filters, fault);
    }

    /** E4 body. */
    byte[] listUserBytes(String orgId, String userId, Filters filters, Fault fault) {
        Validation.validateStatusQuery(filters.status());
        State s = state;
        return listBytes(s, s.byUser.get(userKey(orgId, userId)), orgId, filters, fault);
    }

    private byte[] listBytes(State s, NavigableSet<SimTask> index, String orgId, Filters filters, Fault fault) {
        List<SimTask> tasks = new ArrayList<>();
        List<Version> versions = new ArrayList<>();
        if (index != null) {
            int cap = s.options.listCap();
            for (SimTask t : index) {
                if (t.deleted || !t.orgId.equals(orgId)) {
                    continue;
                }
                Version v = t.current;
                if (!filters.accepts(v.doc())) {
                    continue;
                }
                tasks.add(t);
                versions.add(v);
                if (cap > 0 && tasks.size() >= cap) {
                    break;
                }
            }
        }
        if (fault != null) {
            applyListFault(fault, tasks, versions);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, versions.size() * 420));
        try (JsonGenerator g = SimJson.generator(out)) {
            g.writeStartArray();
            for (Version v : versions) {
                TaskDocs.writeListItem(g, v.doc(), SimJson.ts(v.updatedMicros()));
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void applyListFault(Fault fault, List<SimTask> tasks, List<Version> versions) {
        int n = tasks.size();
        if (n == 0) {
            return;
        }
        switch (fault.action()) {
            case OMIT -> {
                Set<Integer> drop = new LinkedHashSet<>();
                if (!fault.ids().isEmpty()) {
                    for (int i = 0; i < n; i++) {
                        if (fault.ids().contains(tasks.get(i).id)) {
                            drop.add(i);
                        }
                    }
                } else {
                    int count = Math.min(n, fault.count());
                    for (int j = 0; j < count; j++) {
                        drop.add((int) (((long) (2 * j + 1) * n) / (2L * count)));
                    }
                }
                for (int i = n - 1; i >= 0; i--) {
                    if (drop.contains(i)) {
                        tasks.remove(i);
                        versions.remove(i);
                    }
                }
            }
            case DUPLICATE -> {
                int at = fault.ids().isEmpty() ? 0 : indexOf(tasks, fault.ids());
                if (at >= 0) {
                    tasks.add(at + 1, tasks.get(at));
                    versions.add(at + 1, versions.get(at));
                }
            }
            case STALE -> {
                for (int i = 0; i < n; i++) {
                    SimTask t = tasks.get(i);
                    if (!fault.ids().isEmpty() && !fault.ids().contains(t.id)) {
                        continue;
                    }
                    Version prev;
                    synchronized (t) {
                        prev = t.previous;
                    }
                    if (prev != null) {
                        versions.set(i, prev);
                        break;
                    }
                }
            }
            default -> {
            }
        }
    }

    private static int indexOf(List<SimTask> tasks, Set<String> ids) {
        for (int i = 0; i < tasks.size(); i++) {
            if (ids.contains(tasks.get(i).id)) {
                return i;
            }
        }
        return -1;
    }

    /** E5. */
    ObjectNode update(String orgId, String taskId, String bodyText) {
        ObjectNode changes = Validation.normalizePatch(Validation.parseObject(bodyText));
        return update(orgId, taskId, changes);
    }

    /**
     * E5 with an already parsed body (merge semantics of §5.5). Public for tests that want PATCH behaviour without
     * HTTP.
     */
    public ObjectNode patch(String taskId, ObjectNode body) {
        SimTask t = requireTask(state, taskId);
        return update(t.orgId, taskId, Validation.normalizePatch(body));
    }

    private ObjectNode update(String orgId, String taskId, ObjectNode changes) {
        State s = state;
        SimTask t = find(s, orgId, taskId);
        synchronized (t) {
            checkLive(t);
            ObjectNode full = TaskDocs.expand(t.current.doc());
            String before = TaskDocs.status(full);
            Long started = micros(full, "started_at");
            Long finished = micros(full, "finished_at");
            long now = s.clock.now();
            changes.properties().forEach(e -> full.set(e.getKey(), e.getValue().deepCopy()));
            deriveTimestamps(full, before, started, finished, now);
            commit(s, t, full, eventFor(before, TaskDocs.status(full)), now);
        }
        return render(s, t);
    }

    /** E6: stop. Terminal tasks are returned unchanged. */
    ObjectNode stop(String orgId, String taskId) {
        State s = state;
        SimTask t = find(s, orgId, taskId);
        synchronized (t) {
            checkLive(t);
            if (!TaskDocs.isTerminal(t.status())) {
                long now = s.clock.now();
                ObjectNode full = TaskDocs.expand(t.current.doc());
                full.put(TaskDocs.STATUS, "stopped");
                full.put("is_manually_stopped", true);
                if (full.get("finished_at").isNull()) {
                    full.put("finished_at", SimJson.ts(now));
                }
                commit(s, t, full, "task_finished", now);
            }
        }
        return render(s, t);
    }

    /**
     * E7: subscribes to a task's event stream: the current turn's log is replayed to the sink, then live events
     * follow; the sink is closed after {@code task_finished} (immediately after the replay if the task is
     * already terminal).
     *
     * @return an action that unsubscribes the sink (call it when the connection closes)
     */
    Runnable subscribe(String orgId, String taskId, EventSink sink) {
        State s = state;
        SimTask t = find(s, orgId, taskId);
        synchronized (t) {
            checkLive(t);
            if (!TaskDocs.eventsStreaming(t.current.doc())) {
                throw ApiException.detail(400, "Event streaming is not enabled for this task");
            }
            ensureLog(s, t);
            for (String frame : t.events) {
                sink.send(frame);
            }
            if (TaskDocs.isTerminal(t.status())) {
                sink.close();
                return () -> { };
            }
            t.sinks.add(sink);
        }
        return () -> {
            synchronized (t) {
                t.sinks.remove(sink);
            }
        };
    }

    /** E8: push events (JSON array of TaskUpdateEvent envelopes). */
    void push(String orgId, String taskId, String bodyText) {
        ArrayNode events = Validation.parseArray(bodyText);
        Validation.validateEvents(events);
        State s = state;
        SimTask t = find(s, orgId, taskId);
        for (JsonNode e : events) {
            ObjectNode event = (ObjectNode) e;
            if (!event.hasNonNull("task_id")) {
                event.put("task_id", taskId);
            }
            if (!event.hasNonNull("organization_id")) {
                event.put("organization_id", t.orgId);
            }
            if (!event.hasNonNull("time")) {
                event.put("time", SimJson.ts(s.clock.now()));
            }
            if (!event.has("data")) {
                event.putNull("data");
            }
        }
        appendPushed(s, t, events);
    }

    private void appendPushed(State s, SimTask t, ArrayNode events) {
        synchronized (t) {
            checkLive(t);
            ensureLog(s, t);
            boolean taskEvent = false;
            boolean finished = false;
            for (JsonNode e : events) {
                String type = e.path("type").asText("");
                taskEvent |= type.startsWith("task");
                finished |= type.equals("task_finished");
                appendFrame(t, "data: " + SimJson.text(e) + "\n\n");
            }
            if (taskEvent) {
                publish(s, t, t.current.doc(), s.clock.now());
            }
            if (finished) {
                closeSinks(t);
            }
        }
    }

    /** E9: the activity thread of a task; 404 unless the task belongs to the agent. */
    ObjectNode activity(String orgId, String agentId, String taskId) {
        State s = state;
        SimTask t = find(s, orgId, taskId);
        if (!t.agentId.equals(agentId)) {
            throw ApiException.taskNotFound();
        }
        Version v = t.current;
        List<String> frames;
        int turn;
        synchronized (t) {
            frames = t.events == null ? List.of() : List.copyOf(t.events);
            turn = t.turn;
        }
        return Activity.thread(s.options.seed(), t, v, turn, frames, s.clock.now(), plan(s, t.id, turn));
    }

    /** E10: report an externally executed task. */
    ObjectNode report(String orgId, String agentId, String bodyText) {
        ObjectNode req = Validation.normalizeReport(Validation.parseObject(bodyText));
        State s = state;
        checkAgent(s, orgId, agentId);
        String id = req.hasNonNull("id") && !req.get("id").asText().isBlank() ? req.get("id").asText() : newId(s);
        long now = s.clock.now();
        long durationMicros = Math.max(0, Math.round(req.get("duration").asDouble() * 1_000_000));
        boolean success = req.get("is_success").asBoolean(true);
        synchronized (stripe(id)) {
            SimTask existing = s.tasks.get(id);
            if (existing != null && (!existing.agentId.equals(agentId) || !existing.orgId.equals(orgId))) {
                throw ApiException.detail(s.options.crossAgentIdStatus(), "Task " + id + " belongs to another agent");
            }
            ObjectNode full = existing != null ? TaskDocs.expand(existing.current.doc())
                    : TaskDocs.blank(id, agentId, orgId, SimJson.ts(now - durationMicros));
            String before = TaskDocs.status(full);
            ObjectNode input = full.get(TaskDocs.INPUT) instanceof ObjectNode in ? in : SimJson.object();
            ObjectNode newInput = SimJson.object();
            newInput.set("text", req.hasNonNull("input") ? req.get("input") : TextNode.valueOf(""));
            newInput.set("files", input.has("files") ? input.get("files") : SimJson.array());
            newInput.set("user", input.has("user") ? input.get("user") : NullNode.getInstance());
            full.set(TaskDocs.INPUT, newInput);
            full.put(TaskDocs.STATUS, success ? "completed" : "failed");
            full.set("result", req.has("result") ? req.get("result") : NullNode.getInstance());
            full.set("tokens", req.has("tokens") ? req.get("tokens") : NullNode.getInstance());
            full.set("used_tools", req.get("used_tools"));
            full.set("duration", req.get("duration"));
            full.put("source", "sdk");
            full.put("started_at", SimJson.ts(now - durationMicros));
            full.put("finished_at", SimJson.ts(now));
            SimTask t;
            if (existing == null) {
                s.tombstones.remove(id);
                t = new SimTask(id, agentId, orgId, now - durationMicros, TaskDocs.compact(full), now, false);
                synchronized (t) {
                    index(s, t);
                    s.tasks.put(id, t);
                }
                s.addToOrder(t);
            } else {
                t = existing;
                synchronized (t) {
                    checkLive(t);
                    commit(s, t, full, TaskDocs.isTerminal(before) ? "task_updated" : "task_finished", now);
                }
            }
            return render(s, t);
        }
    }

    /** E11: record an execution metrics report. */
    void metrics(String bodyText) {
        ObjectNode body = Validation.parseObject(bodyText);
        synchronized (metrics) {
            metrics.add(body);
            if (metrics.size() > METRICS_KEPT) {
                metrics.remove(0);
            }
        }
    }

    /** Organization of an API key, or null. */
    String orgForKey(String apiKey) {
        return apiKey == null ? null : state.apiKeys.get(apiKey);
    }

    // =====================================================================================================
    // Core mutations
    // =====================================================================================================

    private SimTask create(State s, String orgId, String agentId, ObjectNode req, String agentVersion) {
        String id = req.hasNonNull("id") ? req.get("id").asText() : newId(s);
        SimTask t;
        boolean created;
        synchronized (stripe(id)) {
            SimTask existing = s.tasks.get(id);
            if (existing != null) {
                if (!existing.agentId.equals(agentId) || !existing.orgId.equals(orgId)) {
                    throw ApiException.detail(s.options.crossAgentIdStatus(),
                            "Task " + id + " belongs to another agent");
                }
                continueThread(s, existing, req, agentVersion);
                return existing;
            }
            long now = s.clock.now();
            ObjectNode full = TaskDocs.blank(id, agentId, orgId, SimJson.ts(now));
            applyCreateKeys(full, req);
            full.set("parent_execution", req.has("parent_execution_id") ? req.get("parent_execution_id")
                    : NullNode.getInstance());
            full.put("agent_version", agentVersion);
            s.tombstones.remove(id);
            t = new SimTask(id, agentId, orgId, now, TaskDocs.compact(full), now, false);
            synchronized (t) {
                index(s, t);
                s.tasks.put(id, t);
                if (TaskDocs.eventsStreaming(t.current.doc())) {
                    t.events = new ArrayList<>();
                    appendTaskEvent(s, t, "task_created", now);
                }
            }
            s.addToOrder(t);
            created = true;
        }
        if (created) {
            linkParent(s, t);
            if (s.options.driveCreatedTasks()) {
                schedule(s, t, 0, Step.Kind.START, s.clock.now() + plan(s, t.id, 0).pending());
            }
        }
        return t;
    }

    private static final List<String> CREATE_TO_TASK = List.of("payload_extension", "source", "worker_id",
            "output_format", "output_schema", "events_streaming", "additional_context", "instructions_override",
            "test_run_node_id", "user_oidc_token", "expected_output", "mcp_servers", "triggering_agent_id", "title",
            "think_mode", "disable_attachment_injection", "user_tokens", "return_metrics", "llm_model_provider",
            "llm_model_name", "llm_reasoning_effort", "voice_id");

    private static void applyCreateKeys(ObjectNode full, ObjectNode req) {
        full.set(TaskDocs.INPUT, req.get("input"));
        for (String key : CREATE_TO_TASK) {
            if (req.has(key)) {
                full.set(key, req.get(key));
            }
        }
    }

    /** Continuation of a thread (§5.2, GUESS G7): latest turn replaces input and create keys, state resets. */
    private void continueThread(State s, SimTask t, ObjectNode req, String agentVersion) {
        synchronized (t) {
            checkLive(t);
            ObjectNode full = TaskDocs.expand(t.current.doc());
            JsonNode oldTitle = full.get("title");
            applyCreateKeys(full, req);
            if (!req.hasNonNull("title")) {
                full.set("title", oldTitle);
            }
            if (req.has("parent_execution_id")) {
                full.set("parent_execution", req.get("parent_execution_id"));
            }
            full.put("agent_version", agentVersion);
            full.put(TaskDocs.STATUS, "pending");
            for (String f : List.of("result", "started_at", "paused_at", "finished_at", "tokens", "hitl_request",
                    "pending_eca_request")) {
                full.putNull(f);
            }
            full.put("is_manually_stopped", false);
            full.putArray("used_tools");
            full.put("duration", 0.0);
            long now = s.clock.now();
            t.turn++;
            boolean streaming = TaskDocs.eventsStreaming(full);
            t.events = streaming ? new ArrayList<>() : null;
            publish(s, t, TaskDocs.compact(full), now);
            if (streaming) {
                appendTaskEvent(s, t, "task_created", now);
            }
            if (s.options.driveCreatedTasks()) {
                schedule(s, t, t.turn, Step.Kind.START, now + plan(s, t.id, t.turn).pending());
            }
        }
    }

    private void linkParent(State s, SimTask child) {
        String parentId = TaskDocs.text(child.current.doc(), "parent_execution");
        if (parentId == null) {
            return;
        }
        SimTask parent = s.tasks.get(parentId);
        if (parent == null || !parent.orgId.equals(child.orgId)) {
            return;
        }
        synchronized (parent) {
            if (parent.deleted) {
                return;
            }
            ObjectNode full = TaskDocs.expand(parent.current.doc());
            ArrayNode subs = full.get("sub_executions") instanceof ArrayNode a ? a : full.putArray("sub_executions");
            for (JsonNode n : subs) {
                if (child.id.equals(n.asText())) {
                    return;
                }
            }
            subs.add(child.id);
            commit(s, parent, full, "task_updated", s.clock.now());
        }
    }

    /** Timestamp derivations on status changes (§5.5 GUESS): caller holds the task lock. */
    private static void deriveTimestamps(ObjectNode full, String before, Long startedBefore, Long finishedBefore,
            long now) {
        String after = TaskDocs.status(full);
        boolean changed = !after.equals(before);
        if ("executing".equals(after) && full.get("started_at").isNull()) {
            full.put("started_at", SimJson.ts(!changed && startedBefore != null ? startedBefore : now));
        }
        if ("paused".equals(after) && changed) {
            full.put("paused_at", SimJson.ts(now));
        }
        if (TaskDocs.isTerminal(after) && full.get("finished_at").isNull()) {
            boolean keep = !changed || TaskDocs.isTerminal(before);
            full.put("finished_at", SimJson.ts(keep && finishedBefore != null ? finishedBefore : now));
        }
    }

    private static String eventFor(String before, String after) {
        return TaskDocs.isTerminal(after) && !TaskDocs.isTerminal(before) ? "task_finished" : "task_updated";
    }

    /**
     * Publishes a new full document (caller holds the task lock): the event log is materialized first (so a
     * lazily synthesized history reflects the state before this change), then the version is swapped,
     * {@code updated_at} bumped, indexes updated and the task event appended.
     */
    private void commit(State s, SimTask t, ObjectNode full, String eventType, long now) {
        boolean streaming = TaskDocs.eventsStreaming(full);
        if (streaming) {
            ensureLog(s, t);
        }
        publish(s, t, TaskDocs.compact(full), now);
        if (streaming && eventType != null) {
            appendTaskEvent(s, t, eventType, now);
        }
    }

    /** Swaps the version; {@code updated_at} strictly increases per task. Caller holds the task lock. */
    private void publish(State s, SimTask t, ObjectNode sparse, long now) {
        Version cur = t.current;
        long updated = Math.max(now, cur.updatedMicros() + 1);
        t.previous = cur;
        t.current = new Version(sparse, updated);
        String user = TaskDocs.userId(sparse);
        if (!java.util.Objects.equals(user, t.indexedUser)) {
            if (t.indexedUser != null) {
                NavigableSet<SimTask> old = s.byUser.get(userKey(t.orgId, t.indexedUser));
                if (old != null) {
                    old.remove(t);
                }
            }
            if (user != null) {
                s.byUser.computeIfAbsent(userKey(t.orgId, user), k -> new ConcurrentSkipListSet<>(SimTask.NEWEST_FIRST))
                        .add(t);
            }
            t.indexedUser = user;
        }
    }

    private static void index(State s, SimTask t) {
        s.byAgent.computeIfAbsent(t.agentId, k -> new ConcurrentSkipListSet<>(SimTask.NEWEST_FIRST)).add(t);
        String user = TaskDocs.userId(t.current.doc());
        if (user != null) {
            s.byUser.computeIfAbsent(userKey(t.orgId, user), k -> new ConcurrentSkipListSet<>(SimTask.NEWEST_FIRST))
                    .add(t);
        }
        t.indexedUser = user;
    }

    private static void unindex(State s, SimTask t) {
        NavigableSet<SimTask> a = s.byAgent.get(t.agentId);
        if (a != null) {
            a.remove(t);
        }
        if (t.indexedUser != null) {
            NavigableSet<SimTask> u = s.byUser.get(userKey(t.orgId, t.indexedUser));
            if (u != null) {
                u.remove(t);
            }
        }
    }

    private static String userKey(String orgId, String userId) {
        return orgId + '\n' + userId;
    }

    // =====================================================================================================
    // Events
    // =====================================================================================================

    /** Creates the event log if missing, synthesizing the history of a task that had none. Caller holds lock. */
    private void ensureLog(State s, SimTask t) {
        if (t.events != null) {
            return;
        }
        t.events = new ArrayList<>();
        ObjectNode doc = t.current.doc();
        ObjectNode pending = TaskDocs.expand(doc);
        pending.put(TaskDocs.STATUS, "pending");
        for (String f : List.of("started_at", "paused_at", "finished_at", "result", "tokens", "worker_id")) {
            pending.putNull(f);
        }
        pending.put("is_manually_stopped", false);
        t.events.add(frame("task_created", t, TaskDocs.compact(pending), null, s.options.includeUpdatedAtInTask(),
                t.createdMicros));
        String status = TaskDocs.status(doc);
        Long started = micros(doc, "started_at");
        if (started != null && !"pending".equals(status)) {
            ObjectNode executing = TaskDocs.expand(doc);
            executing.put(TaskDocs.STATUS, "executing");
            for (String f : List.of("paused_at", "finished_at", "result", "tokens")) {
                executing.putNull(f);
            }
            executing.put("is_manually_stopped", false);
            t.events.add(frame("task_updated", t, TaskDocs.compact(executing), null,
                    s.options.includeUpdatedAtInTask(), started));
        }
        long at = t.current.updatedMicros();
        boolean withUpdated = s.options.includeUpdatedAtInTask();
        if (TaskDocs.isTerminal(status)) {
            Long finished = micros(doc, "finished_at");
            long time = finished != null ? finished : at;
            String result = TaskDocs.text(doc, "result");
            if ("completed".equals(status) && result != null) {
                for (String chunk : ContentGenerator.chunks(result)) {
                    t.events.add(frame("chunk", t, null, TextNode.valueOf(chunk), false, time));
                }
            }
            t.events.add(frame("task_finished", t, doc, null, withUpdated, time, at));
        } else if ("paused".equals(status)) {
            Long paused = micros(doc, "paused_at");
            t.events.add(frame("task_updated", t, doc, null, withUpdated, paused != null ? paused : at, at));
        }
    }

    /** Appends a task event carrying the current Task; closes subscribers after task_finished. Caller holds lock. */
    private void appendTaskEvent(State s, SimTask t, String type, long now) {
        Version v = t.current;
        appendFrame(t, frame(type, t, v.doc(), null, s.options.includeUpdatedAtInTask(), now,
                v.updatedMicros()));
        if ("task_finished".equals(type)) {
            closeSinks(t);
        }
    }

    /** Appends a non-task event ({@code data} as given). Caller holds lock. */
    private void appendDataEvent(State s, SimTask t, String type, JsonNode data, long now) {
        ensureLog(s, t);
        appendFrame(t, frame(type, t, null, data, false, now));
    }

    private static void appendFrame(SimTask t, String frame) {
        t.events.add(frame);
        for (EventSink sink : t.sinks) {
            sink.send(frame);
        }
    }

    private static void closeSinks(SimTask t) {
        if (t.sinks.isEmpty()) {
            return;
        }
        List<EventSink> sinks = new ArrayList<>(t.sinks);
        t.sinks.clear();
        sinks.forEach(EventSink::close);
    }

    private static String frame(String type, SimTask t, ObjectNode taskDoc, JsonNode data, boolean withUpdated,
            long timeMicros) {
        return frame(type, t, taskDoc, data, withUpdated, timeMicros, timeMicros);
    }

    private static String frame(String type, SimTask t, ObjectNode taskDoc, JsonNode data, boolean withUpdated,
            long timeMicros, long updatedMicros) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(taskDoc == null ? 256 : 3072);
        try (JsonGenerator g = SimJson.generator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeStringField("task_id", t.id);
            g.writeStringField("organization_id", t.orgId);
            g.writeStringField("time", SimJson.ts(timeMicros));
            g.writeFieldName("data");
            if (taskDoc != null) {
                TaskDocs.writeTask(g, taskDoc, withUpdated ? SimJson.ts(updatedMicros) : null);
            } else {
                g.writeTree(data == null ? NullNode.getInstance() : data);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data: " + out.toString(java.nio.charset.StandardCharsets.UTF_8) + "\n\n";
    }

    static JsonNode parseFrame(String frame) {
        String text = frame.startsWith("data: ") ? frame.substring(6).trim() : frame.trim();
        try {
            return SimJson.MAPPER.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    // =====================================================================================================
    // Lifecycle engine
    // =====================================================================================================

    /** A scheduled step. Task steps carry the turn they were planned for; stale turns are ignored. */
    record Step(long due, long seq, Kind kind, SimTask task, int turn) implements Comparable<Step> {
        enum Kind { START, PROGRESS, RESUME, FINISH, ARRIVAL, EDIT }

        @Override
        public int compareTo(Step o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** Per task and turn: the simulated worker's plan, derived from the seed (durations in microseconds). */
    record Plan(long pending, long firstHalf, long secondHalf, boolean pause, long pauseLength, String outcome,
            String tool, boolean toolError, boolean authEvent, double confidence, boolean hitl, String connector,
            String llmProvider, String llmModel) {
    }

    private static final String[][] MODELS = {{"openai", "gpt-4.1"}, {"openai", "gpt-4o-mini"},
            {"anthropic", "claude-sonnet-4"}, {"google", "gemini-2.5-pro"}};
    private static final String[] CONNECTORS = {"Salesforce", "Google Drive", "HubSpot", "Jira"};

    private static Plan plan(State s, String taskId, int turn) {
        SimulatorOptions o = s.options;
        SplittableRandom r = taskRandom(s, taskId, 1000 + turn);
        long exec = draw(r, o.executionTime());
        long pending = draw(r, o.pendingTime());
        boolean pause = r.nextDouble() < o.pauseProbability();
        long pauseLength = draw(r, o.pauseTime());
        int roll = r.nextInt(100);
        String outcome = roll < 84 ? "completed" : roll < 92 ? "error" : "failed";
        String tool = r.nextInt(10) < 6 ? ContentGenerator.toolName(r) : null;
        boolean toolError = tool != null && "error".equals(outcome) && r.nextBoolean();
        boolean auth = r.nextInt(10) == 0;
        double confidence = Math.round((0.5 + r.nextDouble() * 0.49) * 100) / 100.0;
        long first = Math.max(1, exec / 3);
        boolean hitl = r.nextBoolean();
        String connector = CONNECTORS[r.nextInt(CONNECTORS.length)];
        String[] model = r.nextBoolean() ? MODELS[r.nextInt(MODELS.length)] : null;
        return new Plan(Math.max(1, pending), first, Math.max(1, exec - first), pause, Math.max(1, pauseLength),
                outcome, tool, toolError, auth, confidence, hitl, connector, model == null ? null : model[0],
                model == null ? null : model[1]);
    }

    /** A paused task waits for a workflow wait node (HITL) or for an end-user connector authorization (ECA). */
    private static void markPaused(ObjectNode full, String taskId, Plan plan) {
        String suffix = Integer.toHexString(taskId.hashCode() & 0xfffff);
        if (plan.hitl()) {
            full.putObject("hitl_request").put("wait_node_id", "wait-node-" + suffix);
        } else {
            full.putObject("pending_eca_request").put("connector_name", plan.connector())
                    .put("auth_url", "https://auth.example.com/eca/" + suffix);
        }
    }

    /** Effective model snapshot taken when execution starts (only for some tasks). */
    private static void snapshotModel(ObjectNode full, Plan plan) {
        if (plan.llmProvider() != null && !full.hasNonNull("llm_model_provider")
                && !full.hasNonNull("llm_model_name")) {
            full.put("llm_model_provider", plan.llmProvider());
            full.put("llm_model_name", plan.llmModel());
        }
    }

    private static long draw(SplittableRandom r, SimulatorOptions.Span span) {
        long min = span.min().toNanos() / 1_000;
        long max = span.max().toNanos() / 1_000;
        return max <= min ? min : min + (long) (r.nextDouble() * (max - min));
    }

    static SplittableRandom taskRandom(State s, String taskId, int salt) {
        long h = s.options.seed() * 0x9E3779B97F4A7C15L + salt * 0xC2B2AE3D27D4EB4FL;
        for (int i = 0; i < taskId.length(); i++) {
            h = (h ^ taskId.charAt(i)) * 0x100000001B3L;
        }
        return new SplittableRandom(h);
    }

    private static void schedule(State s, SimTask t, int turn, Step.Kind kind, long due) {
        synchronized (s.schedule) {
            s.schedule.add(new Step(due, s.stepSeq.incrementAndGet(), kind, t, turn));
        }
    }

    private int runDue(State s, long until, boolean moveClock) {
        int ran = 0;
        while (true) {
            Step step;
            synchronized (s.schedule) {
                Step head = s.schedule.peek();
                if (head == null || head.due() > until) {
                    break;
                }
                step = s.schedule.poll();
            }
            if (moveClock) {
                s.clock.setAtLeast(step.due());
            }
            run(s, step);
            ran++;
        }
        return ran;
    }

    private void run(State s, Step step) {
        if (step.kind() == Step.Kind.ARRIVAL) {
            arrival(s);
            return;
        }
        if (step.kind() == Step.Kind.EDIT) {
            remoteEdit(s);
            return;
        }
        SimTask t = step.task();
        synchronized (t) {
            if (t.deleted || t.turn != step.turn() || s.tasks.get(t.id) != t) {
                return;
            }
            String status = t.status();
            if (TaskDocs.isTerminal(status)) {
                return;
            }
            Plan plan = plan(s, t.id, step.turn());
            long now = s.clock.now();
            switch (step.kind()) {
                case START -> {
                    if ("pending".equals(status)) {
                        ObjectNode full = TaskDocs.expand(t.current.doc());
                        full.put(TaskDocs.STATUS, "executing");
                        if (full.get("started_at").isNull()) {
                            full.put("started_at", SimJson.ts(now));
                        }
                        if (full.get("worker_id").isNull()) {
                            full.put("worker_id", s.workerOf(t.agentId));
                        }
                        snapshotModel(full, plan);
                        commit(s, t, full, "task_updated", now);
                    }
                    schedule(s, t, step.turn(), Step.Kind.PROGRESS, now + plan.firstHalf());
                }
                case PROGRESS -> {
                    if (TaskDocs.eventsStreaming(t.current.doc())) {
                        progressEvents(s, t, plan, now);
                    }
                    if (plan.pause() && "executing".equals(status)) {
                        ObjectNode full = TaskDocs.expand(t.current.doc());
                        full.put(TaskDocs.STATUS, "paused");
                        full.put("paused_at", SimJson.ts(now));
                        markPaused(full, t.id, plan);
                        commit(s, t, full, "task_updated", now);
                        schedule(s, t, step.turn(), Step.Kind.RESUME, now + plan.pauseLength());
                    } else {
                        schedule(s, t, step.turn(), Step.Kind.FINISH, now + plan.secondHalf());
                    }
                }
                case RESUME -> {
                    if ("paused".equals(status)) {
                        ObjectNode full = TaskDocs.expand(t.current.doc());
                        full.put(TaskDocs.STATUS, "executing");
                        full.putNull("hitl_request");
                        full.putNull("pending_eca_request");
                        commit(s, t, full, "task_updated", now);
                    }
                    schedule(s, t, step.turn(), Step.Kind.FINISH, now + plan.secondHalf());
                }
                case FINISH -> finishByWorker(s, t, plan, now);
                default -> {
                }
            }
        }
    }

    private void progressEvents(State s, SimTask t, Plan plan, long now) {
        ObjectNode doc = t.current.doc();
        String prompt = TaskDocs.text((ObjectNode) doc.get(TaskDocs.INPUT), "text");
        if (plan.authEvent()) {
            ObjectNode auth = SimJson.object();
            auth.put("type", "login_required");
            auth.putObject("data").put("url", "https://auth.example.com/login?s=" + t.id.hashCode())
                    .put("server_url", "https://mcp.example.com/mcp").put("server_name", "crm");
            appendDataEvent(s, t, "auth_event", auth, now);
        }
        if (plan.tool() != null) {
            ObjectNode request = SimJson.object();
            request.put("request_id", "req-" + Integer.toHexString(t.id.hashCode()) + "-" + t.turn);
            request.put("operation_id", plan.tool());
            request.put("tool_call_id", "call_" + Integer.toHexString((t.id + t.turn).hashCode()));
            request.putNull("graph_node_id");
            request.put("tool_name", plan.tool());
            request.set("payload", ContentGenerator.toolPayload(plan.tool(), prompt == null ? "" : prompt));
            request.putObject("reasoning").put("title", "Use " + plan.tool()).putNull("description");
            appendDataEvent(s, t, "tool_call_request", request, now);
            ObjectNode result = request.deepCopy();
            result.set("result", ContentGenerator.toolResult(taskRandom(s, t.id, 11 + t.turn), plan.tool()));
            result.put("is_error", plan.toolError());
            appendDataEvent(s, t, "tool_call_result", result, now);
        }
        ObjectNode think = SimJson.object();
        think.put("type", "think");
        think.put("title", "Plan the answer");
        think.put("confidence", plan.confidence());
        think.put("thought", "Break the request into steps and check the inputs");
        think.putNull("action");
        think.putNull("result");
        think.putNull("analysis");
        appendDataEvent(s, t, "think", think, now);
    }

    private void finishByWorker(State s, SimTask t, Plan plan, long now) {
        ObjectNode full = TaskDocs.expand(t.current.doc());
        SplittableRandom r = taskRandom(s, t.id, 2000 + t.turn);
        String outcome = plan.outcome();
        String result = switch (outcome) {
            case "completed" -> ContentGenerator.result(r, t.current.doc());
            case "error" -> ContentGenerator.errorText(r);
            default -> ContentGenerator.failureText(r);
        };
        full.put(TaskDocs.STATUS, outcome);
        full.put("result", result);
        full.putNull("hitl_request");
        full.putNull("pending_eca_request");
        if (full.get("started_at").isNull()) {
            full.put("started_at", SimJson.ts(now));
        }
        full.put("finished_at", SimJson.ts(now));
        full.set("tokens", ContentGenerator.tokens(r));
        if (plan.tool() != null) {
            full.set("used_tools", TaskDocs.stringArray(List.of(plan.tool())));
        }
        if (TaskDocs.eventsStreaming(full) && "completed".equals(outcome)) {
            for (String chunk : ContentGenerator.chunks(result)) {
                appendDataEvent(s, t, "chunk", TextNode.valueOf(chunk), now);
            }
        }
        commit(s, t, full, "task_finished", now);
    }

    private void arrival(State s) {
        List<String> agents = s.seededAgents;
        if (!agents.isEmpty()) {
            SplittableRandom r;
            String agentId;
            synchronized (s.actorRandom) {
                r = s.actorRandom.split();
                agentId = agents.get(s.actorRandom.nextInt(agents.size()));
            }
            ObjectNode request = ContentGenerator.createRequest(r, s.users, agents, agentId).deepCopy();
            JsonNode version = request.remove("agent_version");
            if (r.nextInt(20) == 0) {
                String parent = recentTask(s, r, agentId);
                if (parent != null) {
                    request.put("parent_execution_id", parent);
                    request.put("source", "task");
                }
            }
            ObjectNode normalized = Validation.normalizeCreate(request);
            create(s, s.options.organizationId(), agentId, normalized, version == null ? null : version.asText());
        }
        scheduleNext(s, Step.Kind.ARRIVAL, s.options.arrivalsPerMinute());
    }

    private static String recentTask(State s, SplittableRandom r, String agentId) {
        synchronized (s.order) {
            for (int i = s.order.size() - 1, seen = 0; i >= 0 && seen < 30; i--, seen++) {
                SimTask t = s.order.get(i);
                if (!t.deleted && t.agentId.equals(agentId) && r.nextInt(3) == 0) {
                    return t.id;
                }
            }
        }
        return null;
    }

    /** Another actor edits a task: internal_status, title, or status. */
    private void remoteEdit(State s) {
        SplittableRandom r;
        synchronized (s.actorRandom) {
            r = s.actorRandom.split();
        }
        SimTask t = null;
        synchronized (s.order) {
            int n = s.order.size();
            if (n > 0) {
                int index = r.nextInt(10) < 7 ? n - 1 - r.nextInt(Math.min(n, 50)) : r.nextInt(n);
                t = s.order.get(index);
            }
        }
        if (t != null) {
            synchronized (t) {
                if (!t.deleted && s.tasks.get(t.id) == t) {
                    ObjectNode full = TaskDocs.expand(t.current.doc());
                    String before = TaskDocs.status(full);
                    Long started = micros(full, "started_at");
                    Long finished = micros(full, "finished_at");
                    long now = s.clock.now();
                    int roll = r.nextInt(100);
                    if (roll < 45) {
                        full.put("internal_status", ContentGenerator.internalStatus(r));
                    } else if (roll < 70) {
                        full.put("title", ContentGenerator.editedTitle(r, TaskDocs.text(full, "title")));
                    } else if (!TaskDocs.isTerminal(before)) {
                        full.put(TaskDocs.STATUS, "stopped");
                        full.put("is_manually_stopped", true);
                    } else {
                        full.put(TaskDocs.STATUS, "completed".equals(before) ? "failed" : "completed");
                    }
                    deriveTimestamps(full, before, started, finished, now);
                    commit(s, t, full, eventFor(before, TaskDocs.status(full)), now);
                }
            }
        }
        scheduleNext(s, Step.Kind.EDIT, s.options.remoteEditsPerMinute());
    }

    private static void scheduleNext(State s, Step.Kind kind, double perMinute) {
        if (perMinute <= 0) {
            return;
        }
        double u;
        synchronized (s.actorRandom) {
            u = s.actorRandom.nextDouble();
        }
        long meanMicros = (long) (60_000_000d / perMinute);
        long gap = Math.max(1, (long) (-Math.log(1 - u) * meanMicros));
        schedule(s, null, 0, kind, s.clock.now() + gap);
    }

    // =====================================================================================================
    // Seeding
    // =====================================================================================================

    private void seed(State s) {
        SimulatorOptions o = s.options;
        SplittableRandom rng = new SplittableRandom(o.seed());
        s.apiKeys.put(o.apiKey(), o.organizationId());
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < o.agents(); i++) {
            String agent = ContentGenerator.uuid(rng);
            agents.add(agent);
            s.agentOrg.put(agent, o.organizationId());
            s.workers.put(agent, ContentGenerator.uuid(rng));
        }
        s.seededAgents = List.copyOf(agents);
        s.orgAgents.put(o.organizationId(), new CopyOnWriteArrayList<>(agents));
        s.users = ContentGenerator.users(rng, USER_POOL);
        s.idRandom = new SplittableRandom(rng.nextLong());
        s.actorRandom = new SplittableRandom(rng.nextLong());

        long now = s.clock.now();
        int total = o.tasks();
        int running = total == 0 ? 0 : Math.min(200, Math.max(1, total / 50));
        long history = Math.max(1, o.seedHistory().toNanos() / 1_000);
        long[] created = new long[total];
        for (int i = 0; i < total - running; i++) {
            created[i] = now - 180_000_000L - (long) (rng.nextDouble() * history);
        }
        for (int i = total - running; i < total; i++) {
            created[i] = now - 1_000L - (long) (rng.nextDouble() * 120_000_000L);
        }
        Arrays.sort(created);
        SimTask[] recent = new SimTask[32];
        for (int i = 0; i < total; i++) {
            boolean isRunning = i >= total - running;
            SplittableRandom r = rng.split();
            String agentId = agents.get(r.nextInt(agents.size()));
            SimTask parent = null;
            if (i > 0 && r.nextInt(25) == 0) {
                parent = recent[r.nextInt(Math.min(i, recent.length))];
            }
            SimTask t = seedTask(s, r, agentId, created[i], now, isRunning, parent, agents);
            recent[i % recent.length] = t;
        }
        s.interned.clear();
        scheduleNext(s, Step.Kind.ARRIVAL, o.arrivalsPerMinute());
        scheduleNext(s, Step.Kind.EDIT, o.remoteEditsPerMinute());
    }

    /** Fields with few distinct values: seeded documents share their (immutable) text nodes. */
    private static final List<String> INTERNED_FIELDS = List.of(TaskDocs.AGENT_ID, TaskDocs.ORGANIZATION_ID,
            TaskDocs.STATUS, "worker_id", "source", "output_format", "think_mode", "agent_version", "voice_id",
            "internal_status", "triggering_agent_id", "expected_output", "additional_context");

    private SimTask seedTask(State s, SplittableRandom r, String agentId, long created, long now, boolean running,
            SimTask parent, List<String> agents) {
        SimulatorOptions o = s.options;
        String id = ContentGenerator.uuid(r);
        Plan plan = plan(s, id, 0);
        ObjectNode doc = ContentGenerator.createRequest(r, s.users, agents, agentId);
        doc.put(TaskDocs.ID, id);
        doc.put(TaskDocs.AGENT_ID, agentId);
        doc.put(TaskDocs.ORGANIZATION_ID, o.organizationId());
        doc.put(TaskDocs.CREATED_AT, SimJson.ts(created));
        if (parent != null) {
            doc.put("parent_execution", parent.id);
            doc.put("triggering_agent_id", parent.agentId);
            doc.put("source", r.nextBoolean() ? "task" : "orchestration");
        }
        long updated = created;
        String status;
        if (!running) {
            int roll = r.nextInt(100);
            status = roll < 80 ? "completed" : roll < 86 ? "error" : roll < 92 ? "failed" : "stopped";
            long started = created + 200_000 + (long) (r.nextDouble() * 4_800_000);
            long finished = started + 3_000_000 + (long) (r.nextDouble() * 177_000_000);
            doc.put("started_at", SimJson.ts(started));
            if (r.nextInt(10) == 0) {
                doc.put("paused_at", SimJson.ts(started + (finished - started) / 2));
            }
            doc.put("finished_at", SimJson.ts(finished));
            doc.put("worker_id", s.workerOf(agentId));
            snapshotModel(doc, plan);
            doc.put(TaskDocs.STATUS, status);
            switch (status) {
                case "completed" -> doc.put("result", ContentGenerator.result(r, doc));
                case "error" -> doc.put("result", ContentGenerator.errorText(r));
                case "failed" -> doc.put("result", ContentGenerator.failureText(r));
                default -> doc.put("is_manually_stopped", true);
            }
            if (!"stopped".equals(status)) {
                doc.set("tokens", ContentGenerator.tokens(r));
                if (r.nextInt(3) == 0) {
                    doc.set("used_tools", TaskDocs.stringArray(List.of(ContentGenerator.toolName(r))));
                }
            }
            updated = finished;
            if (r.nextInt(8) == 0) {
                doc.put("internal_status", ContentGenerator.internalStatus(r));
                updated = Math.min(now - 1, finished + 60_000_000L + (long) (r.nextDouble() * 172_800_000_000L));
                updated = Math.max(updated, finished);
            }
        } else {
            int roll = r.nextInt(10);
            status = roll < 3 ? "pending" : roll < 8 ? "executing" : "paused";
            doc.put(TaskDocs.STATUS, status);
            if (!"pending".equals(status)) {
                long started = Math.min(now, created + (now - created) / 4);
                doc.put("started_at", SimJson.ts(started));
                doc.put("worker_id", s.workerOf(agentId));
                snapshotModel(doc, plan);
                updated = started;
                if ("paused".equals(status)) {
                    long paused = Math.min(now, started + (now - started) / 2);
                    doc.put("paused_at", SimJson.ts(paused));
                    markPaused(doc, id, plan);
                    updated = paused;
                }
            }
        }
        for (String field : INTERNED_FIELDS) {
            JsonNode v = doc.get(field);
            if (v != null && v.isTextual()) {
                doc.set(field, s.interned.computeIfAbsent(v.asText(), TextNode::valueOf));
            }
        }
        SimTask t = new SimTask(id, agentId, o.organizationId(), created, TaskDocs.compact(doc), updated, true);
        index(s, t);
        s.tasks.put(id, t);
        s.order.add(t);
        if (parent != null) {
            ObjectNode p = parent.current.doc();
            ArrayNode subs = p.get("sub_executions") instanceof ArrayNode a ? a : p.putArray("sub_executions");
            subs.add(id);
            if (TaskDocs.isTerminal(status)) {
                ArrayNode done = p.get("finished_sub_executions") instanceof ArrayNode a ? a
                        : p.putArray("finished_sub_executions");
                done.add(id);
            }
        }
        if (running) {
            switch (status) {
                case "pending" -> schedule(s, t, 0, Step.Kind.START, Math.max(now + 1, created + plan.pending()));
                case "executing" -> schedule(s, t, 0, Step.Kind.PROGRESS, now + plan.firstHalf() / 2 + 1);
                default -> schedule(s, t, 0, Step.Kind.RESUME, now + plan.pauseLength() / 2 + 1);
            }
        }
        return t;
    }

    // =====================================================================================================
    // Helpers
    // =====================================================================================================

    private ObjectNode render(State s, SimTask t) {
        Version v = t.current;
        ObjectNode doc = TaskDocs.expand(v.doc());
        if (s.options.includeUpdatedAtInTask()) {
            doc.put(TaskDocs.UPDATED_AT, SimJson.ts(v.updatedMicros()));
        }
        return doc;
    }

    private Object stripe(String id) {
        return idStripes[Math.floorMod(id.hashCode(), STRIPES)];
    }

    private static String newId(State s) {
        synchronized (s.idRandom) {
            return ContentGenerator.uuid(s.idRandom);
        }
    }

    private static SimTask find(State s, String orgId, String taskId) {
        SimTask t = s.tasks.get(taskId);
        if (t == null || t.deleted || !t.orgId.equals(orgId)) {
            throw ApiException.taskNotFound();
        }
        return t;
    }

    private static SimTask requireTask(State s, String taskId) {
        SimTask t = s.tasks.get(taskId);
        if (t == null || t.deleted) {
            throw ApiException.taskNotFound();
        }
        return t;
    }

    private static void checkLive(SimTask t) {
        if (t.deleted) {
            throw ApiException.taskNotFound();
        }
    }

    private void checkAgent(State s, String orgId, String agentId) {
        String owner = s.agentOrg.get(agentId);
        if (owner == null && s.options.autoRegisterAgents()) {
            registerAgent(orgId, agentId);
            return;
        }
        if (owner == null || !owner.equals(orgId)) {
            throw ApiException.notFound("Agent not found");
        }
    }

    private String orgOfAgent(State s, String agentId) {
        String org = s.agentOrg.get(agentId);
        if (org == null) {
            if (!s.options.autoRegisterAgents()) {
                throw ApiException.notFound("Agent not found");
            }
            registerAgent(agentId);
            return organizationId();
        }
        return org;
    }

    private static Long micros(JsonNode doc, String field) {
        JsonNode v = doc.get(field);
        return v == null || !v.isTextual() ? null : SimJson.parseMicros(v.asText());
    }

    // =====================================================================================================
    // State container, clock, journal
    // =====================================================================================================

    static final class State {
        final SimulatorOptions options;
        final SimClock clock;
        final ConcurrentHashMap<String, SimTask> tasks = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, SimTask> tombstones = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, String> apiKeys = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, String> agentOrg = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, CopyOnWriteArrayList<String>> orgAgents = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, String> workers = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, ConcurrentSkipListSet<SimTask>> byAgent = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, ConcurrentSkipListSet<SimTask>> byUser = new ConcurrentHashMap<>();
        /** Tasks in creation order, for the remote-edit actor. */
        final List<SimTask> order = new ArrayList<>();
        final PriorityQueue<Step> schedule = new PriorityQueue<>();
        final AtomicLong stepSeq = new AtomicLong();
        final ReentrantLock tickLock = new ReentrantLock();
        /** Shared text nodes used while seeding. */
        final Map<String, TextNode> interned = new java.util.HashMap<>();
        List<String> seededAgents = List.of();
        List<ObjectNode> users = List.of();
        SplittableRandom idRandom;
        SplittableRandom actorRandom;
        volatile boolean lifecycleEnabled = true;

        State(SimulatorOptions options) {
            this.options = options;
            this.clock = new SimClock(options.manualClock(), SimJson.micros(options.startTime()));
        }

        String workerOf(String agentId) {
            return workers.computeIfAbsent(agentId, k -> java.util.UUID.nameUUIDFromBytes(k.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)).toString());
        }

        void addToOrder(SimTask t) {
            synchronized (order) {
                order.add(t);
            }
        }

        void closeAllStreams() {
            for (SimTask t : tasks.values()) {
                synchronized (t) {
                    closeSinks(t);
                }
            }
        }
    }

    /** Manual or real-time clock in epoch microseconds. */
    static final class SimClock {
        private final boolean manual;
        private final AtomicLong manualMicros;
        private volatile long offsetMicros;

        SimClock(boolean manual, long startMicros) {
            this.manual = manual;
            this.manualMicros = new AtomicLong(startMicros);
        }

        long now() {
            return manual ? manualMicros.get() : SimJson.micros(Instant.now()) + offsetMicros;
        }

        /** Moves the clock forward to the given time (no-op if it is already later). */
        synchronized void setAtLeast(long micros) {
            if (manual) {
                manualMicros.accumulateAndGet(micros, Math::max);
            } else {
                long now = now();
                if (micros > now) {
                    offsetMicros += micros - now;
                }
            }
        }
    }

    /** Lock-free ring of the last N requests. */
    private static final class Journal {
        private final AtomicReferenceArray<RecordedRequest> ring;
        private final AtomicLong seq = new AtomicLong();

        Journal(int size) {
            ring = size > 0 ? new AtomicReferenceArray<>(size) : null;
        }

        void add(RouteKind kind, String method, String path, String query, Map<String, String> headers, String body,
                String target, int status) {
            if (ring == null) {
                return;
            }
            long n = seq.incrementAndGet();
            ring.set((int) ((n - 1) % ring.length()), new RecordedRequest(n, Instant.now(), kind, method, path, query,
                    headers, body, target, status));
        }

        List<RecordedRequest> entries() {
            List<RecordedRequest> out = new ArrayList<>();
            if (ring == null) {
                return out;
            }
            for (int i = 0; i < ring.length(); i++) {
                RecordedRequest r = ring.get(i);
                if (r != null) {
                    out.add(r);
                }
            }
            out.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
            return out;
        }
    }
}
