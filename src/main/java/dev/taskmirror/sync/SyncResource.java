package dev.taskmirror.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.InstanceId;
import dev.taskmirror.remote.RemoteEndpoint;
import dev.taskmirror.remote.RemoteHealth;

@Path("/sync")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sync", description = "State of the mirror's synchronisation with xpander")
public class SyncResource {

    private final SyncStateStore state;
    private final SyncScopes scopes;
    private final SyncEngine engine;
    private final InstanceId instance;
    private final RemoteEndpoint endpoint;
    private final RemoteHealth remoteHealth;
    private final EntityManager em;

    SyncResource(SyncStateStore state, SyncScopes scopes, SyncEngine engine, InstanceId instance,
            RemoteEndpoint endpoint, RemoteHealth remoteHealth, EntityManager em) {
        this.state = state;
        this.scopes = scopes;
        this.engine = engine;
        this.instance = instance;
        this.endpoint = endpoint;
        this.remoteHealth = remoteHealth;
        this.em = em;
    }

    @GET
    @Operation(summary = "Sync state per scope", description = "Last success, lag, counts and last error of every "
            + "mirrored agent (and end user).")
    public SyncStatus status() {
        state.ensure(scopes.all());
        Map<String, long[]> counts = counts();
        Instant now = Instant.now();
        List<SyncStatus.Scope> out = new ArrayList<>();
        for (SyncScopeRecord r : state.all()) {
            long[] c = counts.getOrDefault(r.scope, new long[3]);
            Double lag = r.lastSuccessAt == null ? null : Duration.between(r.lastSuccessAt, now).toMillis() / 1000.0;
            out.add(new SyncStatus.Scope(r.scope, r.kind, r.refId, r.leaseOwner, r.leaseUntil, r.initialSyncAt,
                    r.lastSuccessAt, r.lastFullAt, r.lastHotAt, r.lastReconcileAt, lag, r.lastError, r.lastErrorAt,
                    r.consecutiveFailures, r.remoteCount, c[0], c[1], c[2], r.lastCycleKind, r.lastCycleMs,
                    r.lastFetched, r.lastWritten, r.lastTombstoned, r.cycles));
        }
        return new SyncStatus(instance.get(), new SyncStatus.Remote(endpoint.baseUrl(), endpoint.simulated(),
                remoteHealth.circuitBreakerState()), out);
    }

    @POST
    @Operation(summary = "Run a sync cycle now", description = "Runs a full cycle (or a reconciliation) for every scope, "
            + "or one agent with agent_id, and returns the resulting state. 409 if that scope is already syncing.")
    public SyncStatus runNow(
            @Parameter(description = "Only this agent") @RestQuery("agent_id") String agentId,
            @Parameter(description = "Only this end user") @RestQuery("user_id") String userId,
            @Parameter(description = "full (default), hot or reconcile") @RestQuery String kind) {
        CycleKind cycle;
        try {
            cycle = kind == null || kind.isBlank() ? CycleKind.FULL : CycleKind.valueOf(kind.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("kind must be full, hot or reconcile",
                    List.of(new ApiProblem.InvalidParam("kind", "full, hot or reconcile")));
        }
        List<SyncScope> targets;
        if (agentId != null && !agentId.isBlank()) {
            targets = List.of(SyncScope.agent(agentId.trim()));
        } else if (userId != null && !userId.isBlank()) {
            targets = List.of(SyncScope.user(userId.trim()));
        } else {
            targets = scopes.all();
        }
        for (SyncScope s : targets) {
            engine.runCycle(s, cycle, Duration.ofSeconds(30));
        }
        return status();
    }

    private Map<String, long[]> counts() {
        Map<String, long[]> out = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select 'agent:' || agent_id, count(*) filter (where deleted_at is null),
                       count(*) filter (where deleted_at is null and status in ('pending', 'executing', 'paused')),
                       count(*) filter (where deleted_at is not null)
                from task group by agent_id
                union all
                select 'user:' || user_id, count(*) filter (where deleted_at is null),
                       count(*) filter (where deleted_at is null and status in ('pending', 'executing', 'paused')),
                       count(*) filter (where deleted_at is not null)
                from task where user_id in (select ref_id from sync_scope where kind = 'user') group by user_id
                """).getResultList();
        for (Object[] r : rows) {
            out.put((String) r[0], new long[] { ((Number) r[1]).longValue(), ((Number) r[2]).longValue(),
                    ((Number) r[3]).longValue() });
        }
        return out;
    }
}
