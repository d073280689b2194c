package dev.taskmirror.sync;

/** The kinds of sync cycle. */
public enum CycleKind {
    /** List the whole scope, fetch new and changed tasks, confirm missing ones. */
    FULL,
    /** List only unfinished statuses, fetch what changed, re-read unfinished tasks that left those lists. */
    HOT,
    /** A full cycle that also re-reads every unfinished task and every task missing from the list. */
    RECONCILE;

    public String label() {
        return name().toLowerCase();
    }
}
