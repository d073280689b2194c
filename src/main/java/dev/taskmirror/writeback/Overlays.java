package dev.taskmirror.writeback;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.task.TaskRecord;
import dev.taskmirror.task.TaskStatus;

/**
 * Derives what a task shows from its pending saves: the overlay (pending field values applied over the
 * remote document) and the sync state ({@code pending} while saves wait, {@code error} while a failed
 * save is parked, else {@code synced}).
 */
@ApplicationScoped
public class Overlays {

    private final ObjectMapper mapper;

    Overlays(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void recompute(TaskRecord rec) {
        List<OutboxRecord> items = OutboxRecord.list("taskId = ?1 order by id", rec.id);
        ObjectNode overlay = mapper.createObjectNode();
        boolean pending = false;
        OutboxRecord failed = null;
        for (OutboxRecord item : items) {
            if (OutboxRecord.FAILED.equals(item.state)) {
                failed = item;
                continue;
            }
            pending = true;
            switch (item.kind) {
                case OutboxRecord.UPDATE -> overlay.setAll(item.payload);
                case OutboxRecord.REPORT -> {
                    if (rec.syncedAt != null) {
                        overlay.put("status", item.payload.path("is_success").asBoolean(true) ? "completed" : "failed");
                        overlay.set("result", item.payload.has("result") ? item.payload.get("result")
                                : mapper.nullNode());
                    }
                }
                case OutboxRecord.STOP -> {
                    String status = overlay.has("status") ? overlay.get("status").asText()
                            : rec.document.path("status").asText("pending");
                    if (!TaskStatus.isTerminal(status)) {
                        overlay.put("status", "stopped");
                        overlay.put("is_manually_stopped", true);
                    }
                }
                default -> {
                    // A pending create shows its local document; continuing an existing thread shows the new
                    // turn (contract 5.2: status back to pending, result and timestamps cleared).
                    if (item.base != null && item.base.path("continuation").asBoolean(false)) {
                        overlay.put("status", "pending");
                        overlay.putNull("result");
                        overlay.putNull("started_at");
                        overlay.putNull("paused_at");
                        overlay.putNull("finished_at");
                        overlay.put("is_manually_stopped", false);
                        overlay.set("input", item.payload.get("input"));
                        if (item.payload.hasNonNull("title")) {
                            overlay.set("title", item.payload.get("title"));
                        }
                    }
                }
            }
        }
        rec.overlay = overlay.isEmpty() ? null : overlay;
        if (pending) {
            rec.syncState = "pending";
        } else if (failed != null) {
            rec.syncState = "error";
        } else {
            rec.syncState = "synced";
        }
        rec.syncError = failed == null ? null
                : "save #" + failed.id + " (" + failed.kind + ") failed: " + failed.lastError;
        rec.deriveColumns();
    }
}
