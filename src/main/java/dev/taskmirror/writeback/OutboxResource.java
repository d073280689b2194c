package dev.taskmirror.writeback;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;

import dev.taskmirror.common.ApiProblem;

@Path("/outbox")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Outbox", description = "Saves on their way to the remote, and failed saves to retry or discard")
public class OutboxResource {

    /** A save as operators see it; secrets are never part of it (sealed text is not exposed). */
    @Schema(name = "OutboxItem")
    public record Item(long id, String taskId, String kind, String state, JsonNode payload, int attempts,
            Instant nextAttemptAt, String claimedBy, String lastError, Integer lastHttpStatus, Instant createdAt,
            Instant updatedAt) {

        static Item of(OutboxRecord r) {
            return new Item(r.id, r.taskId, r.kind, r.state, r.payload, r.attempts, r.nextAttemptAt, r.claimedBy,
                    r.lastError, r.lastHttpStatus, r.createdAt, r.updatedAt);
        }
    }

    @Schema(name = "OutboxPage")
    public record Page(List<Item> items) {
    }

    private final OutboxStore store;
    private final OutboxRelay relay;

    OutboxResource(OutboxStore store, OutboxRelay relay) {
        this.store = store;
        this.relay = relay;
    }

    @GET
    @Operation(summary = "List saves waiting for or refused by the remote")
    public Page list(@Parameter(description = "pending or failed (default: both)") @RestQuery String state,
            @Parameter(description = "At most this many (default 100, max 1000)") @RestQuery String limit) {
        if (state != null && !state.isBlank() && !List.of(OutboxRecord.PENDING, OutboxRecord.FAILED).contains(state)) {
            throw ApiProblem.badRequest("state must be pending or failed",
                    List.of(new ApiProblem.InvalidParam("state", "pending or failed")));
        }
        int n = 100;
        if (limit != null && !limit.isBlank()) {
            try {
                n = Integer.parseInt(limit.trim());
                if (n < 1 || n > 1000) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw ApiProblem.badRequest("limit must be an integer from 1 to 1000",
                        List.of(new ApiProblem.InvalidParam("limit", "integer from 1 to 1000")));
            }
        }
        return new Page(store.list(state == null || state.isBlank() ? null : state, n).stream().map(Item::of).toList());
    }

    @POST
    @Path("{id}/retry")
    @Operation(summary = "Put a failed save back in the queue")
    public Item retry(@RestPath String id) {
        Item item = Item.of(store.retry(parse(id)));
        relay.wake();
        return item;
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Discard a failed save", description = "The task returns to the remote's state.")
    public RestResponse<Void> discard(@RestPath String id) {
        store.discard(parse(id));
        return RestResponse.noContent();
    }

    private static long parse(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiProblem.notFound("Outbox item", id);
        }
    }
}
