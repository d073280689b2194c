package dev.taskmirror.compat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.RawJson;
import dev.taskmirror.remote.RemoteException;
import dev.taskmirror.remote.XpanderGateway;

/**
 * Activity logs (E9) kept next to their tasks: a log fetched while the task was at version v is still
 * right while the task stays at v, so it is served from PostgreSQL; otherwise it is read from xpander and
 * stored. When xpander is unreachable, the last stored log is served rather than an error.
 */
@ApplicationScoped
public class ActivityCache {

    private static final Logger LOG = Logger.getLogger(ActivityCache.class);

    private final EntityManager em;
    private final XpanderGateway gateway;

    ActivityCache(EntityManager em, XpanderGateway gateway) {
        this.em = em;
        this.gateway = gateway;
    }

    public RawJson get(String agentId, String taskId) {
        Optional<Object[]> cached = cached(agentId, taskId);
        Long version = currentVersion(taskId);
        if (cached.isPresent() && version != null && ((Number) cached.get()[0]).longValue() == version) {
            return new RawJson((String) cached.get()[1]);
        }
        Optional<ObjectNode> remote;
        try {
            remote = gateway.activityLog(agentId, taskId);
        } catch (RemoteException e) {
            if (cached.isPresent() && e.retryable()) {
                LOG.debugf("xpander unavailable (%s): serving the stored activity log of %s", e.getMessage(), taskId);
                return new RawJson((String) cached.get()[1]);
            }
            throw e;
        }
        if (remote.isEmpty()) {
            throw FastApiError.notFound();
        }
        if (version != null) {
            store(agentId, taskId, version, remote.get().toString());
        }
        return new RawJson(remote.get().toString());
    }

    @Transactional
    Optional<Object[]> cached(String agentId, String taskId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select task_version, document::text from task_activity "
                + "where task_id = ?1 and agent_id = ?2").setParameter(1, taskId).setParameter(2, agentId)
                .getResultList();
        return rows.stream().findFirst();
    }

    @Transactional
    Long currentVersion(String taskId) {
        @SuppressWarnings("unchecked")
        List<Number> v = em.createNativeQuery("select version from task where id = ?1 and deleted_at is null")
                .setParameter(1, taskId).getResultList();
        return v.isEmpty() ? null : v.get(0).longValue();
    }

    @Transactional
    void store(String agentId, String taskId, long version, String json) {
        em.createNativeQuery("insert into task_activity (task_id, agent_id, task_version, document, fetched_at) "
                + "values (?1, ?2, ?3, cast(?4 as jsonb), ?5) on conflict (task_id) do update set agent_id = excluded.agent_id, "
                + "task_version = excluded.task_version, document = excluded.document, fetched_at = excluded.fetched_at")
                .setParameter(1, taskId).setParameter(2, agentId).setParameter(3, version).setParameter(4, json)
                .setParameter(5, OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC))
                .executeUpdate();
    }
}
