package dev.taskmirror.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.taskmirror.common.InstanceId;
import dev.taskmirror.remote.RemoteHealth;
import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.simulator.SimulatorServer;
import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.sync.CycleKind;
import dev.taskmirror.sync.CycleStats;
import dev.taskmirror.sync.SyncEngine;
import dev.taskmirror.sync.SyncScope;
import dev.taskmirror.sync.SyncScopes;
import dev.taskmirror.writeback.OutboxRelay;
import dev.taskmirror.writeback.OutboxStore;

/**
 * Drives the real components step by step in tests: the simulator's state and clock, sync cycles and the
 * outbox relay (their schedulers are off in the test profile), and a clean database per test.
 */
@ApplicationScoped
public class MirrorFixture {

    @Inject
    EntityManager em;
    @Inject
    SimulatorServer simulatorServer;
    @Inject
    SyncEngine engine;
    @Inject
    SyncScopes scopes;
    @Inject
    OutboxStore outbox;
    @Inject
    OutboxRelay relay;
    @Inject
    InstanceId instance;
    @Inject
    RemoteHealth remoteHealth;

    public XpanderSimulator sim() {
        return simulatorServer.simulator();
    }

    /** Fresh simulator (manual clock) and an empty mirror. */
    public XpanderSimulator reset(int agents, int tasks) {
        return reset(SimulatorOptions.builder().agents(agents).tasks(tasks).build());
    }

    public XpanderSimulator reset(SimulatorOptions options) {
        sim().reset(options);
        truncate();
        remoteHealth.reset();
        return sim();
    }

    @Transactional
    public void truncate() {
        em.createNativeQuery("truncate task, outbox, sync_scope, idempotency_key restart identity").executeUpdate();
    }

    public List<CycleStats> sync(CycleKind kind) {
        List<CycleStats> out = new ArrayList<>();
        for (SyncScope s : scopes.all()) {
            out.add(engine.runCycle(s, kind));
        }
        return out;
    }

    /** Pushes every due save now, until none is left; returns how many pushes ran. */
    public int drainOutbox() {
        int pushes = 0;
        for (int round = 0; round < 100; round++) {
            List<Long> ids = outbox.claim(instance.get(), 50);
            if (ids.isEmpty()) {
                return pushes;
            }
            for (Long id : ids) {
                relay.push(id);
                pushes++;
            }
        }
        throw new IllegalStateException("outbox did not drain");
    }

    /** Makes failed-and-rescheduled saves due now, so a test does not wait for backoff. */
    @Transactional
    public void makeOutboxDue() {
        em.createNativeQuery("update outbox set next_attempt_at = now() - interval '1 second' where state = 'pending'")
                .executeUpdate();
    }

    /** (id → xmin) of every task row: any write to a row changes its xmin. */
    @Transactional
    @SuppressWarnings("unchecked")
    public Map<String, String> rowVersions() {
        Map<String, String> out = new HashMap<>();
        for (Object[] r : (List<Object[]>) em.createNativeQuery("select id, xmin::text from task").getResultList()) {
            out.put((String) r[0], (String) r[1]);
        }
        return out;
    }

    @Transactional
    public int execute(String sql) {
        return em.createNativeQuery(sql).executeUpdate();
    }

    @Transactional
    public long count(String sql) {
        return ((Number) em.createNativeQuery(sql).getSingleResult()).longValue();
    }

    @Transactional
    public String text(String sql, Object... params) {
        var q = em.createNativeQuery(sql);
        for (int i = 0; i < params.length; i++) {
            q.setParameter(i + 1, params[i]);
        }
        Object v = q.getSingleResult();
        return v == null ? null : v.toString();
    }
}
