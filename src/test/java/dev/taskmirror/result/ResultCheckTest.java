package dev.taskmirror.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/** Structured results judged against output_schema with the networknt validator. */
class ResultCheckTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** One of the simulator's schemas. */
    static final String SCHEMA = """
            {"type":"object","properties":{"summary":{"type":"string"},"score":{"type":"number"},
             "tags":{"type":"array","items":{"type":"string"}}},"required":["summary","score"]}""";

    static JsonNode json(String s) throws Exception {
        return MAPPER.readTree(s);
    }

    @Test
    void aValidResultIsParsedAndValid() throws Exception {
        ResultCheck c = ResultCheck.of("json", "completed", json(SCHEMA),
                "{\"summary\":\"ok\",\"score\":12.50,\"tags\":[\"a\"]}");
        assertThat(c.valid()).isTrue();
        assertThat(c.errors()).isNull();
        assertThat(c.json().get("summary").asText()).isEqualTo("ok");
        assertThat(c.json().get("score").decimalValue()).as("exact number").isEqualByComparingTo("12.50");
    }

    @Test
    void schemaViolationsAreListedWithWhere() throws Exception {
        ResultCheck c = ResultCheck.of("json", "completed", json(SCHEMA), "{\"summary\":1,\"tags\":[1,\"a\"]}");
        assertThat(c.valid()).isFalse();
        assertThat(c.json()).as("still parsed").isNotNull();
        assertThat(c.errors()).containsExactlyInAnyOrder("/summary: integer found, string expected",
                "/tags/0: integer found, string expected", "required property 'score' not found");
        assertThat(c.errorsNode()).hasSize(3);
    }

    @Test
    void manyViolationsAreCut() throws Exception {
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 25; i++) {
            big.append(i == 0 ? "" : ",").append(i);
        }
        ResultCheck c = ResultCheck.of("json", "completed", json("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"),
                big.append("]").toString());
        assertThat(c.valid()).isFalse();
        assertThat(c.errors()).hasSize(ResultCheck.MAX_ERRORS + 1).last().isEqualTo("… and 15 more");
    }

    @Test
    void aResultThatIsNotJsonIsInvalidWithTheReason() throws Exception {
        ResultCheck prose = ResultCheck.of("json", "completed", json(SCHEMA), "Sorry, I could not produce JSON.");
        assertThat(prose.valid()).isFalse();
        assertThat(prose.json()).isNull();
        assertThat(prose.errors()).singleElement().asString().startsWith("not JSON: ").contains("line 1");
        ResultCheck trailing = ResultCheck.of("json", "completed", null, "{\"a\":1} and more");
        assertThat(trailing.valid()).as("trailing text").isFalse();
        ResultCheck blank = ResultCheck.of("json", "completed", null, "   ");
        assertThat(blank.valid()).isFalse();
        assertThat(blank.errors()).containsExactly("not JSON: the result is blank");
        ResultCheck fenced = ResultCheck.of("json", "completed", null, "```json\n{\"a\":1}\n```");
        assertThat(fenced.valid()).as("markdown fences are not JSON").isFalse();
    }

    @Test
    void withoutASchemaAnyJsonIsValid() throws Exception {
        for (JsonNode schema : new JsonNode[] { null, json("null"), json("{}"), json("true") }) {
            ResultCheck c = ResultCheck.of("json", "completed", schema, "[1, \"two\", {\"three\": 3}]");
            assertThat(c.valid()).as(String.valueOf(schema)).isTrue();
            assertThat(c.json().size()).isEqualTo(3);
        }
        assertThat(ResultCheck.of("json", "completed", json("false"), "1").valid()).as("the false schema").isFalse();
    }

    @Test
    void onlyJsonTasksWithAnOutputAreJudged() throws Exception {
        assertThat(ResultCheck.of("markdown", "completed", null, "## Title")).isEqualTo(ResultCheck.NONE);
        assertThat(ResultCheck.of("text", "completed", null, "{}")).isEqualTo(ResultCheck.NONE);
        assertThat(ResultCheck.of(null, "completed", null, "{}")).isEqualTo(ResultCheck.NONE);
        assertThat(ResultCheck.of("json", "completed", json(SCHEMA), null)).isEqualTo(ResultCheck.NONE);
        assertThat(ResultCheck.of("json", "error", json(SCHEMA), "Error: tool timed out"))
                .as("an error task's result is its error text").isEqualTo(ResultCheck.NONE);
        assertThat(ResultCheck.of("json", "failed", json(SCHEMA), "Task failed")).isEqualTo(ResultCheck.NONE);
        assertThat(ResultCheck.of("json", "executing", null, "{\"partial\":true}").valid())
                .as("a latest-turn result of a running task is judged").isTrue();
    }

    @Test
    void anUnusableSchemaLeavesTheResultUnjudgedWithTheReason() throws Exception {
        ResultCheck notASchema = ResultCheck.of("json", "completed", json("[1,2]"), "{}");
        assertThat(notASchema.valid()).isNull();
        assertThat(notASchema.errors()).singleElement().asString().contains("not a JSON Schema");
        ResultCheck badPattern = ResultCheck.of("json", "completed", json("{\"pattern\":\"([a-z\"}"), "\"abc\"");
        assertThat(badPattern.valid()).isNull();
        assertThat(badPattern.errors()).singleElement().asString().startsWith("output_schema is not a usable JSON Schema")
                .contains("Unclosed character class");
        ResultCheck dialect = ResultCheck.of("json", "completed", json("{\"$schema\":\"https://example.com/s\"}"), "1");
        assertThat(dialect.valid()).isNull();
        assertThat(dialect.json()).as("the result is still parsed").isNotNull();
    }

    @Test
    void declaredDraftsAreHonoured() throws Exception {
        String draft4 = "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"type\":\"number\",\"maximum\":10,"
                + "\"exclusiveMaximum\":true}";
        assertThat(ResultCheck.of("json", "completed", json(draft4), "10").valid()).isFalse();
        assertThat(ResultCheck.of("json", "completed", json(draft4), "9").valid()).isTrue();
    }

    @Test
    void schemasAreNeverFetched() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] body = "{\"type\":\"string\"}".getBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            ResultCheck ref = ResultCheck.of("json", "completed", json("{\"$ref\":\"" + base + "/s.json\"}"), "5");
            ResultCheck meta = ResultCheck.of("json", "completed",
                    json("{\"$schema\":\"" + base + "/meta.json\",\"type\":\"string\"}"), "5");
            ResultCheck id = ResultCheck.of("json", "completed",
                    json("{\"$id\":\"" + base + "/root.json\",\"properties\":{\"a\":{\"$ref\":\"other.json\"}}}"),
                    "{\"a\":1}");
            assertThat(hits).as("no request to the schema's URLs").hasValue(0);
            for (ResultCheck c : new ResultCheck[] { ref, meta, id }) {
                assertThat(c.valid()).isNull();
                assertThat(c.errors()).singleElement().asString().startsWith("output_schema");
            }
            assertThat(ref.errors().get(0)).contains("never fetched");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aBacktrackingPatternIsCutOffByTheTimeBudget() throws Exception {
        // Exponential in java.util.regex: takes minutes without the budget.
        String evil = "{\"type\":\"string\",\"pattern\":\"^(.*a){12}$\"}";
        String input = "\"" + "a".repeat(40) + "b\"";
        long start = System.nanoTime();
        ResultCheck c = ResultCheck.of("json", "completed", json(evil), input);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(c.valid()).isNull();
        assertThat(c.errors()).singleElement().asString().contains("took longer than");
        assertThat(millis).isLessThan(2_000);
        assertThat(ResultCheck.of("json", "completed", json(evil), "\"" + "a".repeat(12) + "\"").valid())
                .as("a normal match").isTrue();
    }

    @Test
    void hugeOrUnstorableResults() throws Exception {
        String huge = "[" + "1,".repeat(ResultCheck.MAX_CHECKED_CHARS / 2) + "1]";
        ResultCheck tooLarge = ResultCheck.of("json", "completed", null, huge);
        assertThat(tooLarge.valid()).isNull();
        assertThat(tooLarge.errors()).singleElement().asString().contains("too large");

        ResultCheck nul = ResultCheck.of("json", "completed", null, "{\"a\":\"x\\u0000y\"}");
        assertThat(nul.valid()).isTrue();
        assertThat(nul.json()).as("jsonb cannot hold U+0000").isNull();
        assertThat(nul.errors()).singleElement().asString().contains("U+0000");

        ResultCheck deep = ResultCheck.of("json", "completed", null, "[".repeat(500) + "]".repeat(500));
        assertThat(deep.valid()).as("nesting beyond the parser's limit").isFalse();

        ResultCheck big = ResultCheck.of("json", "completed", null, "{\"n\": 1e400}");
        assertThat(big.valid()).isTrue();
        assertThat(big.json().get("n").isBigDecimal()).as("no Infinity").isTrue();
    }

    @Test
    void sameJsonComparesNumbersByValue() throws Exception {
        assertThat(ResultCheck.sameJson(json("{\"a\":[1.50,2]}"),
                ResultCheck.of("json", "completed", null, "{\"a\":[1.5,2.0]}").json())).isTrue();
        assertThat(ResultCheck.sameJson(json("{\"a\":1}"), json("{\"a\":2}"))).isFalse();
        assertThat(ResultCheck.sameJson(null, null)).isTrue();
        assertThat(ResultCheck.sameJson(json("1"), null)).isFalse();
    }
}
