package dev.taskmirror.query;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.RawJson;
import io.quarkus.scheduler.Scheduled;

/**
 * The change feed: every task change in commit-safe order. Each write stamps the row with its transaction
 * id ({@code xid8}) and a sequence number; a reader only reads rows whose transaction id is below the
 * oldest transaction of this database still running, so a transaction that commits late can delay the
 * feed but is never skipped. A task appears once at its latest change (tombstones included). Prepared
 * (two-phase) transactions are not used by the service and would not be waited for.
 */
@ApplicationScoped
public class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);

    /** A feed position: (transaction id, sequence). */
    public record Position(long xid, long seq) implements Comparable<Position> {

        public static final Position START = new Position(0, 0);

        @Override
        public int compareTo(Position o) {
            int c = Long.compareUnsigned(xid, o.xid);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        public String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("c1:" + Long.toUnsignedString(xid) + ":" + seq).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** One change: the task (in the requested view) at its latest state. */
    public record Change(String id, boolean deleted, String position, RawJson task) {
    }

    public record Page(List<Change> changes, Position next, boolean hasMore) {
    }

    private final EntityManager em;
    private final QueryConfig config;

    ChangeFeed(EntityManager em, QueryConfig config) {
        this.em = em;
        this.config = config;
    }

    /** Parses a cursor: empty or {@code 0} = from the start, {@code now} = from the current horizon. */
    @Transactional
    public Position parse(String since) {
        if (since == null || since.isBlank() || since.equals("0")) {
            return Position.START;
        }
        if (since.equals("now")) {
            return horizon();
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(since), StandardCharsets.UTF_8);
            String[] parts = text.split(":");
            if (parts.length != 3 || !parts[0].equals("c1")) {
                throw new IllegalArgumentException();
            }
            return new Position(Long.parseUnsignedLong(parts[1]), Long.parseLong(parts[2]));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("Invalid change cursor",
                    List.of(new ApiProblem.InvalidParam("since", "a next_cursor from this feed, 0, or now")));
        }
    }

    /**
     * Everything committed before this position is visible; later positions may still appear. The horizon
     * is the oldest transaction still running <em>in this database</em> (transaction ids are cluster-wide, so
     * a long transaction of another database on the same server must not stall the feed); with none running,
     * the next transaction id to be assigned.
     */
    @Transactional
    public Position horizon() {
        // The snapshot first, then the activity view (read after it within this transaction): a writer of this
        // database that got its id before the snapshot is listed in both.
        String snapshot = String.valueOf(em.createNativeQuery("select pg_current_snapshot()::text").getSingleResult());
        Object oldest = em.createNativeQuery("""
                select min(x)::text from pg_snapshot_xip(cast(?1 as pg_snapshot)) x
                where (x::text::numeric % 4294967296) in (
                    select backend_xid::text::numeric from pg_stat_activity
                    where datname = current_database() and backend_xid is not null)""")
                .setParameter(1, snapshot).getSingleResult();
        if (oldest != null) {
            return new Position(Long.parseUnsignedLong(String.valueOf(oldest)), 0);
        }
        Object xmax = em.createNativeQuery("select pg_snapshot_xmax(cast(?1 as pg_snapshot))::text")
                .setParameter(1, snapshot).getSingleResult();
        return new Position(Long.parseUnsignedLong(String.valueOf(xmax)), 0);
    }

    /**
     * Reads up to {@code limit} changes after {@code from}.
     *
     * @throws ApiProblem 410 when {@code from} is older than purged tombstones (the reader may have missed a
     *         deletion and must re-list)
     */
    @Transactional
    public Page read(Position from, int limit, TaskView view) {
        Object[] purged = (Object[]) em.createNativeQuery(
                "select purged_through_xid::text, purged_through_seq from feed_state where id = 1").getSingleResult();
        Position purgedThrough = new Position(Long.parseUnsignedLong((String) purged[0]), ((Number) purged[1]).longValue());
        if (from.compareTo(purgedThrough) < 0) {
            throw new ApiProblem(410, "cursor-expired", "Cursor older than the feed's retention",
                    "Tombstones older than this cursor were purged (retention " + config.tombstoneRetention()
                            + "). Take a new cursor with GET /tasks/changes?since=now&limit=0, re-list with "
                            + "GET /tasks?include_deleted=true, then resume from that cursor.");
        }
        Position horizon = horizon();
        List<Change> changes = new ArrayList<>();
        Position last = from;
        boolean more = false;
        if (limit > 0) {
            SqlWhere w = new SqlWhere();
            String sql = "select t.change_xid::text, t.change_seq, t.id, t.deleted_at is not null, " + view.select(w)
                    + " from task t where (t.change_xid, t.change_seq) > (cast(" + w.param(Long.toUnsignedString(from.xid()))
                    + " as xid8), " + w.param(from.seq()) + ") and t.change_xid < cast("
                    + w.param(Long.toUnsignedString(horizon.xid())) + " as xid8) order by t.change_xid, t.change_seq limit "
                    + (limit + 1);
            @SuppressWarnings("unchecked")
            List<Object[]> rows = w.bind(em.createNativeQuery(sql)).getResultList();
            for (int i = 0; i < rows.size() && i < limit; i++) {
                Object[] r = rows.get(i);
                Position p = new Position(Long.parseUnsignedLong((String) r[0]), ((Number) r[1]).longValue());
                changes.add(new Change((String) r[2], (Boolean) r[3], p.encode(), new RawJson((String) r[4])));
                last = p;
            }
            more = rows.size() > limit;
        }
        // Nothing is left below the horizon that this reader has not seen: jump to it, so an idle reader does
        // not rescan the same range.
        Position next = !more && last.compareTo(horizon) < 0 ? horizon : last;
        return new Page(changes, next, more);
    }

    @Scheduled(identity = "mirror-tombstone-purge", every = "1h", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduledPurge() {
        purgeTombstones();
    }

    /** Purges tombstones older than the retention and records how far the feed was cut. */
    @Transactional
    public int purgeTombstones() {
        Instant before = Instant.now().minus(config.tombstoneRetention());
        @SuppressWarnings("unchecked")
        List<Object[]> gone = em.createNativeQuery("delete from task where deleted_at < ?1 "
                + "returning change_xid::text, change_seq")
                .setParameter(1, java.time.OffsetDateTime.ofInstant(before, java.time.ZoneOffset.UTC))
                .getResultList();
        if (gone.isEmpty()) {
            return 0;
        }
        Position max = Position.START;
        for (Object[] r : gone) {
            Position p = new Position(Long.parseUnsignedLong((String) r[0]), ((Number) r[1]).longValue());
            if (p.compareTo(max) > 0) {
                max = p;
            }
        }
        em.createNativeQuery("update feed_state set purged_through_xid = cast(?1 as xid8), purged_through_seq = ?2, "
                + "purged_at = now() where id = 1 and (purged_through_xid, purged_through_seq) < (cast(?1 as xid8), ?2)")
                .setParameter(1, Long.toUnsignedString(max.xid()))
                .setParameter(2, max.seq())
                .executeUpdate();
        LOG.infof("Purged %d tombstones older than %s", gone.size(), before);
        return gone.size();
    }
}
