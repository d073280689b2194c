package dev.taskmirror.writeback;

/**
 * Result of accepting a save.
 *
 * @param taskId the task saved
 * @param created true when a create made a new task (false when an idempotent retry replayed it)
 */
public record SaveOutcome(String taskId, boolean created) {
}
