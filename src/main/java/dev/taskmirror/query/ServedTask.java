package dev.taskmirror.query;

import dev.taskmirror.common.RawJson;

/** A task as served: its JSON and the version its ETag derives from. */
public record ServedTask(String id, long version, RawJson json) {

    public String etag() {
        return "\"v" + version + "\"";
    }
}
