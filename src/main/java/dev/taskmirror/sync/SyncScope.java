package dev.taskmirror.sync;

/** A unit of sync work: one agent's task list, or one end user's task list. */
public record SyncScope(String kind, String refId) {

    public static SyncScope agent(String id) {
        return new SyncScope("agent", id);
    }

    public static SyncScope user(String id) {
        return new SyncScope("user", id);
    }

    public String key() {
        return kind + ":" + refId;
    }

    public static SyncScope parse(String key) {
        int i = key.indexOf(':');
        return new SyncScope(key.substring(0, i), key.substring(i + 1));
    }
}
