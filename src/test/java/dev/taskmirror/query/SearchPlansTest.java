package dev.taskmirror.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.common.RawJson;
import dev.taskmirror.query.TaskQueries.Rows;
import dev.taskmirror.query.TaskQueries.SearchPlan;
import dev.taskmirror.support.MirrorFixture;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The three ways of finding a page of full-text matches (walk the ordered index, collect through the GIN
 * index, bounded walk falling back to collecting) return the same pages, in every sort, against a brute-force
 * ordering; and the bounded walk finds a page when matches are frequent and gives up when they are rare or
 * lie beyond the rows it walks.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchPlansTest {

    /** Small pages, so that a bounded walk reads 1,200 of the 2,000 rows. */
    static final int LIMIT = 5;

    @Inject
    MirrorFixture fx;
    @Inject
    TaskQueries queries;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectMapper mapper;

    @BeforeAll
    void seed() {
        fx.truncate();
        // Row i is created at minute i / 2 (pairs tie, so the id decides); every 7th has no finished_at and every
        // 13th is deleted. Words: zebra in 10 % of the rows, lemur in 12.5 %, okapi in 2, mammoth in the
        // oldest 300 rows only (a third of them).
        fx.execute("""
                insert into task (id, agent_id, status, title, created_at, updated_at, finished_at, document,
                                  fingerprint, observed_at, sync_state, deleted_at)
                select 'sp-' || lpad(i::text, 5, '0'), 'agent-' || (i % 3), 'completed',
                       concat_ws(' ', 'task', case when i % 10 = 0 then 'zebra' end,
                                 case when i % 8 = 0 then 'lemur' end, case when i % 1000 = 7 then 'okapi' end,
                                 case when i <= 300 and i % 3 = 0 then 'mammoth' end),
                       c, c, case when i % 7 <> 0 then c + interval '5 minutes' end,
                       jsonb_build_object('id', 'sp-' || lpad(i::text, 5, '0')), 'f', now(), 'synced',
                       case when i % 13 = 0 then now() end
                from generate_series(1, 2000) i,
                     lateral (select timestamptz '2026-01-01 00:00:00Z' + (i / 2) * interval '1 minute' as c) t
                """);
        fx.execute("analyze task");
    }

    @Test
    void everyPlanPagesLikeABruteForceOrdering() throws Exception {
        List<TaskFilter> filters = new ArrayList<>();
        for (String q : List.of("zebra", "lemur", "okapi", "mammoth", "zebra lemur", "zebra -lemur",
                "okapi or mammoth", "quagga")) {
            filters.add(TaskFilter.builder().q(q).build());
        }
        filters.add(TaskFilter.builder().q("lemur").agentIds(List.of("agent-1")).build());
        filters.add(TaskFilter.builder().q("zebra").includeDeleted(true).build());
        for (TaskFilter f : filters) {
            for (SortSpec sort : List.of(new SortSpec("created_at", true), new SortSpec("created_at", false),
                    new SortSpec("finished_at", true), new SortSpec("finished_at", false))) {
                List<String> expected = bruteForce(f, sort);
                for (SearchPlan plan : SearchPlan.values()) {
                    assertThat(pageThrough(f, sort, TaskView.SUMMARY, plan))
                            .as(f.q() + " " + f.agentIds() + " " + sort + " " + plan).isEqualTo(expected);
                }
            }
        }
        assertThat(bruteForce(filters.get(1), SortSpec.DEFAULT)).hasSizeGreaterThan(200);
    }

    @Test
    void aFieldsViewBindsItsParametersAroundTheSearch() throws Exception {
        TaskFilter f = TaskFilter.builder().q("lemur").agentIds(List.of("agent-2")).build();
        TaskView fields = TaskView.parse(null, "id,agent_id");
        assertThat(pageThrough(f, SortSpec.DEFAULT, fields, SearchPlan.BOUNDED_WALK))
                .isEqualTo(bruteForce(f, SortSpec.DEFAULT)).isNotEmpty();
    }

    @Test
    void aBoundedWalkFindsFrequentMatchesAndGivesUpOnRareOrDistantOnes() throws Exception {
        Rows frequent = queries.boundedPage(TaskFilter.builder().q("lemur").build(), SortSpec.DEFAULT,
                TaskView.SUMMARY, LIMIT, null);
        assertThat(frequent.more()).isTrue();
        assertThat(ids(frequent.items())).isEqualTo(bruteForce(TaskFilter.builder().q("lemur").build(),
                SortSpec.DEFAULT).subList(0, LIMIT));

        Rows rare = queries.boundedPage(TaskFilter.builder().q("okapi").build(), SortSpec.DEFAULT, TaskView.SUMMARY,
                LIMIT, null);
        assertThat(rare.more()).isFalse();
        assertThat(ids(rare.items())).containsExactly("sp-01007");

        // The newest 1,200 rows hold no mammoth; walking from the oldest finds them at once.
        TaskFilter mammoth = TaskFilter.builder().q("mammoth").build();
        assertThat(queries.boundedPage(mammoth, SortSpec.DEFAULT, TaskView.SUMMARY, LIMIT, null).items()).isEmpty();
        assertThat(queries.boundedPage(mammoth, new SortSpec("created_at", false), TaskView.SUMMARY, LIMIT, null)
                .more()).isTrue();
    }

    @Test
    void searchesAreCountedByHowTheirPageWasFound() throws Exception {
        String before = scrape();
        queries.page(TaskFilter.builder().q("lemur").build(), SortSpec.DEFAULT, TaskView.SUMMARY, LIMIT, null,
                SearchPlan.BOUNDED_WALK);
        queries.page(TaskFilter.builder().q("okapi").build(), SortSpec.DEFAULT, TaskView.SUMMARY, LIMIT, null,
                SearchPlan.BOUNDED_WALK);
        // Through the API: 250 matches in 2,000 tasks are few enough to collect.
        given().queryParam("q", "lemur").get("/tasks").then().statusCode(200);
        given().get("/tasks").then().statusCode(200);
        String after = scrape();
        for (String plan : List.of("bounded_walk", "bounded_walk_collected", "collect")) {
            String series = "mirror_api_search_total{plan=\"" + plan + "\"}";
            assertThat(sample(after, series) - sample(before, series)).as(plan).isEqualTo(1.0);
        }
        String walk = "mirror_api_search_total{plan=\"walk\"}";
        assertThat(sample(after, walk)).as("a list without q is not a search").isEqualTo(sample(before, walk));
    }

    private static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** A counter's value in a scrape; 0 when the series is absent. */
    private static double sample(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0])).orElse(0.0);
    }

    @Test
    void theEstimateDecidesOnlyWhereItCanBeTrusted() {
        java.util.function.LongSupplier never = () -> {
            throw new AssertionError("counted where the estimate decides");
        };
        // One word and nothing else: PostgreSQL's statistics know its frequency.
        assertThat(TaskQueries.searchPlan(20_000, true, never)).isEqualTo(SearchPlan.WALK);
        assertThat(TaskQueries.searchPlan(9_334, true, never)).isEqualTo(SearchPlan.BOUNDED_WALK);
        assertThat(TaskQueries.searchPlan(5_000, true, never)).isEqualTo(SearchPlan.BOUNDED_WALK);
        assertThat(TaskQueries.searchPlan(3_234, true, never)).isEqualTo(SearchPlan.COLLECT);
        assertThat(TaskQueries.searchPlan(0, true, never)).isEqualTo(SearchPlan.COLLECT);
        // Anything else: few expected are counted, many expected get a bounded walk.
        assertThat(TaskQueries.searchPlan(40, false, () -> 12)).isEqualTo(SearchPlan.COLLECT);
        assertThat(TaskQueries.searchPlan(4_999, false, () -> TaskQueries.FTS_COLLECT_BELOW))
                .isEqualTo(SearchPlan.WALK);
        assertThat(TaskQueries.searchPlan(5_000, false, never)).isEqualTo(SearchPlan.BOUNDED_WALK);
        assertThat(TaskQueries.searchPlan(50_000, false, never)).isEqualTo(SearchPlan.BOUNDED_WALK);
        // No estimate: bounded either way.
        assertThat(TaskQueries.searchPlan(-1, true, never)).isEqualTo(SearchPlan.BOUNDED_WALK);
        assertThat(TaskQueries.searchPlan(-1, false, never)).isEqualTo(SearchPlan.BOUNDED_WALK);
        assertThat(TaskQueries.walkRows(LIMIT)).isEqualTo(1_200);
    }

    private List<String> pageThrough(TaskFilter f, SortSpec sort, TaskView view, SearchPlan plan) throws Exception {
        List<String> seen = new ArrayList<>();
        Cursors.Position after = null;
        while (true) {
            Rows rows = queries.page(f, sort, view, LIMIT, after, plan);
            seen.addAll(ids(rows.items()));
            if (!rows.more()) {
                return seen;
            }
            after = new Cursors.Position(rows.lastValue(), rows.lastId());
        }
    }

    private List<String> ids(List<RawJson> items) throws Exception {
        List<String> ids = new ArrayList<>();
        for (RawJson item : items) {
            ids.add(mapper.readTree(item.json()).get("id").asText());
        }
        return ids;
    }

    /** Every match in order, straight from the table (nulls first descending, last ascending). */
    private List<String> bruteForce(TaskFilter f, SortSpec sort) throws Exception {
        String dir = sort.descending() ? " desc" : " asc";
        String sql = "select id from task where search @@ websearch_to_tsquery('english', ?)"
                + (f.includeDeleted() ? "" : " and deleted_at is null")
                + (f.agentIds().isEmpty() ? "" : " and agent_id = '" + f.agentIds().get(0) + "'")
                + " order by " + sort.field() + dir + ", id" + dir;
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, f.q());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }
}
