package dev.taskmirror.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.query.ChangeFeed;
import dev.taskmirror.query.ChangeNotifier;
import dev.taskmirror.query.QueryConfig;
import dev.taskmirror.query.TaskView;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

@Path("/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Change feed", description = "Every task change in commit-safe order, for caches and dashboards")
public class ChangesResource {

    /** A page of the change feed. */
    @Schema(name = "ChangesPage")
    public record ChangesPage(
            @Schema(description = "Changed tasks, oldest change first; a task appears once at its latest state") List<ChangeFeed.Change> changes,
            @Schema(description = "Cursor to pass as since next time") String nextCursor,
            @Schema(description = "True when more changes are ready right now") boolean hasMore) {
    }

    private final ChangeFeed feed;
    private final ChangeNotifier notifier;
    private final QueryConfig config;
    private final ObjectMapper mapper;

    ChangesResource(ChangeFeed feed, ChangeNotifier notifier, QueryConfig config, ObjectMapper mapper) {
        this.feed = feed;
        this.notifier = notifier;
        this.config = config;
        this.mapper = mapper;
    }

    @GET
    @Path("changes")
    @Blocking
    @Operation(summary = "Changes since a cursor", description = "Tasks changed after the cursor (tombstones "
            + "included: mirror.deleted true), in commit-safe order; a reader never misses a change even when "
            + "transactions commit out of order. With wait, long-polls until something changes. A cursor older "
            + "than the tombstone retention gets 410 with what to do.")
    public Uni<ChangesPage> changes(
            @Parameter(description = "Cursor (next_cursor of the previous call), 0 for the beginning, now for new changes only", example = "now") @RestQuery String since,
            @Parameter(description = "Changes per call, 0 to 1000 (default 100; 0 returns only a cursor)", example = "100") @RestQuery String limit,
            @Parameter(description = "Wait up to this long when there is no change yet (e.g. 30s)", example = "30s") @RestQuery String wait,
            @Parameter(description = "summary or full (default)") @RestQuery String view,
            @Parameter(description = "Only these top-level fields") @RestQuery String fields) {
        ChangeFeed.Position from = feed.parse(since);
        int n = limit(limit);
        TaskView shape = TaskView.parse(view, fields);
        Duration timeout = Params.duration("wait", wait, config.maxWait());
        long deadline = System.nanoTime() + (timeout == null ? 0 : timeout.toNanos());
        return poll(from, n, shape, deadline).map(p -> new ChangesPage(p.changes(), p.next().encode(), p.hasMore()));
    }

    /** Reads; when empty and time is left, waits for the next committed change and reads again. */
    private Uni<ChangeFeed.Page> poll(ChangeFeed.Position from, int limit, TaskView view, long deadline) {
        CompletableFuture<Void> next = notifier.nextChange();
        ChangeFeed.Page page = feed.read(from, limit, view);
        long left = deadline - System.nanoTime();
        if (!page.changes().isEmpty() || limit == 0 || left <= 0) {
            return Uni.createFrom().item(page);
        }
        return Uni.createFrom().completionStage(next.copy().completeOnTimeout(null, left, TimeUnit.NANOSECONDS))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(x -> poll(page.next(), limit, view, deadline));
    }

    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(summary = "Changes as Server-Sent Events", description = "The change feed as a stream: one event "
            + "named change per task change (id = cursor, data = the change as JSON), heartbeat comments, "
            + "resumable with Last-Event-ID. Starts from since (default now).")
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "Cursor to start from, 0 or now (default now)") @RestQuery String since,
            @Parameter(description = "summary or full (default)") @RestQuery String view,
            @Parameter(description = "Only these top-level fields") @RestQuery String fields,
            @RestHeader("Last-Event-ID") String lastEventId,
            @Context Sse sse) {
        TaskView shape = TaskView.parse(view, fields);
        String start = lastEventId != null && !lastEventId.isBlank() ? lastEventId
                : since == null || since.isBlank() ? "now" : since;
        if (!start.equals("now")) {
            feed.parse(start); // a malformed cursor gets its 400 here: once the stream has started, it could not
        }
        AtomicReference<ChangeFeed.Position> position = new AtomicReference<>();
        Duration heartbeat = config.heartbeat();
        Multi<OutboundSseEvent> changes = Multi.createBy().repeating()
                .uni(() -> Uni.createFrom().item(() -> {
                    if (position.get() == null) {
                        position.set(feed.parse(start));
                    }
                    return position.get();
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        .flatMap(from -> poll(from, 100, shape, System.nanoTime() + heartbeat.toNanos()))
                        .map(page -> {
                            position.set(page.next());
                            List<OutboundSseEvent> events = new ArrayList<>();
                            for (ChangeFeed.Change c : page.changes()) {
                                events.add(sse.newEventBuilder().id(c.position()).name("change")
                                        .mediaType(MediaType.TEXT_PLAIN_TYPE).data(String.class, json(c)).build());
                            }
                            return events;
                        }))
                .indefinitely()
                .onItem().transformToIterable(list -> list);
        Multi<OutboundSseEvent> heartbeats = Multi.createFrom().ticks().every(heartbeat)
                .map(t -> sse.newEventBuilder().comment("heartbeat").build());
        return Multi.createBy().merging().streams(changes, heartbeats);
    }

    private String json(ChangeFeed.Change c) {
        try {
            return mapper.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int limit(String raw) {
        if (raw == null || raw.isBlank()) {
            return 100;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < 0 || v > 1000) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("limit must be an integer from 0 to 1000",
                    List.of(new ApiProblem.InvalidParam("limit", "integer from 0 to 1000")));
        }
    }
}
