package dev.taskmirror.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.junit.jupiter.api.Test;

import dev.taskmirror.support.MirrorFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A search on a word with many matches, newest first, runs on windows of the newest rows that widen until
 * they hold a page. Paged through with cursors, it must return exactly what a plain ordered query returns,
 * whether the matches are spread evenly (the first window suffices) or all old (the windows must widen).
 */
@QuarkusTest
class SearchWindowTest {

    @Inject
    MirrorFixture fx;
    @Inject
    EntityManager em;

    @Test
    void evenlySpreadMatchesPageLikeAnOrderedScan() {
        fx.reset(1, 0);
        // 24,000 tasks, every second one about kafka: far above the threshold of many matches.
        insert(1, 24_000, "g % 2 = 0");
        analyze();
        assertPagesMatch("kafka", 12_000);
    }

    @Test
    void oldMatchesWidenTheWindowUntilAPageIsFound() {
        fx.reset(1, 0);
        // The 12,000 oldest of 40,000 tasks mention kafka: the newest windows hold none.
        insert(1, 40_000, "g > 28000");
        analyze();
        assertPagesMatch("kafka", 12_000);
    }

    private void assertPagesMatch(String word, int expected) {
        List<String> reference = reference(word);
        assertThat(reference).hasSize(expected);
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().queryParam("q", word).queryParam("limit", 500).queryParam("view", "summary");
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/tasks").then().statusCode(200).extract().jsonPath();
            paged.addAll(page.getList("items.id", String.class));
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(paged).isEqualTo(reference);
        // The first page of the default size too.
        assertThat(given().queryParam("q", word).get("/tasks").then().statusCode(200).extract().jsonPath()
                .getList("items.id", String.class)).isEqualTo(reference.subList(0, 50));
    }

    /** Tasks g = from..to, created g minutes before now (g = 1 newest); {@code about} selects the kafka ones. */
    @Transactional
    void insert(int from, int to, String about) {
        em.createNativeQuery("insert into task (id, agent_id, status, title, created_at, updated_at, document, "
                + "fingerprint, observed_at, synced_at, sync_state) select 'w-' || g, 'agent-w', 'completed', "
                + "case when " + about + " then 'sync kafka topic ' || g else 'refresh salesforce report ' || g end, "
                + "now() - g * interval '1 minute', now(), jsonb_build_object('id', 'w-' || g, 'agent_id', 'agent-w', "
                + "'status', 'completed'), md5(g::text), now(), now(), 'synced' from generate_series(" + from + ", " + to
                + ") g").executeUpdate();
    }

    /** Statistics for the planner's estimate of matches, which decides how the search runs. */
    @Transactional
    void analyze() {
        em.createNativeQuery("analyze task").executeUpdate();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    List<String> reference(String word) {
        return em.createNativeQuery("select id from task where deleted_at is null and search @@ "
                + "websearch_to_tsquery('english', ?1) order by created_at desc, id desc").setParameter(1, word)
                .getResultList();
    }
}
