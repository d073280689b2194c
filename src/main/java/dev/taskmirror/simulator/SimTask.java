package dev.taskmirror.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * State of one task: its current and previous published version, its event log and live subscribers.
 * Identity fields and {@link #createdMicros} never change (a re-created id gets a new instance). Mutations happen
 * while holding the instance's monitor; readers use {@link #current} without locking.
 */
final class SimTask {

    /** Newest first by {@code created_at}, then by id (the list order of E3/E4). */
    static final Comparator<SimTask> NEWEST_FIRST = (a, b) -> {
        int c = Long.compare(b.createdMicros, a.createdMicros);
        return c != 0 ? c : a.id.compareTo(b.id);
    };

    /** An immutable published state: sparse Task document and its {@code updated_at}. */
    record Version(ObjectNode doc, long updatedMicros) {
    }

    final String id;
    final String agentId;
    final String orgId;
    final long createdMicros;
    final boolean seeded;

    volatile Version current;
    /** The version before the latest change (for stale-read faults); guarded by this. */
    Version previous;
    /** Thread/turn counter: incremented by each continuation; guarded by this. */
    int turn;
    volatile boolean deleted;
    /** SSE frames of the current turn, created lazily; guarded by this. */
    List<String> events;
    /** Live event-stream subscribers; guarded by this. */
    final List<EventSink> sinks = new ArrayList<>(0);
    /** User id under which the task is indexed; guarded by this. */
    String indexedUser;

    SimTask(String id, String agentId, String orgId, long createdMicros, ObjectNode doc, long updatedMicros,
            boolean seeded) {
        this.id = id;
        this.agentId = agentId;
        this.orgId = orgId;
        this.createdMicros = createdMicros;
        this.seeded = seeded;
        this.current = new Version(doc, updatedMicros);
    }

    ObjectNode doc() {
        return current.doc();
    }

    String status() {
        return TaskDocs.status(current.doc());
    }
}
