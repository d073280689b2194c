package dev.taskmirror.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.XpanderSimulator;
import dev.taskmirror.support.MirrorFixture;
import dev.taskmirror.sync.CycleKind;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Generated bad input against every endpoint of the local API and of the xpander-compatible surface:
 * malformed JSON, wrong types for every field of the create and save bodies, huge values, bodies above the
 * configured limit, invalid enums, cursors and durations, odd unicode in paths, query values and bodies,
 * injection-looking filters, unknown parameters, wrong methods and content types.
 *
 * <p>Every generated request is invalid: it must be answered with a 4xx (never a 5xx) in the surface's error
 * shape (problem+json with a matching {@code status} on the local API, {@code {"detail": ...}} on
 * {@code /xpander}), and the database must be exactly as before. A small set of read-only probes with
 * injection-looking filter values must answer 200 and match nothing.
 *
 * <p>Systematic cases (every bad body for every body endpoint, every field with wrong types, every invalid
 * parameter value, every odd path segment for every route) are followed by randomly composed ones. Both come
 * from one seeded {@link Random}: the seed is printed; {@code -Dfuzz.seed=N} replays a run and
 * {@code -Dfuzz.random=N} changes how many random requests are added.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputFuzzTest {

    static final long DEFAULT_SEED = 20260525L;
    /** Randomly composed requests added to the systematic ones. */
    static final int DEFAULT_RANDOM = 800;
    static final String CLIENT_KEY = "test-write-key";
    static final String PROBLEM = "application/problem+json";

    static final JsonNodeFactory F = JsonNodeFactory.instance;
    /**
     * Invalid for every body endpoint (local create, save, batch get; xpander create, update, report): used
     * wherever a body must parse but still be refused.
     */
    static final String INVALID_OBJECT = "{\"title\": 5, \"ids\": 5, \"status\": 5, \"input\": 5, \"is_success\": \"maybe\"}";
    static final String HUGE = "x".repeat(300 * 1024);

    /** Odd text: NUL, bidi controls, emoji, BOM, lone surrogates, combining marks, separators, markup. */
    static final List<String> ODD = List.of("\u0000", "a\u0000b", "\u202Egnp.exe", "\u200F\u200Fx", "\uD83D\uDE00\uD83D\uDE80",
            "\uFEFFbom", "\uD800", "x\uDFFF", "e\u0301\u0301", "\uD835\uDD4F", "\u2028\u2029", "\t\r\n",
            "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "{{7*7}}", "\u0085\u00A0");
    /** Text that would mean something to SQL, JSONPath, tsquery, regex engines or a file system. */
    static final List<String> INJECTION = List.of("' OR '1'='1", "1; DROP TABLE task; --", "\") or 1=1 --",
            "$..*", "$[?(@.status=='completed')]", "!!(", "':*", "a & !b | (c <-> d)", "foo:* & !!", ".*",
            "^(a+)+$", "[a-z]+\\", "(?i).*", "%", "_%_", "\\", "../../../etc/passwd", "..\\..\\windows\\win.ini",
            "*", "?", "null", "{}", "[]", "' || pg_sleep(5) || '", "\\x00", "%00");
    /**
     * Already percent-encoded odd sequences: a lone surrogate encoded as UTF-8 (CESU), overlong encodings,
     * bytes that are never UTF-8, NUL, bidi marks, emoji, encoded traversal and double encoding.
     */
    static final List<String> RAW = List.of("%ED%A0%80", "%ED%BF%BFx", "%C0%80", "%C0%AF", "%FF%FE", "%00",
            "a%00b", "%E2%80%8F%E2%80%AE", "%F0%9F%98%80", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fsync",
            "%252e%252e%252f", "x%2F..%2F..%2Fq%2Fhealth", "%5C..%5C..%5Cwin.ini", "%27%20OR%201%3D1--");
    static final List<String> BAD_BOOLS = List.of("maybe", "2", "tru", "yes please", "on", "%00", "TRUE!", "\u202Etrue");
    static final List<String> BAD_INSTANTS = List.of("yesterday", "2026-13-45", "2026-02-30T25:00:00Z",
            "2026-03-02T09:15:04+25:00", "1e10", "' or 1=1 --", "\u0000", "../../etc", "+999999999-12-31T23:59:59Z",
            "-999999999-01-01T00:00:00Z", "+294277-01-01T00:00:00Z", "-4714-01-01T00:00:00Z", "+10000-01-01",
            "2026-03-02T09:15:04.1234567890123Z", "NaN", "\uD83D\uDE00");
    static final List<String> BAD_DURATIONS = List.of("-1s", "61s", "1h", "abc", "NaN", "NaNs", "Infinity", "-Infinity",
            "1e999s", "99999999999999999999ms", "9223372036854775807m", "0x10", "PT10S", "10 minutes", "%00",
            "\uD83D\uDE00s", "1.5.5s", "s", "ms", "--1s");

    @Inject
    MirrorFixture fx;
    @Inject
    ObjectMapper mapper;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBodySize;

    XpanderSimulator sim;
    String agent;
    String task;
    String otherTask;
    String organization;
    String listCursor;
    String changeCursor;
    long pendingOutboxId;

    /** A small mirror, a pending save and valid cursors to tamper with. */
    void seed() {
        sim = fx.reset(2, 12);
        sim.setLifecycleEnabled(false);
        fx.sync(CycleKind.FULL);
        agent = sim.agentIds().get(0);
        task = sim.taskIds(agent).get(0);
        otherTask = sim.taskIds(agent).get(1);
        organization = sim.organizationId();
        // A pending save, so that retrying or discarding it (only failed saves may be) is refused.
        given().contentType(ContentType.JSON).body("{\"title\": \"pending save\"}").patch("/tasks/" + otherTask)
                .then().statusCode(202);
        pendingOutboxId = fx.count("select max(id) from outbox");
        given().get("/sync").then().statusCode(200);
        listCursor = given().queryParam("limit", 2).get("/tasks").then().statusCode(200).extract().path("next_cursor");
        changeCursor = given().queryParam("since", "0").queryParam("limit", 1).get("/tasks/changes").then()
                .statusCode(200).extract().path("next_cursor");
        assertThat(listCursor).isNotNull();
        assertThat(changeCursor).isNotNull();
    }

    // ------------------------------------------------------------------------------------------ the run

    @Test
    void generatedBadInputIsRefusedWithA4xxInTheSurfacesShapeAndChangesNothing() throws Exception {
        seed();
        long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
        int random = Integer.getInteger("fuzz.random", DEFAULT_RANDOM);
        System.out.printf("%nBadInputFuzzTest: seed %d (replay with -Dfuzz.seed=%d), systematic cases plus %d random "
                + "ones (-Dfuzz.random=N)%n", seed, seed, random);
        List<Case> cases = new Generator(new Random(seed)).generate(random);
        List<Case> probes = readOnlyProbes();

        String before = digest();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, Integer> perEndpoint = new TreeMap<>();
        Map<Integer, Integer> histogram = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int fiveHundreds = 0;
        long started = System.nanoTime();
        for (Case c : concat(cases, probes)) {
            Outcome o = send(client, c);
            perEndpoint.merge(c.endpoint, 1, Integer::sum);
            histogram.merge(o.status, 1, Integer::sum);
            if (o.status >= 500) {
                fiveHundreds++;
            }
            String problem = check(c, o);
            if (problem != null && failures.size() < 40) {
                failures.add(problem + "\n    request:  " + c.describe() + "\n    response: " + o.status + " "
                        + o.contentType + " " + abbreviate(o.body));
            }
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        String after = digest();

        StringBuilder summary = new StringBuilder();
        summary.append(String.format("BadInputFuzzTest summary: seed %d, %d generated invalid requests + %d read-only "
                + "probes in %d ms, %d answered 5xx%n", seed, cases.size(), probes.size(), ms, fiveHundreds));
        summary.append("  requests per endpoint:\n");
        perEndpoint.forEach((k, v) -> summary.append(String.format("    %5d  %s%n", v, k)));
        summary.append("  status codes: ").append(histogram).append('\n');
        System.out.print(summary);

        assertThat(cases.size()).isGreaterThanOrEqualTo(1000);
        assertThat(failures).as("seed %d: requests answered wrongly", seed).isEmpty();
        assertThat(fiveHundreds).isZero();
        assertThat(after).as("task, outbox, idempotency_key and sync_scope rows after the run").isEqualTo(before);
    }

    /** The first problem with an answer, or null when it is right. */
    private String check(Case c, Outcome o) {
        if (o.status >= 500) {
            return "5xx";
        }
        if (c.probe) {
            if (o.status != 200) {
                return "read-only probe not answered 200";
            }
            JsonNode body = json(o.body);
            if (body == null) {
                return "probe answer is not JSON";
            }
            if (c.expectEmpty && !(body.path("items").isArray() && body.path("items").isEmpty())) {
                return "an injection-looking exact-match filter matched tasks";
            }
            return null;
        }
        if (o.status < 400) {
            return "invalid request accepted";
        }
        if (c.expectStatus != 0 && o.status != c.expectStatus) {
            return "expected " + c.expectStatus;
        }
        if (c.transport) {
            // Quarkus answers these itself (a bare 413 or 414) before any route or filter could shape them
            return o.status == 413 || o.status == 414 ? null : "expected 413 or 414 from the HTTP layer";
        }
        JsonNode body = json(o.body);
        if (c.xpander) {
            if (o.contentType == null || !o.contentType.startsWith("application/json")) {
                return "xpander error is not application/json";
            }
            if (body == null || !body.has("detail")) {
                return "xpander error without detail";
            }
            return null;
        }
        if (o.contentType == null || !o.contentType.startsWith(PROBLEM)) {
            return "local error is not " + PROBLEM;
        }
        if (body == null || !body.path("status").isInt() || body.get("status").asInt() != o.status) {
            return "problem status differs from the HTTP status";
        }
        if (!body.path("title").isTextual() || !body.path("type").isTextual()) {
            return "problem without type or title";
        }
        return null;
    }

    private JsonNode json(byte[] body) {
        try {
            JsonNode n = mapper.readTree(body);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException e) {
            return null;
        }
    }

    private String digest() {
        StringBuilder sb = new StringBuilder();
        for (String table : List.of("task", "outbox", "idempotency_key", "sync_scope")) {
            sb.append(table).append('=').append(fx.text("select count(*) || ':' || md5(coalesce(string_agg(x::text, "
                    + "E'\\n' order by x::text), '')) from " + table + " x")).append(' ');
        }
        return sb.toString();
    }

    // --------------------------------------------------------------------------------------- transport

    record Outcome(int status, String contentType, byte[] body) {
    }

    private Outcome send(HttpClient client, Case c) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + c.target))
                .timeout(Duration.ofSeconds(10));
        c.headers.forEach(b::header);
        b.method(c.method, c.body == null ? HttpRequest.BodyPublishers.noBody()
                : c.chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(c.body))
                : HttpRequest.BodyPublishers.ofByteArray(c.body));
        for (int attempt = 0;; attempt++) {
            // bounded as a whole: a stream that started with 200 would otherwise never end
            CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(b.build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            try {
                HttpResponse<byte[]> r = pending.get(15, TimeUnit.SECONDS);
                return new Outcome(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
            } catch (TimeoutException e) {
                pending.cancel(true);
                return new Outcome(598, null, "no complete answer within 15 s".getBytes(StandardCharsets.UTF_8));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof java.net.http.HttpTimeoutException) {
                    return new Outcome(598, null, ("no answer: " + e.getCause()).getBytes(StandardCharsets.UTF_8));
                }
                // An oversized body may be cut off by the server after it answered 413; the answer is what counts.
                if (attempt >= 2) {
                    return new Outcome(599, null, ("I/O error: " + e.getCause()).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    static String abbreviate(byte[] body) {
        String s = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        return s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }

    static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ------------------------------------------------------------------------------------------- cases

    /** One request. {@code target} is the raw (already encoded) path and query. */
    static final class Case {
        final String endpoint;
        final String method;
        final String target;
        final boolean xpander;
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body;
        boolean probe;
        boolean expectEmpty;
        /** Sent without Content-Length (chunked), so only reading the body can find it too large. */
        boolean chunked;
        /** The exact status expected (0: any 4xx). */
        int expectStatus;
        /** Refused by the HTTP layer before any route (request line too long): only the status is checked. */
        boolean transport;

        Case(String endpoint, String method, String target) {
            this.endpoint = endpoint;
            this.method = method;
            this.target = target;
            this.xpander = target.startsWith("/xpander");
            if (xpander) {
                headers.put("x-api-key", CLIENT_KEY);
            }
        }

        Case header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Case json(String text) {
            return bytes(text.getBytes(StandardCharsets.UTF_8), "application/json");
        }

        Case json(JsonNode node) {
            return json(node.toString());
        }

        Case bytes(byte[] content, String type) {
            body = content;
            if (type != null) {
                headers.put("Content-Type", type);
            }
            return this;
        }

        String describe() {
            String b = body == null ? "" : " body(" + body.length + " bytes" + (chunked ? ", chunked" : "") + "): "
                    + abbreviate(body);
            return method + " " + (target.length() > 300 ? target.substring(0, 300) + "…" : target) + " " + headers + b;
        }
    }

    /** Read-only requests whose filter values look like injections: 200, and exact-match filters match nothing. */
    private List<Case> readOnlyProbes() {
        List<Case> out = new ArrayList<>();
        for (String v : INJECTION) {
            if (v.contains("%00") || v.contains("\\x00")) {
                continue;
            }
            for (String p : List.of("user_id", "agent_id", "source", "internal_status", "parent_task_id",
                    "triggering_agent_id", "id")) {
                Case c = new Case("GET /tasks (read-only probe)", "GET", "/tasks?" + p + "=" + enc(v));
                c.probe = true;
                c.expectEmpty = !p.equals("agent_id") && !p.equals("source") && !p.equals("id") || !v.contains(",");
                out.add(c);
            }
            Case q = new Case("GET /tasks (read-only probe)", "GET", "/tasks?q=" + enc(v) + "&limit=5");
            q.probe = true;
            out.add(q);
            Case s = new Case("GET /tasks/stats (read-only probe)", "GET", "/tasks/stats?q=" + enc(v) + "&user_id=" + enc(v));
            s.probe = true;
            out.add(s);
        }
        return out;
    }

    /** Generates invalid requests from one {@link Random}: same seed, same requests. */
    final class Generator {

        final Random r;
        final List<Case> out = new ArrayList<>();

        Generator(Random r) {
            this.r = r;
        }

        <T> T pick(List<T> list) {
            return list.get(r.nextInt(list.size()));
        }

        List<Case> generate(int randomCount) {
            systematic();
            List<Runnable> random = List.of(this::randomListQuery, this::randomExportQuery, this::randomStatsQuery,
                    this::randomGetTask, this::randomChanges, this::randomStream, this::randomBatchGet,
                    this::randomCreate, this::randomPatch, this::randomStop, this::randomAttachments, this::randomSync,
                    this::randomOutbox, this::randomCompatCreate, this::randomCompatGet, this::randomCompatHistory,
                    this::randomCompatPatch, this::randomCompatStop, this::randomCompatActivity,
                    this::randomCompatReport, this::randomCompatEvents, this::randomWrongMethod);
            for (int i = 0; i < randomCount; i++) {
                pick(random).run();
            }
            return out;
        }

        Case add(String endpoint, String method, String target) {
            Case c = new Case(endpoint, method, target);
            out.add(c);
            return c;
        }

        // ------------------------------------------------------------------------------- values

        /** An odd value, percent-encoded for a path segment or query value. */
        String oddEncoded() {
            return switch (r.nextInt(3)) {
                case 0 -> enc(pick(ODD));
                case 1 -> pick(RAW);
                default -> enc(pick(INJECTION));
            };
        }

        /** Valid-looking or odd extra query parameters (unknown ones included) that never make a request valid. */
        String decoration() {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                sb.append('&').append(switch (r.nextInt(8)) {
                    case 0 -> "foo=bar";
                    case 1 -> "limit%5B%5D=1";
                    case 2 -> "__proto__=" + oddEncoded();
                    case 3 -> "filter%5Bstatus%5D=" + oddEncoded();
                    case 4 -> enc(pick(ODD)) + "=" + oddEncoded();
                    case 5 -> "user_id=" + oddEncoded();
                    case 6 -> "q=" + oddEncoded();
                    default -> "agent_id=" + enc(agent);
                });
            }
            return sb.toString();
        }

        /** Query parameters that are invalid on their own for the task list (name=value, encoded). */
        List<String> invalidFilters() {
            List<String> p = new ArrayList<>();
            for (String v : List.of("done", "COMPLETED", "' OR 1=1 --", "comp%00leted", "\u202Ecompleted",
                    "completed,bogus", "\uD83D\uDE00")) {
                p.add("status=" + (v.contains("%00") ? v : enc(v)));
            }
            for (String v : List.of("xml", "JSON", "text;drop", "vo\u0000ice")) {
                p.add("output_format=" + enc(v));
            }
            for (String v : List.of("video", "IMAGE", "../image")) {
                p.add("attachment_category=" + enc(v));
            }
            for (String b : List.of("has_result", "is_manually_stopped", "include_deleted", "has_attachments",
                    "result_valid")) {
                p.add(b + "=" + enc(pick(BAD_BOOLS)));
            }
            for (String t : List.of("created_after", "created_before", "updated_after", "updated_before",
                    "finished_after", "finished_before")) {
                p.add(t + "=" + enc(pick(BAD_INSTANTS)));
            }
            p.add("q=" + enc(("!!( ':* " + pick(INJECTION) + " ").repeat(60).substring(0, 600))); // over 500
            for (String t : List.of("user_id", "parent_task_id", "triggering_agent_id", "internal_status", "agent_id",
                    "source", "id")) {
                p.add(t + "=" + enc("y".repeat(256)));
                p.add(t + "=" + "a%00b");
                p.add(t + "=" + enc("x\u0000y"));
            }
            StringBuilder many = new StringBuilder("id=");
            for (int i = 0; i < 501; i++) {
                many.append(i == 0 ? "" : ",").append("t").append(i);
            }
            p.add(many.toString());
            return p;
        }

        List<String> invalidPaging() {
            List<String> p = new ArrayList<>();
            for (String v : List.of("0", "-1", "501", "abc", "1.5", "99999999999999999999", "1e2", "NaN", "%00", "0x10",
                    "\uD83D\uDE00")) {
                p.add("limit=" + (v.equals("%00") ? v : enc(v)));
            }
            for (String v : List.of("bogus", "created_at:sideways", "id", "created_at;drop table task",
                    "-finished_at:asc", "updated_at:", "status:asc", "\u0000")) {
                p.add("sort=" + enc(v));
            }
            p.addAll(invalidViews());
            p.add("include_total=" + enc(pick(BAD_BOOLS)));
            p.addAll(invalidCursors("cursor", listCursor));
            return p;
        }

        List<String> invalidViews() {
            List<String> p = new ArrayList<>();
            for (String v : List.of("compact", "FULL", "summary;drop", "\u0000", "*")) {
                p.add("view=" + enc(v));
            }
            for (String v : List.of("id,Title", "a b", "id;drop", "../x", "input.user", "(select 1)", "$..*",
                    "z".repeat(65), "\u202Eid", "status,sta\u0000tus")) {
                p.add("fields=" + enc(v));
            }
            StringBuilder many = new StringBuilder("fields=");
            for (int i = 0; i < 61; i++) {
                many.append(i == 0 ? "" : ",").append("f").append(i);
            }
            p.add(many.toString());
            return p;
        }

        /**
         * Garbage, truncated, extended and forged cursors; for the signed page cursor also edited ones (the
         * change-feed cursor is a plain position: an edit that keeps its syntax is just another position).
         */
        List<String> invalidCursors(String name, String valid) {
            boolean signed = name.equals("cursor");
            List<String> p = new ArrayList<>();
            for (String v : List.of("garbage", ".", "a.b", "%00", "' or 1=1", "eyJxIjoiIn0", valid + "!",
                    "!" + valid, valid.substring(0, valid.length() / 2) + "!")) {
                p.add(name + "=" + (v.equals("%00") ? v : enc(v)));
            }
            if (signed) {
                p.add(name + "=" + enc(valid.replace('.', '!')));
                p.add(name + "=" + enc(valid + "x"));
                p.add(name + "=" + enc(valid.substring(0, valid.length() / 2)));
                p.add(name + "=" + enc(flip(valid, valid.length() / 3)));
                p.add(name + "=" + enc(flip(valid, valid.length() - 2)));
            }
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String forged = b64.encodeToString("{\"q\":\"x\",\"v\":1,\"i\":\"a\"}".getBytes(StandardCharsets.UTF_8));
            int dot = valid.indexOf('.');
            p.add(name + "=" + enc(forged + (dot > 0 ? valid.substring(dot) : ".AAAA")));
            return p;
        }

        String flip(String s, int at) {
            char c = s.charAt(at);
            return s.substring(0, at) + (c == 'A' ? 'B' : 'A') + s.substring(at + 1);
        }

        /** JSON that does not parse, or is not an object, or breaks the parser's limits. */
        List<byte[]> badJson() {
            List<String> texts = new ArrayList<>(List.of("", " ", "{", "}", "{\"agent_id\":", "{\"agent_id\": \"a\"",
                    "{\"title\": \"x\",}", "{'agent_id': 'a'}", "{agent_id: \"a\"}", "[", "[]", "[{}]", "\"str\"",
                    "42", "-0.0e+", "null", "true", "{\"agent_id\": NaN}", "{\"title\": NaN}", "{\"title\": Infinity}",
                    "{\"title\": -Infinity}", "{\"run_locally\": NaN, \"agent_id\": \"a\"}", "{\"a\": undefined}",
                    "{\"title\": \"unterminated}", "{\"title\": \"bad escape \\q\"}", "{\"title\": \"\\u12\"}",
                    "{\"title\": \"ctrl \u0001 char\"}", "{\"title\": 'single'}", "{\"title\": \"x\"}}",
                    "{\"ids\": [\"a\",]}", "/* comment */ {}", "{\"title\": 0x10}", "{\"title\": 01}",
                    "{\"title\": 1." + "}", "\uFEFF{\"title\": \"bom\"", "{\"input\": {\"text\": \"x\"}"));
            texts.add("{\"output_schema\": " + "{\"a\": ".repeat(3000) + "1" + "}".repeat(3000) + "}");
            texts.add("{\"title\": " + "[".repeat(5000) + "]".repeat(5000) + "}");
            texts.add("{\"title\": " + "9".repeat(5000) + "}");
            texts.add("{\"agent_id\": \"a\", \"run_locally\": 1e999999, \"status\": 1e999999, \"input\": -1e999999, "
                    + "\"is_success\": 1e999999, \"ids\": 1e999999, \"title\": 1e999999}");
            texts.add(INVALID_OBJECT + " trailing");
            texts.add(INVALID_OBJECT.replace("}", "} {}"));
            texts.add("{\"" + "k".repeat(60_000) + "\": 1,");
            List<byte[]> out = new ArrayList<>();
            for (String t : texts) {
                out.add(t.getBytes(StandardCharsets.UTF_8));
            }
            // bytes that are not UTF-8: a lone surrogate encoded as UTF-8, an overlong encoding, 0xFF
            out.add(new byte[] { '{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"' });
            out.add(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', ',' });
            // UTF-16 with a byte-order mark (JSON must be UTF-8): parsed or not, the object is invalid
            byte[] utf16 = INVALID_OBJECT.getBytes(StandardCharsets.UTF_16LE);
            byte[] bom = new byte[utf16.length + 2];
            bom[0] = (byte) 0xFF;
            bom[1] = (byte) 0xFE;
            System.arraycopy(utf16, 0, bom, 2, utf16.length);
            out.add(bom);
            out.add(new byte[] { '{', '"', 't', '"', ':', '"', 'a', 0, 'b', '"' });
            return out;
        }

        /** Bodies over quarkus.http.limits.max-body-size. */
        byte[] oversized() {
            int size = (int) maxBodySize.asLongValue() + 64 * 1024;
            StringBuilder sb = new StringBuilder(size + 64).append("{\"agent_id\": \"").append(agent)
                    .append("\", \"prompt\": \"");
            sb.append("p".repeat(size));
            return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
        }

        // ------------------------------------------------------------------------------- systematic

        void systematic() {
            String taskPath = "/tasks/" + task;
            String compatCreate = "/xpander/agent-execution/" + agent;
            String compatUpdate = "/xpander/agent-execution/" + task + "/update";
            String compatReport = "/xpander/agent-execution/" + agent + "/report_task";
            List<String[]> bodyEndpoints = List.of(
                    new String[] { "POST /tasks", "POST", "/tasks" },
                    new String[] { "PATCH /tasks/{id}", "PATCH", taskPath },
                    new String[] { "POST /tasks/batch-get", "POST", "/tasks/batch-get" },
                    new String[] { "POST /xpander/agent-execution/{agent_id}", "POST", compatCreate },
                    new String[] { "PATCH /xpander/agent-execution/{task_id}/update", "PATCH", compatUpdate },
                    new String[] { "POST /xpander/agent-execution/{agent_id}/report_task", "POST", compatReport });
            for (String[] e : bodyEndpoints) {
                for (byte[] b : badJson()) {
                    add(e[0], e[1], e[2]).bytes(b, "application/json");
                }
                add(e[0], e[1], e[2]).bytes(oversized(), "application/json").expectStatus = 413;
                Case chunked = add(e[0], e[1], e[2]).bytes(oversized(), "application/json");
                chunked.chunked = true;
                chunked.transport = true;
                chunked.expectStatus = 413;
                for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x", "application/json-patch+json", "image/png", "text/csv")) {
                    add(e[0], e[1], e[2]).bytes(INVALID_OBJECT.getBytes(StandardCharsets.UTF_8), type);
                }
                add(e[0], e[1], e[2]).bytes(INVALID_OBJECT.getBytes(StandardCharsets.UTF_8), null);
                add(e[0], e[1], e[2]);
            }
            createWrongTypes();
            patchWrongTypes();
            batchGetBodies();
            compatCreateWrongTypes();
            compatPatchWrongTypes();
            compatReportWrongTypes();
            queryParams();
            pathSegments();
            wrongMethods();
            keys();
        }

        ObjectNode obj() {
            return F.objectNode();
        }

        /** Values of the wrong JSON type for a field of the given kind; none is coerced into a valid value. */
        List<JsonNode> wrong(String kind) {
            ArrayNode arr = F.arrayNode().add(1).add("x");
            ObjectNode o = obj().put("k", "v");
            return switch (kind) {
                case "string" -> List.of(o, arr, F.arrayNode(), obj());
                case "bool" -> List.of(F.textNode("maybe"), F.numberNode(2.5), o, arr);
                case "list" -> List.of(F.textNode("x"), o, F.numberNode(7), F.arrayNode().add(obj()), F.booleanNode(true));
                case "objects" -> List.of(F.textNode("x"), o, F.numberNode(7), F.arrayNode().add(5),
                        F.arrayNode().add("x"), F.arrayNode().add(F.arrayNode().add("x")), F.booleanNode(true));
                case "map" -> List.of(F.textNode("x"), arr, F.numberNode(7), F.booleanNode(false));
                case "object" -> List.of(F.textNode("x"), arr, F.numberNode(7), F.booleanNode(false));
                case "int" -> List.of(F.textNode("x"), o, arr, F.numberNode(1.5), F.booleanNode(true));
                case "number" -> List.of(F.textNode("x"), o, arr, F.booleanNode(true));
                case "datetime" -> List.of(F.textNode("yesterday"), F.numberNode(1), o, F.textNode("2026-02-30T25:00:00Z"));
                default -> throw new IllegalArgumentException(kind);
            };
        }

        void createWrongTypes() {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String f : List.of("agent_id", "prompt", "agent_version", "source", "worker_id", "output_format",
                    "additional_context", "instructions_override", "test_run_node_id", "user_oidc_token",
                    "expected_output", "triggering_agent_id", "title", "think_mode", "parent_execution_id",
                    "llm_model_provider", "llm_model_name", "llm_reasoning_effort")) {
                fields.put(f, "string");
            }
            for (String f : List.of("run_locally", "events_streaming", "disable_attachment_injection", "return_metrics")) {
                fields.put(f, "bool");
            }
            fields.put("file_urls", "list");
            fields.put("mcp_servers", "objects");
            for (String f : List.of("tool_call_payload_extension", "output_schema", "user_tokens", "user_details")) {
                fields.put(f, "map");
            }
            fields.forEach((f, kind) -> {
                for (JsonNode w : wrong(kind)) {
                    ObjectNode b = obj().put("agent_id", agent);
                    b.set(f, w);
                    add("POST /tasks", "POST", "/tasks").json(b);
                }
                if (kind.equals("string") && !f.equals("prompt")) {
                    add("POST /tasks", "POST", "/tasks").json(obj().put("agent_id", agent).put(f, HUGE));
                }
            });
            // scalars a lenient parser may coerce into strings: always with another invalid field
            for (String f : List.of("prompt", "title", "source", "agent_version")) {
                for (JsonNode w : List.of(F.numberNode(5), F.booleanNode(true), F.numberNode(1e300))) {
                    ObjectNode b = obj().put("agent_id", agent).put("output_format", "xml");
                    b.set(f, w);
                    add("POST /tasks", "POST", "/tasks").json(b);
                }
            }
            // invalid values of the right type
            for (ObjectNode b : List.of(obj(), obj().putNull("agent_id"), obj().put("agent_id", ""),
                    obj().put("agent_id", "   "), obj().put("agent_id", "a\u0000b"), obj().put("agent_id", "\u0000"),
                    obj().put("agent_id", "y".repeat(256)), obj().put("prompt", "no agent"))) {
                add("POST /tasks", "POST", "/tasks").json(b);
            }
            for (String[] ev : List.of(new String[] { "output_format", "XML" }, new String[] { "output_format", "JSON" },
                    new String[] { "output_format", "text " }, new String[] { "think_mode", "hardest" },
                    new String[] { "llm_reasoning_effort", "max" }, new String[] { "output_format", "\u0000" },
                    new String[] { "think_mode", HUGE })) {
                add("POST /tasks", "POST", "/tasks").json(obj().put("agent_id", agent).put(ev[0], ev[1]));
            }
            List<JsonNode> users = List.of(obj(), obj().put("email", "not-an-email"), obj().put("email", ""),
                    obj().put("email", "a@b.example").set("first_name", obj()),
                    obj().put("email", "a@b.example").put("timezone", "z".repeat(65)),
                    obj().put("email", "a@b.example").put("id", HUGE),
                    obj().put("email", "a@b.example").set("additional_attributes", F.textNode("x")),
                    obj().set("email", F.arrayNode()));
            for (JsonNode u : users) {
                ObjectNode b = obj().put("agent_id", agent);
                b.set("user_details", u);
                add("POST /tasks", "POST", "/tasks").json(b);
            }
            List<JsonNode> servers = List.of(obj().put("type", "cloud"), obj().put("transport", "carrier-pigeon"),
                    obj().put("auth_type", "password"), obj().set("headers", F.textNode("x")),
                    obj().set("headers", obj().set("a", obj())), obj().set("env_vars", F.arrayNode()),
                    obj().set("allowed_tools", F.textNode("x")), obj().put("use_secrets_manager", "maybe"),
                    obj().put("api_key", HUGE), obj().put("url", "u".repeat(2049)), obj().set("name", obj()),
                    obj().set("share_user_token_across_other_agents", F.arrayNode()));
            for (JsonNode s : servers) {
                ObjectNode b = obj().put("agent_id", agent);
                b.putArray("mcp_servers").add(s);
                add("POST /tasks", "POST", "/tasks").json(b);
            }
            ObjectNode many = obj().put("agent_id", agent);
            ArrayNode list = many.putArray("mcp_servers");
            for (int i = 0; i < 51; i++) {
                list.add(obj().put("name", "s" + i));
            }
            add("POST /tasks", "POST", "/tasks").json(many);
            ObjectNode files = obj().put("agent_id", agent);
            ArrayNode fl = files.putArray("file_urls");
            for (int i = 0; i < 101; i++) {
                fl.add("https://files.example.com/" + i);
            }
            add("POST /tasks", "POST", "/tasks").json(files);
            for (JsonNode f : List.of(F.arrayNode().add(""), F.arrayNode().addNull(), F.arrayNode().add("u".repeat(4097)))) {
                ObjectNode b = obj().put("agent_id", agent);
                b.set("file_urls", f);
                add("POST /tasks", "POST", "/tasks").json(b);
            }
            // escaped lone surrogates (valid JSON syntax, not valid text) next to an invalid field
            add("POST /tasks", "POST", "/tasks").json("{\"agent_id\": \"" + agent + "\", \"title\": \"\\ud800\", "
                    + "\"prompt\": \"\\udfff\\ud800\", \"output_format\": \"xml\"}");
            add("POST /tasks", "POST", "/tasks").json("{\"agent_id\": \"\\ud800\\u0000\"}");
            // duplicate keys: the last value is invalid
            add("POST /tasks", "POST", "/tasks").json("{\"agent_id\": \"" + agent + "\", \"agent_id\": \"\"}");
            add("POST /tasks", "POST", "/tasks").json("{\"agent_id\": \"" + agent + "\", \"output_format\": \"json\", "
                    + "\"output_format\": \"xml\"}");
            add("POST /tasks", "POST", "/tasks").json("{\"agent_id\": \"" + agent + "\", \"run_locally\": true, "
                    + "\"run_locally\": \"maybe\"}");
            // an idempotency key that is too long (with an otherwise valid body) is refused before anything is stored
            add("POST /tasks", "POST", "/tasks").header("Idempotency-Key", "k".repeat(256))
                    .json(obj().put("agent_id", agent).put("prompt", "idempotent"));
        }

        void patchWrongTypes() {
            String path = "/tasks/" + task;
            Map<String, List<JsonNode>> fields = new LinkedHashMap<>();
            fields.put("status", List.of(F.numberNode(5), F.textNode("done"), F.textNode(""), F.textNode("COMPLETED"),
                    obj(), F.arrayNode().add("completed"), F.booleanNode(true), F.nullNode(), F.textNode("completed\u0000")));
            for (String f : List.of("result", "internal_status", "title", "source", "last_executed_node_id")) {
                List<JsonNode> w = new ArrayList<>(List.of(F.numberNode(5), obj(), F.arrayNode(), F.booleanNode(false),
                        F.numberNode(1e308)));
                if (!f.equals("result")) {
                    w.add(F.textNode(HUGE));
                }
                fields.put(f, w);
            }
            fields.put("payload_extension", List.of(F.textNode("x"), F.numberNode(5), F.arrayNode(), F.booleanNode(true)));
            fields.put("tool_call_payload_extension", List.of(F.textNode("x"), F.numberNode(5), F.arrayNode()));
            fields.forEach((f, values) -> {
                for (JsonNode w : values) {
                    ObjectNode b = obj();
                    b.set(f, w);
                    add("PATCH /tasks/{id}", "PATCH", path).json(b);
                }
            });
            add("PATCH /tasks/{id}", "PATCH", path).json(obj().put("internal_status", "i".repeat(256)));
            add("PATCH /tasks/{id}", "PATCH", path).json(obj().put("title", "t".repeat(1001)));
            add("PATCH /tasks/{id}", "PATCH", path).json("{\"payload_extension\": {\"a\": 1}, "
                    + "\"tool_call_payload_extension\": {\"a\": 2}}");
            for (String b : List.of("{}", "{\"unknown\": 1}", "{\"id\": \"other\"}", "{\"agent_id\": \"x\"}",
                    "{\"title\": \"a\", \"title\": 5}", "{\"status\": \"completed\", \"status\": \"finished\"}")) {
                add("PATCH /tasks/{id}", "PATCH", path).json(b);
            }
            // NUL cannot be stored by PostgreSQL: a save carrying one must be refused, not fail
            for (String f : List.of("title", "internal_status", "source", "result", "last_executed_node_id")) {
                add("PATCH /tasks/{id}", "PATCH", path).json(obj().put(f, "a\u0000b"));
            }
            add("PATCH /tasks/{id}", "PATCH", path).json("{\"payload_extension\": {\"k\\u0000\": \"v\"}}");
            // merge-patch content type with a bad body; a stale If-Match; an unknown task
            add("PATCH /tasks/{id}", "PATCH", path).bytes("{\"title\": 5}".getBytes(StandardCharsets.UTF_8),
                    "application/merge-patch+json");
            add("PATCH /tasks/{id}", "PATCH", path).header("If-Match", "\"v999999\"").json(obj().put("title", "stale"));
            add("PATCH /tasks/{id}", "PATCH", path).header("If-Match", "*garbage*").json(obj().put("title", "stale"));
            add("PATCH /tasks/{id}", "PATCH", "/tasks/" + enc("no-such-task")).json(obj().put("title", "ghost"));
            add("POST /tasks/{id}/stop", "POST", path + "/stop").header("If-Match", "\"v999999\"");
            add("POST /tasks/{id}/stop", "POST", path + "/stop").header("If-Match", "W/\"v1\", \"nope\"");
        }

        void batchGetBodies() {
            String p = "/tasks/batch-get";
            for (String b : List.of("{}", "{\"ids\": null}", "{\"ids\": \"x\"}", "{\"ids\": []}", "{\"ids\": [\"\"]}",
                    "{\"ids\": [\"  \"]}", "{\"ids\": [null]}", "{\"ids\": [{}]}", "{\"ids\": [[\"a\"]]}", "{\"ids\": {}}",
                    "{\"ids\": [\"" + "z".repeat(256) + "\"]}", "{\"id\": [\"a\"]}")) {
                add("POST /tasks/batch-get", "POST", p).json(b);
            }
            ArrayNode ids = F.arrayNode();
            for (int i = 0; i < 501; i++) {
                ids.add("t" + i);
            }
            add("POST /tasks/batch-get", "POST", p).json(obj().set("ids", ids));
            add("POST /tasks/batch-get", "POST", p).json(obj().set("ids", F.arrayNode().add(task).add("a\u0000b")));
            for (String v : invalidViews()) {
                add("POST /tasks/batch-get", "POST", p + "?" + v).json(obj().set("ids", F.arrayNode().add(task)));
            }
        }

        void compatCreateWrongTypes() {
            String p = "/xpander/agent-execution/" + agent;
            String ep = "POST /xpander/agent-execution/{agent_id}";
            Map<String, String> keys = new LinkedHashMap<>();
            for (String f : List.of("id", "source", "worker_id", "additional_context", "instructions_override",
                    "test_run_node_id", "user_oidc_token", "expected_output", "triggering_agent_id", "title",
                    "parent_execution_id", "llm_model_provider", "llm_model_name", "voice_id")) {
                keys.put(f, "string");
            }
            for (String f : List.of("run_locally", "events_streaming", "disable_attachment_injection", "return_metrics")) {
                keys.put(f, "bool");
            }
            for (String f : List.of("payload_extension", "output_schema", "user_tokens")) {
                keys.put(f, "object");
            }
            keys.put("mcp_servers", "objects");
            keys.forEach((f, kind) -> {
                List<JsonNode> values = new ArrayList<>(wrong(kind));
                if (kind.equals("string")) {
                    values.add(F.numberNode(5));
                    values.add(F.booleanNode(true));
                }
                for (JsonNode w : values) {
                    ObjectNode b = obj();
                    b.putObject("input").put("text", "fuzz");
                    b.set(f, w);
                    add(ep, "POST", p).json(b);
                }
            });
            for (JsonNode input : List.of(F.textNode("x"), F.arrayNode(), F.numberNode(5), F.nullNode(),
                    obj().set("text", obj()), obj().set("files", F.textNode("x")), obj().set("files", F.arrayNode().add(5)),
                    obj().set("user", F.textNode("x")), obj().set("user", obj()),
                    obj().set("user", obj().put("email", "a@b.example").set("first_name", F.arrayNode())),
                    obj().set("user", obj().putNull("email")),
                    obj().set("user", obj().put("email", "a@b.example").set("additional_attributes", F.numberNode(1))))) {
                ObjectNode b = obj();
                b.set("input", input);
                add(ep, "POST", p).json(b);
            }
            for (String[] ev : List.of(new String[] { "output_format", "xml" }, new String[] { "think_mode", "hardest" },
                    new String[] { "llm_reasoning_effort", "max" }, new String[] { "output_format", HUGE })) {
                ObjectNode b = obj();
                b.putObject("input").put("text", "fuzz");
                b.put(ev[0], ev[1]);
                add(ep, "POST", p).json(b);
            }
            for (JsonNode s : List.of(obj().put("type", "cloud"), obj().put("transport", "pigeon"),
                    obj().put("auth_type", "password"), F.textNode("x"), F.numberNode(1),
                    obj().set("headers", F.textNode("x")), obj().set("allowed_tools", F.textNode("x")),
                    obj().put("use_secrets_manager", "maybe"))) {
                ObjectNode b = obj();
                b.putObject("input").put("text", "fuzz");
                b.putArray("mcp_servers").add(s);
                add(ep, "POST", p).json(b);
            }
            add(ep, "POST", p).json("{}");
            add(ep, "POST", p).json("{\"input\": {\"text\": \"a\"}, \"input\": 5}");
            add(ep, "POST", p).json(obj().set("input", obj().put("text", "nul \u0000 inside")));
            add(ep, "POST", p).header("x-agent-version", "../../etc").json(obj().set("input", F.textNode("x")));
        }

        void compatPatchWrongTypes() {
            String p = "/xpander/agent-execution/" + task + "/update";
            String ep = "PATCH /xpander/agent-execution/{task_id}/update";
            Map<String, String> keys = new LinkedHashMap<>();
            for (String f : List.of("last_executed_node_id", "agent_version", "result", "parent_execution", "source",
                    "worker_id", "voice_id", "additional_context", "instructions_override", "test_run_node_id",
                    "user_oidc_token", "expected_output", "triggering_agent_id", "title", "llm_model_provider",
                    "llm_model_name")) {
                keys.put(f, "string");
            }
            for (String f : List.of("is_manually_stopped", "events_streaming", "used_mutating_tools", "is_continuous",
                    "is_orchestration", "disable_attachment_injection", "return_metrics")) {
                keys.put(f, "bool");
            }
            for (String f : List.of("started_at", "paused_at", "finished_at")) {
                keys.put(f, "datetime");
            }
            for (String f : List.of("payload_extension", "tool_call_payload_extension", "hitl_request",
                    "pending_eca_request", "output_schema", "user_tokens")) {
                keys.put(f, "object");
            }
            for (String f : List.of("sub_executions", "finished_sub_executions", "used_tools")) {
                keys.put(f, "list");
            }
            keys.put("mcp_servers", "objects");
            keys.put("execution_attempts", "int");
            keys.put("duration", "number");
            keys.put("tokens", "object");
            keys.put("deep_planning", "object");
            keys.forEach((f, kind) -> {
                List<JsonNode> values = new ArrayList<>(wrong(kind));
                if (kind.equals("string")) {
                    values.add(F.numberNode(5));
                }
                for (JsonNode w : values) {
                    ObjectNode b = obj();
                    b.set(f, w);
                    add(ep, "PATCH", p).json(b);
                }
            });
            for (String[] ev : List.of(new String[] { "status", "done" }, new String[] { "output_format", "xml" },
                    new String[] { "think_mode", "hardest" }, new String[] { "llm_reasoning_effort", "max" },
                    new String[] { "internal_status", "i".repeat(256) }, new String[] { "internal_status", HUGE })) {
                add(ep, "PATCH", p).json(obj().put(ev[0], ev[1]));
            }
            for (JsonNode input : List.of(F.textNode("x"), F.numberNode(5), F.nullNode(), F.arrayNode())) {
                ObjectNode b = obj();
                b.set("input", input);
                add(ep, "PATCH", p).json(b);
            }
            add(ep, "PATCH", p).json(obj().put("tokens", "x").put("title", "changed"));
            add(ep, "PATCH", p).json(obj().set("tokens", obj().put("prompt_tokens", "many")));
            add(ep, "PATCH", p).json(obj().put("title", "nul \u0000 inside"));
            add(ep, "PATCH", "/xpander/agent-execution/" + enc("no-such-task") + "/update").json(obj().put("title", "x"));
        }

        void compatReportWrongTypes() {
            String p = "/xpander/agent-execution/" + agent + "/report_task";
            String ep = "POST /xpander/agent-execution/{agent_id}/report_task";
            Map<String, List<JsonNode>> keys = new LinkedHashMap<>();
            keys.put("id", wrong("string"));
            keys.put("input", List.of(F.numberNode(5), obj(), F.arrayNode()));
            keys.put("is_success", List.of(F.textNode("maybe"), F.numberNode(1), obj()));
            keys.put("result", List.of(obj(), F.arrayNode(), F.numberNode(5)));
            keys.put("duration", List.of(F.textNode("long"), obj(), F.booleanNode(true)));
            keys.put("used_tools", wrong("list"));
            keys.put("tokens", List.of(F.textNode("x"), F.numberNode(5), obj().put("prompt_tokens", "many")));
            keys.forEach((f, values) -> {
                for (JsonNode w : values) {
                    ObjectNode b = obj().put("input", "reported elsewhere").put("result", "done");
                    b.set(f, w);
                    add(ep, "POST", p).json(b);
                }
            });
        }

        void queryParams() {
            for (String q : concat(invalidFilters(), invalidPaging())) {
                add("GET /tasks", "GET", "/tasks?" + q + decoration());
            }
            for (String q : concat(invalidFilters(), invalidViews())) {
                String accept = r.nextBoolean() ? "application/x-ndjson" : "text/csv";
                add("GET /tasks (export)", "GET", "/tasks?" + q + decoration()).header("Accept", accept);
            }
            List<String> stats = new ArrayList<>(invalidFilters());
            for (String tz : List.of("Mars/Olympus_Mons", "../../etc/passwd", "UTC+99", "%00", "Europe/Berlin;drop",
                    "\u202EUTC", "GMT+25:00", "")) {
                stats.add("tz=" + (tz.equals("%00") ? tz : enc(tz)) + (tz.isEmpty() ? "&bucket=year" : ""));
            }
            for (String b : List.of("year", "minute", "DAY", "day;drop", "%00", "quarter")) {
                stats.add("bucket=" + (b.equals("%00") ? b : enc(b)));
            }
            for (String q : stats) {
                add("GET /tasks/stats", "GET", "/tasks/stats?" + q + decoration());
            }
            for (String w : BAD_DURATIONS) {
                add("GET /tasks/{id}", "GET", "/tasks/" + task + "?wait=" + enc(w));
                add("GET /tasks/changes", "GET", "/tasks/changes?since=now&wait=" + enc(w));
            }
            for (String b : BAD_BOOLS) {
                add("GET /tasks/{id}", "GET", "/tasks/" + task + "?refresh=" + enc(b));
            }
            List<String> changes = new ArrayList<>(invalidCursors("since", changeCursor));
            for (String since : List.of("-1", "1", "now;", "NOW", "c1:1:1", "c2", "Yz1oZWxsbw",
                    Base64.getUrlEncoder().withoutPadding().encodeToString("c1:abc:1".getBytes(StandardCharsets.UTF_8)),
                    Base64.getUrlEncoder().withoutPadding().encodeToString("c1:1:2:3".getBytes(StandardCharsets.UTF_8)),
                    Base64.getUrlEncoder().withoutPadding().encodeToString("c1:-5:1".getBytes(StandardCharsets.UTF_8)),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(
                            "c1:99999999999999999999:1".getBytes(StandardCharsets.UTF_8)))) {
                changes.add("since=" + enc(since));
            }
            for (String l : List.of("-1", "1001", "abc", "1e3", "%00", "99999999999")) {
                changes.add("limit=" + (l.equals("%00") ? l : enc(l)));
            }
            changes.addAll(invalidViews());
            for (String q : changes) {
                add("GET /tasks/changes", "GET", "/tasks/changes?" + q + decoration());
            }
            List<String> stream = new ArrayList<>(invalidCursors("since", changeCursor));
            stream.addAll(invalidViews());
            for (String q : stream) {
                add("GET /tasks/stream", "GET", "/tasks/stream?" + q + decoration()).header("Accept", "text/event-stream");
            }
            for (String id : List.of("garbage", "c1:1:1", "\u0000", "%00")) {
                add("GET /tasks/stream", "GET", "/tasks/stream").header("Accept", "text/event-stream")
                        .header("Last-Event-ID", id.equals("%00") ? "%00" : id.replace("\u0000", "?"));
            }
            for (String b : BAD_BOOLS) {
                add("GET /tasks/{id}/attachments", "GET", "/tasks/" + task + "/attachments?probe=" + enc(b));
            }
            for (String k : List.of("fast", "FULLL", "%00", "' or 1=1", "full;drop", "\u0000", "events", "*", "0")) {
                add("POST /sync", "POST", "/sync?kind=" + (k.equals("%00") ? k : enc(k)) + "&agent_id=" + oddEncoded());
            }
            for (String s : List.of("done", "PENDING", "failed;drop", "%00", "*", "pending,failed")) {
                add("GET /outbox", "GET", "/outbox?state=" + (s.equals("%00") ? s : enc(s)));
            }
            for (String l : List.of("0", "-1", "1001", "abc", "1e2", "%00", "99999999999")) {
                add("GET /outbox", "GET", "/outbox?limit=" + (l.equals("%00") ? l : enc(l)));
            }
            for (String s : List.of("bogus", "COMPLETED", "%00", "' or 1=1 --", "\u202Epending")) {
                String v = s.equals("%00") ? s : enc(s);
                add("GET /xpander/agent-execution/executions/history/{agent_id}", "GET",
                        "/xpander/agent-execution/executions/history/" + agent + "?status=" + v + decoration());
                add("GET /xpander/agent-execution/executions/history/user/{user_id}", "GET",
                        "/xpander/agent-execution/executions/history/user/" + oddEncoded() + "?status=" + v);
            }
        }

        /** Odd path segments for every route that takes one: unknown ids answer 404 in the surface's shape. */
        void pathSegments() {
            List<String> segments = new ArrayList<>();
            for (String o : ODD) {
                segments.add(enc(o));
            }
            segments.addAll(RAW);
            for (String i : INJECTION) {
                segments.add(enc(i));
            }
            segments.add(enc("z".repeat(300)));
            for (String s : segments) {
                add("GET /tasks/{id}", "GET", "/tasks/" + s);
                add("PATCH /tasks/{id}", "PATCH", "/tasks/" + s).json(obj().put("title", "ghost"));
                add("POST /tasks/{id}/stop", "POST", "/tasks/" + s + "/stop");
                add("GET /tasks/{id}/attachments", "GET", "/tasks/" + s + "/attachments");
                add("POST /outbox/{id}/retry", "POST", "/outbox/" + s + "/retry");
                add("DELETE /outbox/{id}", "DELETE", "/outbox/" + s);
                add("GET /xpander/agent-execution/{task_id}/status", "GET", "/xpander/agent-execution/" + s + "/status");
                add("DELETE /xpander/agent-execution/{task_id}", "DELETE", "/xpander/agent-execution/" + s);
                add("GET /xpander/activity/{agent_id}/{task_id}", "GET", "/xpander/activity/" + agent + "/" + s);
                add("GET /xpander/{org}/agent-execution/{task_id}/events", "GET",
                        "/xpander/" + organization + "/agent-execution/" + s + "/events");
                add("GET /xpander/{org}/agent-execution/{task_id}/status", "GET",
                        "/xpander/" + s + "/agent-execution/" + task + "/status");
            }
            for (String id : List.of("-1", "0", "99999999999999", "99999999999999999999999", "1.5", "1e3", " 1",
                    Long.toString(pendingOutboxId))) {
                add("POST /outbox/{id}/retry", "POST", "/outbox/" + enc(id) + "/retry");
                add("DELETE /outbox/{id}", "DELETE", "/outbox/" + enc(id));
            }
            add("GET /tasks/{id}", "GET", "/tasks/" + enc("no-such-task") + "?refresh=true");
        }

        void wrongMethods() {
            String t = "/tasks/" + task;
            String[][] pairs = {
                    { "PUT", "/tasks" }, { "DELETE", "/tasks" }, { "PATCH", "/tasks" }, { "PUT", t }, { "DELETE", t },
                    { "POST", t }, { "GET", t + "/stop" }, { "PUT", t + "/stop" }, { "GET", "/tasks/batch-get" },
                    { "PUT", "/tasks/batch-get" }, { "POST", "/tasks/stats" }, { "DELETE", "/tasks/changes" },
                    { "POST", "/tasks/stream" }, { "PUT", "/sync" }, { "DELETE", "/sync" }, { "PATCH", "/sync" },
                    { "POST", "/outbox" }, { "PUT", "/outbox" }, { "GET", "/outbox/1/retry" },
                    { "PUT", "/outbox/1" }, { "POST", t + "/attachments" }, { "GET", t + "/nonexistent" },
                    { "GET", "/tasks/stats/extra" }, { "PUT", "/xpander/agent-execution/" + agent },
                    { "GET", "/xpander/agent-execution/" + agent }, { "POST", "/xpander/agent-execution/" + task + "/status" },
                    { "PUT", "/xpander/agent-execution/" + task + "/update" },
                    { "POST", "/xpander/agent-execution/" + task + "/update" },
                    { "GET", "/xpander/agent-execution/" + agent + "/report_task" },
                    { "DELETE", "/xpander/activity/" + agent + "/" + task },
                    { "POST", "/xpander/agent-execution/executions/history/" + agent },
                    { "GET", "/xpander/agent-execution/nothing/here/at/all" }, { "TRACE", "/tasks" },
                    { "FOO", "/tasks" }, { "FOO", "/xpander/agent-execution/" + task + "/status" } };
            for (String[] p : pairs) {
                String ep = "(wrong method or route) " + (p[1].startsWith("/xpander") ? "/xpander" : "local API");
                Case c = add(ep, p[0], p[1]);
                if (p[0].equals("PUT") || p[0].equals("POST") || p[0].equals("PATCH")) {
                    c.json("{\"title\": \"x\"}");
                }
            }
            add("GET /tasks", "GET", "/tasks").header("Accept", "image/png");
            add("GET /tasks", "GET", "/tasks?q=" + "q".repeat(9000)).transport = true;
            add("GET /tasks/{id}", "GET", "/tasks/" + task).header("Accept", "application/xml");
            add("GET /tasks/stats", "GET", "/tasks/stats").header("Accept", "text/csv");
        }

        void keys() {
            for (String key : List.of("wrong", "", "sim-demo-key", "test-read-key", "\u0000", "test-write-key ".repeat(100),
                    "' OR '1'='1")) {
                Case c = add("POST /xpander/agent-execution/{agent_id}", "POST", "/xpander/agent-execution/" + agent)
                        .json("{\"input\": {\"text\": \"with a wrong key\"}}");
                c.headers.put("x-api-key", key.replace("\u0000", "?"));
                Case g = add("GET /xpander/agent-execution/{task_id}/status", "GET",
                        "/xpander/agent-execution/" + task + "/status");
                if (key.equals("test-read-key")) {
                    g.headers.put("x-api-key", "wrong");
                } else {
                    g.headers.put("x-api-key", key.replace("\u0000", "?"));
                }
                if (!key.isEmpty() && !key.equals("test-read-key")) {
                    add("POST /tasks", "POST", "/tasks").header("X-API-Key", key.replace("\u0000", "?"))
                            .json(obj().put("agent_id", agent).put("prompt", "with a wrong key"));
                }
            }
            Case none = add("GET /xpander/agent-execution/{task_id}/status", "GET", "/xpander/agent-execution/" + task + "/status");
            none.headers.remove("x-api-key");
            add("PATCH /tasks/{id}", "PATCH", "/tasks/" + task).header("Authorization", "Bearer nope")
                    .json(obj().put("title", "x"));
        }

        // ------------------------------------------------------------------------------- random fill

        String anyOf(List<String> list) {
            return pick(list);
        }

        void randomListQuery() {
            add("GET /tasks", "GET", "/tasks?" + anyOf(r.nextBoolean() ? invalidFilters() : invalidPaging()) + decoration());
        }

        void randomExportQuery() {
            add("GET /tasks (export)", "GET", "/tasks?" + anyOf(invalidFilters()) + decoration())
                    .header("Accept", r.nextBoolean() ? "application/x-ndjson" : "text/csv");
        }

        void randomStatsQuery() {
            add("GET /tasks/stats", "GET", "/tasks/stats?" + anyOf(invalidFilters()) + decoration());
        }

        void randomGetTask() {
            if (r.nextBoolean()) {
                add("GET /tasks/{id}", "GET", "/tasks/" + task + "?wait=" + enc(pick(BAD_DURATIONS)) + decoration());
            } else {
                add("GET /tasks/{id}", "GET", "/tasks/" + oddEncoded() + "?refresh=" + enc(pick(BAD_BOOLS)));
            }
        }

        void randomChanges() {
            List<String> p = concat(invalidCursors("since", changeCursor), invalidViews());
            add("GET /tasks/changes", "GET", "/tasks/changes?" + anyOf(p) + decoration());
        }

        void randomStream() {
            add("GET /tasks/stream", "GET", "/tasks/stream?" + anyOf(concat(invalidCursors("since", changeCursor),
                    invalidViews())) + decoration()).header("Accept", "text/event-stream");
        }

        void randomBatchGet() {
            ArrayNode ids = F.arrayNode();
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                ids.add(new String(pick(ODD).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            }
            ids.add(r.nextBoolean() ? F.textNode("z".repeat(256 + r.nextInt(1000))) : F.textNode(""));
            add("POST /tasks/batch-get", "POST", "/tasks/batch-get").json(obj().set("ids", ids));
        }

        /** A create body with odd values everywhere and one field of a wrong type. */
        void randomCreate() {
            ObjectNode b = obj().put("agent_id", agent).put("prompt", pick(ODD) + pick(INJECTION))
                    .put("title", pick(ODD));
            List<String> strings = List.of("title", "source", "worker_id", "agent_version", "expected_output");
            String f = pick(strings);
            b.set(f, pick(wrong("string")));
            if (r.nextBoolean()) {
                b.putObject("user_details").put("email", "a@b.example").put("first_name", pick(ODD));
            }
            add("POST /tasks", "POST", "/tasks").json(b);
        }

        void randomPatch() {
            ObjectNode b = obj().put("title", pick(ODD)).put("internal_status", pick(INJECTION));
            String f = pick(List.of("status", "result", "internal_status", "title", "source", "last_executed_node_id"));
            b.set(f, pick(List.of(F.numberNode(r.nextInt()), obj().put(pick(ODD), 1), F.arrayNode().add(pick(ODD)),
                    F.booleanNode(r.nextBoolean()))));
            add("PATCH /tasks/{id}", "PATCH", "/tasks/" + task).json(b);
        }

        void randomStop() {
            add("POST /tasks/{id}/stop", "POST", "/tasks/" + oddEncoded() + "/stop");
        }

        void randomAttachments() {
            add("GET /tasks/{id}/attachments", "GET", "/tasks/" + (r.nextBoolean() ? task : oddEncoded())
                    + "/attachments?probe=" + enc(pick(BAD_BOOLS)));
        }

        void randomSync() {
            // a blank kind means "full" (a valid request): the odd value follows a letter
            add("POST /sync", "POST", "/sync?kind=x" + oddEncoded() + (r.nextBoolean() ? "&user_id=" + oddEncoded() : ""));
        }

        void randomOutbox() {
            switch (r.nextInt(3)) {
                case 0 -> add("GET /outbox", "GET", "/outbox?state=x" + oddEncoded() + decoration());
                case 1 -> add("POST /outbox/{id}/retry", "POST", "/outbox/" + oddEncoded() + "/retry");
                default -> add("DELETE /outbox/{id}", "DELETE", "/outbox/" + oddEncoded());
            }
        }

        void randomCompatCreate() {
            ObjectNode b = obj();
            ObjectNode in = b.putObject("input").put("text", pick(ODD) + pick(INJECTION));
            if (r.nextBoolean()) {
                in.putObject("user").put("first_name", pick(ODD));
            } else {
                b.put("output_format", pick(List.of("xml", "TEXT", pick(ODD))));
            }
            add("POST /xpander/agent-execution/{agent_id}", "POST", "/xpander/agent-execution/" + agent).json(b);
        }

        void randomCompatGet() {
            add("GET /xpander/agent-execution/{task_id}/status", "GET", "/xpander/agent-execution/" + oddEncoded() + "/status");
        }

        void randomCompatHistory() {
            String status = "status=" + enc(pick(ODD) + "x");
            if (r.nextBoolean()) {
                add("GET /xpander/agent-execution/executions/history/{agent_id}", "GET",
                        "/xpander/agent-execution/executions/history/" + (r.nextBoolean() ? agent : oddEncoded()) + "?"
                                + status + decoration());
            } else {
                add("GET /xpander/agent-execution/executions/history/user/{user_id}", "GET",
                        "/xpander/agent-execution/executions/history/user/" + oddEncoded() + "?" + status);
            }
        }

        void randomCompatPatch() {
            ObjectNode b = obj().put("title", pick(ODD) + "changed");
            String f = pick(List.of("is_manually_stopped", "started_at", "execution_attempts", "tokens", "status",
                    "sub_executions", "mcp_servers", "input"));
            b.set(f, pick(List.of(F.textNode(pick(ODD) + "!"), F.numberNode(1.5), F.arrayNode().add(obj()))));
            if (f.equals("tokens") || f.equals("sub_executions") || f.equals("mcp_servers") || f.equals("input")) {
                b.set(f, F.textNode(pick(INJECTION)));
            }
            add("PATCH /xpander/agent-execution/{task_id}/update", "PATCH",
                    "/xpander/agent-execution/" + task + "/update").json(b);
        }

        void randomCompatStop() {
            add("DELETE /xpander/agent-execution/{task_id}", "DELETE", "/xpander/agent-execution/" + oddEncoded());
        }

        void randomCompatActivity() {
            add("GET /xpander/activity/{agent_id}/{task_id}", "GET", "/xpander/activity/" + oddEncoded() + "/" + oddEncoded());
        }

        void randomCompatReport() {
            ObjectNode b = obj().put("input", pick(ODD)).put("result", pick(INJECTION));
            switch (r.nextInt(5)) {
                case 0 -> b.put("is_success", "maybe" + pick(ODD));
                case 1 -> b.put("tokens", pick(ODD));
                case 2 -> b.put("duration", pick(INJECTION));
                case 3 -> b.set("used_tools", pick(List.of(F.textNode(pick(ODD)), F.arrayNode().add(obj()))));
                default -> b.set("input", pick(List.of(obj().put(pick(ODD), 1), F.arrayNode().add(pick(ODD)))));
            }
            add("POST /xpander/agent-execution/{agent_id}/report_task", "POST",
                    "/xpander/agent-execution/" + agent + "/report_task").json(b);
        }

        void randomCompatEvents() {
            String org = r.nextBoolean() ? organization : oddEncoded();
            add("GET /xpander/{org}/agent-execution/{task_id}/events", "GET",
                    "/xpander/" + org + "/agent-execution/" + oddEncoded() + "/events").header("Accept", "text/event-stream");
        }

        void randomWrongMethod() {
            String m = pick(List.of("PUT", "DELETE", "PATCH"));
            String p = pick(List.of("/tasks", "/tasks/stats", "/tasks/changes", "/tasks/batch-get", "/sync", "/outbox"));
            Case c = add("(wrong method or route) local API", m, p + "?" + decoration().replaceFirst("^&", ""));
            if (!m.equals("DELETE")) {
                c.json("{\"title\": " + enc(pick(ODD)).length() + "}");
            }
        }
    }
}
