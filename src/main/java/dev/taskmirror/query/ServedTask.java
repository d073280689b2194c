package dev.taskmirror.query;

import dev.taskmirror.common.RawJson;
import dev.taskmirror.task.TaskStatus;

/** A task as served: its JSON, the version its ETag derives from, its served status, whether it is a tombstone. */
public record ServedTask(String id, long version, RawJson json, String status, boolean deleted) {

    public String etag() {
        return "\"v" + version + "\"";
    }

    public boolean terminal() {
        return TaskStatus.isTerminal(status);
    }
}
