package dev.taskmirror.writeback;

/**
 * Result of accepting a save.
 *
 * @param taskId the task saved
 * @param created true when a create made a new task (false when an idempotent retry replayed it)
 * @param outboxId the outbox row carrying the save to the remote (null for a replay)
 */
public record SaveOutcome(String taskId, boolean created, Long outboxId) {
}
