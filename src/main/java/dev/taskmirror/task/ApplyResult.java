package dev.taskmirror.task;

/** Outcome of applying remote observations to the store. */
public record ApplyResult(int inserted, int updated, int unchanged, int stale) {

    public static final ApplyResult EMPTY = new ApplyResult(0, 0, 0, 0);

    public int written() {
        return inserted + updated;
    }

    public ApplyResult plus(ApplyResult o) {
        return new ApplyResult(inserted + o.inserted, updated + o.updated, unchanged + o.unchanged, stale + o.stale);
    }
}
