package dev.taskmirror.sync;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.remote.RemoteEndpoint;
import dev.taskmirror.task.TaskStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;

/**
 * Follows the event stream (E7) of unfinished tasks that offer one. Events are hints, not state: a
 * {@code task_*} event triggers a re-read of the task (coalesced), so ordering and "nothing moves
 * backwards" stay with the store's rules. A stream that ends or breaks also triggers a re-read, and the
 * fast sync cycle keeps the task fresh whether or not a stream is open.
 */
@ApplicationScoped
public class TaskEventStreams {

    private static final Logger LOG = Logger.getLogger(TaskEventStreams.class);

    private final Vertx vertx;
    private final RemoteEndpoint endpoint;
    private final SyncEngine engine;
    private final SyncConfig syncConfig;
    private final EventsConfig config;
    private final SyncScopes scopes;
    private final EntityManager em;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final dev.taskmirror.common.InstanceId instance;
    private final Map<String, Stream> open = new ConcurrentHashMap<>();
    private final Map<String, Instant> retryAfter = new ConcurrentHashMap<>();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicLong flushTimer = new AtomicLong(-1);
    private volatile HttpClient client;
    private volatile boolean stopped;

    /** An open stream; events timed at or before {@code since} describe states the mirror already has. */
    private record Stream(String taskId, HttpClientResponse response, Instant since) {
    }

    TaskEventStreams(Vertx vertx, RemoteEndpoint endpoint, SyncEngine engine, SyncConfig syncConfig,
            EventsConfig config, SyncScopes scopes, EntityManager em, ObjectMapper mapper, MeterRegistry registry,
            dev.taskmirror.common.InstanceId instance) {
        this.instance = instance;
        this.vertx = vertx;
        this.endpoint = endpoint;
        this.engine = engine;
        this.syncConfig = syncConfig;
        this.config = config;
        this.scopes = scopes;
        this.em = em;
        this.mapper = mapper;
        this.registry = registry;
        registry.gauge("mirror.sync.event.streams", open, Map::size);
    }

    @Scheduled(identity = "mirror-event-streams", every = "${mirror.sync.events.check-every:5s}",
            delayed = "${mirror.sync.initial-delay:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        if (syncConfig.enabled() && config.enabled()) {
            reconcile();
        }
    }

    /** Opens streams for eligible tasks and closes the ones no longer eligible. Returns the open count. */
    public int reconcile() {
        if (stopped) {
            return 0;
        }
        Map<String, Instant> wanted = eligible();
        for (String id : new ArrayList<>(open.keySet())) {
            if (!wanted.containsKey(id)) {
                close(id);
            }
        }
        Instant now = Instant.now();
        for (Map.Entry<String, Instant> e : wanted.entrySet()) {
            if (open.size() >= config.maxStreams()) {
                break;
            }
            Instant wait = retryAfter.get(e.getKey());
            if (!open.containsKey(e.getKey()) && (wait == null || !wait.isAfter(now))) {
                connect(e.getKey(), e.getValue());
            }
        }
        return open.size();
    }

    public Set<String> openStreams() {
        return Set.copyOf(open.keySet());
    }

    /**
     * Unfinished streaming tasks of the agents this replica syncs (holds the lease of): no double work. Each
     * with the remote time of the state the mirror holds.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    Map<String, Instant> eligible() {
        List<String> leased = em.createNativeQuery("select ref_id from sync_scope where kind = 'agent' "
                + "and lease_owner = ?1 and lease_until > now()").setParameter(1, instance.get()).getResultList();
        List<String> agents = scopes.agentIds().stream().filter(leased::contains).toList();
        Map<String, Instant> out = new java.util.LinkedHashMap<>();
        if (agents.isEmpty()) {
            return out;
        }
        List<Object[]> rows = em.createQuery("select t.id, t.updatedAt from TaskRecord t where t.agentId in :agents "
                + "and t.status in :st and t.eventsStreaming = true and t.deletedAt is null and t.syncedAt is not null "
                + "order by t.createdAt desc", Object[].class)
                .setParameter("agents", agents)
                .setParameter("st", TaskStatus.UNFINISHED)
                .setMaxResults(config.maxStreams())
                .getResultList();
        for (Object[] r : rows) {
            out.put((String) r[0], (Instant) r[1]);
        }
        return out;
    }

    private void connect(String taskId, Instant since) {
        URI url = endpoint.taskEventsUrl(taskId);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url.toString())
                .addHeader("x-api-key", endpoint.apiKey())
                .addHeader("Accept", "text/event-stream")
                .addHeader("Cache-Control", "no-store");
        open.put(taskId, new Stream(taskId, null, since));
        client().request(options)
                .compose(req -> req.send())
                .onSuccess(resp -> {
                    String type = resp.getHeader("Content-Type");
                    if (resp.statusCode() != 200 || type == null || !type.startsWith("text/event-stream")) {
                        LOG.debugf("Event stream of %s refused: HTTP %d %s", taskId, resp.statusCode(), type);
                        resp.request().connection().close();
                        failed(taskId);
                        return;
                    }
                    open.put(taskId, new Stream(taskId, resp, since));
                    StringBuilder data = new StringBuilder();
                    RecordParser parser = RecordParser.newDelimited("\n", line -> {
                        String l = line.toString().replace("\r", "");
                        if (l.isEmpty()) {
                            if (data.length() > 0) {
                                onEvent(taskId, since, data.toString());
                                data.setLength(0);
                            }
                        } else if (l.startsWith("data:")) {
                            data.append(l.substring(5).trim());
                        }
                    });
                    resp.handler(parser);
                    resp.endHandler(v -> ended(taskId));
                    resp.exceptionHandler(e -> failed(taskId));
                })
                .onFailure(e -> {
                    LOG.debugf("Event stream of %s failed: %s", taskId, e.getMessage());
                    failed(taskId);
                });
    }

    private void onEvent(String taskId, Instant since, String json) {
        try {
            JsonNode event = mapper.readTree(json);
            String type = event.path("type").asText("");
            registry.counter("mirror.sync.events", "type", type.isEmpty() ? "unknown" : type).increment();
            Instant time = dev.taskmirror.common.Timestamps.parse(event.get("time"));
            // A new stream replays the task's history: events up to the mirrored state need no re-read.
            boolean known = since != null && time != null && !time.isAfter(since);
            if (!known && type.startsWith("task_") && !type.equals("task_compactization")) {
                markDirty(taskId);
            }
        } catch (Exception e) {
            registry.counter("mirror.sync.events", "type", "malformed").increment();
        }
    }

    /** The remote closes a stream after task_finished: read the final state. */
    private void ended(String taskId) {
        open.remove(taskId);
        markDirty(taskId);
    }

    private void failed(String taskId) {
        open.remove(taskId);
        retryAfter.put(taskId, Instant.now().plus(config.retryDelay()));
        markDirty(taskId);
    }

    private void close(String taskId) {
        Stream s = open.remove(taskId);
        if (s != null && s.response() != null) {
            s.response().request().connection().close();
        }
        retryAfter.remove(taskId);
    }

    private void markDirty(String taskId) {
        dirty.add(taskId);
        if (flushTimer.compareAndSet(-1, 0)) {
            flushTimer.set(vertx.setTimer(Math.max(1, config.coalesce().toMillis()), id -> {
                flushTimer.set(-1);
                vertx.executeBlocking(() -> {
                    flush();
                    return null;
                }, false);
            }));
        }
    }

    /** Re-reads the tasks events pointed at. */
    void flush() {
        List<String> ids = new ArrayList<>(dirty);
        dirty.removeAll(ids);
        if (ids.isEmpty() || stopped) {
            return;
        }
        try {
            engine.refresh(ids);
        } catch (RuntimeException e) {
            LOG.debugf("Refresh after events failed: %s", e.getMessage());
        }
    }

    private HttpClient client() {
        if (client == null) {
            synchronized (this) {
                if (client == null) {
                    client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(Math.max(1, config.maxStreams()))
                            .setKeepAlive(true).setIdleTimeout(0));
                }
            }
        }
        return client;
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        for (String id : new ArrayList<>(open.keySet())) {
            close(id);
        }
    }
}
