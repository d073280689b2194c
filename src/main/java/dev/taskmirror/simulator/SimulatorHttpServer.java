package dev.taskmirror.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Serves an {@link XpanderSimulator} over HTTP/1.1 with Vert.x core: every route of the SDK surface, with and
 * without a leading {@code /{organization_id}} segment, {@code x-api-key} authentication, scripted faults, and
 * server-sent events. Handlers run on one event loop and never block.
 */
public final class SimulatorHttpServer {

    private static final Logger LOG = Logger.getLogger(SimulatorHttpServer.class.getName());
    private static final Set<String> ROOTS = Set.of("agent-execution", "activity", "agents-metrics");
    private static final long MAX_BODY = 16L * 1024 * 1024;
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);
    private static final String MALFORMED_BODY = "{\"id\": \"3f9c\", \"status\": \"compl";
    private static final String MALFORMED_FRAME = "data: {\"type\": \"task_updated\", \"task_id\": \n\n";

    private final Vertx vertx;
    private final XpanderSimulator simulator;
    private final String host;
    private final int requestedPort;
    private volatile HttpServer server;
    private volatile int port = -1;

    /** Server on 127.0.0.1 and a random port. */
    public SimulatorHttpServer(Vertx vertx, XpanderSimulator simulator) {
        this(vertx, simulator, "127.0.0.1", 0);
    }

    /**
     * @param port 0 for a random free port (see {@link #port()} after start)
     */
    public SimulatorHttpServer(Vertx vertx, XpanderSimulator simulator, String host, int port) {
        this.vertx = vertx;
        this.simulator = simulator;
        this.host = host;
        this.requestedPort = port;
    }

    public XpanderSimulator simulator() {
        return simulator;
    }

    /** Starts listening; the future completes once bound. */
    public Future<SimulatorHttpServer> startAsync() {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(requestedPort)
                .setHttp2ClearTextEnabled(false)
                .setCompressionSupported(false)
                .setAcceptBacklog(2048)
                .setTcpNoDelay(true);
        HttpServer s = vertx.createHttpServer(options).requestHandler(this::handle);
        return s.listen().map(bound -> {
            server = bound;
            port = bound.actualPort();
            return this;
        });
    }

    /** Starts listening and returns the bound port. Must not be called on an event-loop thread. */
    public int start() {
        await(startAsync(), "start");
        return port;
    }

    public Future<Void> stopAsync() {
        HttpServer s = server;
        server = null;
        return s == null ? Future.succeededFuture() : s.close();
    }

    /** Stops listening and closes open connections. Must not be called on an event-loop thread. */
    public void stop() {
        await(stopAsync(), "stop");
    }

    /** The bound port (-1 before start). */
    public int port() {
        return port;
    }

    /** {@code http://<host>:<port>}, without a trailing slash. */
    public String baseUrl() {
        return "http://" + host + ":" + port;
    }

    private static <T> T await(Future<T> future, String what) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("cannot block on an event-loop thread; use " + what + "Async()");
        }
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("simulator server " + what + " failed", e);
        }
    }

    // ================================================================================================ routing

    /** A matched route: kind, optional organization segment, path ids. */
    record Match(RouteKind kind, String org, String id, String second) {
    }

    private static final Match NOT_FOUND = new Match(null, null, null, null);
    private static final Match METHOD_NOT_ALLOWED = new Match(null, null, null, null);

    static Match route(HttpMethod method, String rawPath) {
        List<String> s = segments(rawPath);
        if (s == null) {
            return NOT_FOUND;
        }
        String org = null;
        if (!s.isEmpty() && !ROOTS.contains(s.get(0))) {
            org = s.remove(0);
        }
        if (s.isEmpty()) {
            return NOT_FOUND;
        }
        int n = s.size();
        switch (s.get(0)) {
            case "agent-execution": {
                if (n >= 4 && s.get(1).equals("executions") && s.get(2).equals("history")) {
                    if (n == 5 && s.get(3).equals("user")) {
                        return only(method, HttpMethod.GET, new Match(RouteKind.LIST_USER, org, s.get(4), null));
                    }
                    if (n == 4) {
                        return only(method, HttpMethod.GET, new Match(RouteKind.LIST_AGENT, org, s.get(3), null));
                    }
                    return NOT_FOUND;
                }
                if (n == 2) {
                    if (method == HttpMethod.POST) {
                        return new Match(RouteKind.CREATE, org, s.get(1), null);
                    }
                    if (method == HttpMethod.DELETE) {
                        return new Match(RouteKind.STOP, org, s.get(1), null);
                    }
                    return METHOD_NOT_ALLOWED;
                }
                if (n == 3) {
                    return switch (s.get(2)) {
                        case "status" -> only(method, HttpMethod.GET, new Match(RouteKind.GET, org, s.get(1), null));
                        case "update" -> only(method, HttpMethod.PATCH,
                                new Match(RouteKind.UPDATE, org, s.get(1), null));
                        case "events" -> only(method, HttpMethod.GET, new Match(RouteKind.EVENTS, org, s.get(1), null));
                        case "report_task" -> only(method, HttpMethod.POST,
                                new Match(RouteKind.REPORT, org, s.get(1), null));
                        default -> NOT_FOUND;
                    };
                }
                if (n == 4 && s.get(2).equals("events") && s.get(3).equals("push")) {
                    return only(method, HttpMethod.POST, new Match(RouteKind.PUSH, org, s.get(1), null));
                }
                return NOT_FOUND;
            }
            case "activity":
                return n == 3 ? only(method, HttpMethod.GET, new Match(RouteKind.ACTIVITY, org, s.get(1), s.get(2)))
                        : NOT_FOUND;
            case "agents-metrics":
                return n == 3 && s.get(2).equals("execution")
                        ? only(method, HttpMethod.POST, new Match(RouteKind.METRICS, org, s.get(1), null))
                        : NOT_FOUND;
            default:
                return NOT_FOUND;
        }
    }

    private static Match only(HttpMethod actual, HttpMethod expected, Match match) {
        return actual == expected ? match : METHOD_NOT_ALLOWED;
    }

    /** Percent-decoded path segments; a single trailing slash is tolerated. Null if the path is invalid. */
    static List<String> segments(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return null;
        }
        String p = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1)
                : rawPath;
        List<String> out = new ArrayList<>(6);
        int start = 1;
        while (start <= p.length()) {
            int end = p.indexOf('/', start);
            if (end < 0) {
                end = p.length();
            }
            String seg = decode(p.substring(start, end));
            if (seg == null || seg.isEmpty()) {
                if (p.length() == 1) {
                    break;
                }
                return null;
            }
            out.add(seg);
            start = end + 1;
        }
        return out;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] buf = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                buf[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (n + b.length > buf.length) {
                    buf = java.util.Arrays.copyOf(buf, buf.length * 2 + b.length);
                }
                System.arraycopy(b, 0, buf, n, b.length);
                n += b.length;
            }
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    // ================================================================================================ handling

    private void handle(HttpServerRequest req) {
        String length = req.getHeader("content-length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > MAX_BODY) {
                    sendJson(req, 413, detail("Request entity too large"), null);
                    req.connection().close();
                    return;
                }
            } catch (NumberFormatException ignored) {
                // Netty rejects malformed lengths before this point
            }
        }
        Match match = route(req.method(), req.path());
        req.body().onComplete(ar -> {
            String body = ar.succeeded() && ar.result() != null ? ar.result().toString(StandardCharsets.UTF_8) : "";
            try {
                dispatch(req, match, body);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "simulator request failed", e);
                if (!req.response().ended() && !req.response().headWritten()) {
                    respond(req, match, body, 500, detail("Internal Server Error"), null);
                }
            }
        });
    }

    private void dispatch(HttpServerRequest req, Match match, String body) {
        if (match == NOT_FOUND) {
            respond(req, null, body, 404, detail("Not Found"), null);
            return;
        }
        if (match == METHOD_NOT_ALLOWED) {
            respond(req, null, body, 405, detail("Method Not Allowed"), null);
            return;
        }
        simulator.countRequest(match.kind(), match.id());
        String org = simulator.orgForKey(req.getHeader("x-api-key"));
        if (org == null) {
            respond(req, match, body, simulator.options().authFailureStatus(), detail("Invalid API key"), null);
            return;
        }
        if (match.org() != null && !match.org().equals(org)) {
            respond(req, match, body, 404, detail("Not Found"), null);
            return;
        }
        Optional<Fault> fault = simulator.takeFault(match.kind(), match.id());
        if (fault.isPresent() && !fault.get().delay().isZero()) {
            Duration delay = fault.get().delay();
            vertx.setTimer(Math.max(1, delay.toMillis()), id -> safely(req, match, body,
                    () -> execute(req, match, org, body, fault.get())));
        } else {
            execute(req, match, org, body, fault.orElse(null));
        }
    }

    private void safely(HttpServerRequest req, Match match, String body, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "simulator request failed", e);
            if (!req.response().ended() && !req.response().headWritten()) {
                respond(req, match, body, 500, detail("Internal Server Error"), null);
            }
        }
    }

    private void execute(HttpServerRequest req, Match match, String org, String body, Fault fault) {
        Fault.Action action = fault == null ? Fault.Action.NONE : fault.action();
        boolean replaces = action == Fault.Action.STATUS || action == Fault.Action.RESET
                || action == Fault.Action.MALFORMED || action == Fault.Action.TRUNCATE;
        if (match.kind() == RouteKind.EVENTS) {
            events(req, match, org, body, fault);
            return;
        }
        if (replaces && !fault.afterApply() && action != Fault.Action.TRUNCATE) {
            faultResponse(req, match, body, fault, null);
            return;
        }
        int status = 200;
        byte[] out;
        try {
            out = switch (match.kind()) {
                case CREATE -> SimJson.bytes(simulator.createFromHttp(org, match.id(), body,
                        req.getHeader("x-agent-version")));
                case GET -> simulator.getTaskBytes(org, match.id(), action == Fault.Action.STALE);
                case LIST_AGENT -> simulator.listAgentBytes(org, match.id(), filters(req.params(), true),
                        listFault(fault));
                case LIST_USER -> simulator.listUserBytes(org, match.id(), filters(req.params(), false),
                        listFault(fault));
                case UPDATE -> SimJson.bytes(simulator.update(org, match.id(), body));
                case STOP -> SimJson.bytes(simulator.stop(org, match.id()));
                case PUSH -> {
                    simulator.push(org, match.id(), body);
                    yield EMPTY_OBJECT;
                }
                case ACTIVITY -> SimJson.bytes(simulator.activity(org, match.id(), match.second()));
                case REPORT -> SimJson.bytes(simulator.report(org, match.id(), body));
                case METRICS -> {
                    simulator.metrics(body);
                    yield EMPTY_OBJECT;
                }
                case EVENTS -> throw new IllegalStateException();
            };
        } catch (ApiException e) {
            status = e.status();
            out = SimJson.bytes(e.body());
        }
        if (replaces) {
            faultResponse(req, match, body, fault, out);
        } else {
            respond(req, match, body, status, out, null);
        }
    }

    private static Fault listFault(Fault fault) {
        if (fault == null) {
            return null;
        }
        return switch (fault.action()) {
            case OMIT, DUPLICATE, STALE -> fault;
            default -> null;
        };
    }

    private static XpanderSimulator.Filters filters(MultiMap params, boolean withUser) {
        return new XpanderSimulator.Filters(withUser ? param(params, "user_id") : null,
                param(params, "parent_task_id"), param(params, "triggering_agent_id"), param(params, "status"),
                param(params, "internal_status"));
    }

    private static String param(MultiMap params, String name) {
        String v = params.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private void faultResponse(HttpServerRequest req, Match match, String body, Fault fault, byte[] real) {
        switch (fault.action()) {
            case STATUS -> {
                byte[] out = fault.body() != null ? fault.body().getBytes(StandardCharsets.UTF_8)
                        : detail(reason(fault.status()));
                Map<String, String> headers = fault.retryAfter() == null ? null
                        : Map.of("retry-after", fault.retryAfter());
                respond(req, match, body, fault.status(), out, headers);
            }
            case RESET -> {
                simulator.record(match.kind(), req.method().name(), req.path(), req.query(), headers(req), body,
                        match.id(), 0);
                req.connection().close();
            }
            case MALFORMED -> respond(req, match, body, 200, (fault.body() != null ? fault.body() : MALFORMED_BODY)
                    .getBytes(StandardCharsets.UTF_8), null);
            case TRUNCATE -> {
                byte[] full = real == null ? EMPTY_OBJECT : real;
                respond(req, match, body, 200, java.util.Arrays.copyOf(full, Math.max(1, full.length / 2)), null);
            }
            default -> respond(req, match, body, 200, real == null ? EMPTY_OBJECT : real, null);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error " + status;
        };
    }

    private void respond(HttpServerRequest req, Match match, String body, int status, byte[] out,
            Map<String, String> extraHeaders) {
        sendJson(req, status, out, extraHeaders);
        simulator.record(match == null ? null : match.kind(), req.method().name(), req.path(), req.query(),
                headers(req), body, match == null ? null : match.id(), status);
    }

    private static void sendJson(HttpServerRequest req, int status, byte[] out, Map<String, String> extraHeaders) {
        HttpServerResponse resp = req.response();
        if (resp.ended() || resp.closed()) {
            return;
        }
        resp.setStatusCode(status);
        resp.putHeader("content-type", "application/json");
        if (extraHeaders != null) {
            extraHeaders.forEach(resp::putHeader);
        }
        resp.end(Buffer.buffer(out));
    }

    private static byte[] detail(String message) {
        ObjectNode o = SimJson.object();
        o.put("detail", message);
        return SimJson.bytes(o);
    }

    private static Map<String, String> headers(HttpServerRequest req) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : req.headers()) {
            String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
            String value = name.equals("x-api-key") ? "***" : e.getValue();
            out.merge(name, value, (a, b) -> a + ", " + b);
        }
        return out;
    }

    // ================================================================================================ SSE

    private void events(HttpServerRequest req, Match match, String org, String body, Fault fault) {
        Fault.Action action = fault == null ? Fault.Action.NONE : fault.action();
        if (action == Fault.Action.STATUS || action == Fault.Action.RESET) {
            faultResponse(req, match, body, fault, null);
            return;
        }
        HttpServerResponse resp = req.response();
        Context ctx = vertx.getOrCreateContext();
        SseSink sink = new SseSink(ctx, resp);
        Runnable unsubscribe;
        try {
            unsubscribe = simulator.subscribe(org, match.id(), sink);
        } catch (ApiException e) {
            respond(req, match, body, e.status(), SimJson.bytes(e.body()), null);
            return;
        }
        resp.setStatusCode(200);
        resp.setChunked(true);
        resp.putHeader("content-type", "text/event-stream");
        resp.putHeader("cache-control", "no-cache");
        resp.putHeader("x-accel-buffering", "no");
        resp.writeHead();
        simulator.record(match.kind(), req.method().name(), req.path(), req.query(), headers(req), body, match.id(),
                200);
        if (action == Fault.Action.MALFORMED) {
            resp.write(fault.body() != null ? "data: " + fault.body() + "\n\n" : MALFORMED_FRAME);
        }
        long keepAliveMs = simulator.options().sseKeepAlive().toMillis();
        if (keepAliveMs > 0) {
            sink.timer = vertx.setPeriodic(keepAliveMs, id -> {
                if (!sink.closed) {
                    resp.write(": keep-alive\n\n");
                }
            });
        }
        resp.closeHandler(v -> {
            sink.markClosed();
            unsubscribe.run();
        });
        if (action == Fault.Action.TRUNCATE) {
            ctx.runOnContext(v -> {
                sink.markClosed();
                unsubscribe.run();
                req.connection().close();
            });
        }
    }

    /** Writes frames in call order on the connection's context. */
    private final class SseSink implements EventSink {
        private final Context ctx;
        private final HttpServerResponse resp;
        volatile boolean closed;
        volatile long timer = -1;

        SseSink(Context ctx, HttpServerResponse resp) {
            this.ctx = ctx;
            this.resp = resp;
        }

        @Override
        public void send(String frame) {
            ctx.runOnContext(v -> {
                if (!closed && !resp.ended() && !resp.closed()) {
                    resp.write(frame);
                }
            });
        }

        @Override
        public void close() {
            ctx.runOnContext(v -> {
                boolean wasOpen = !closed;
                markClosed();
                if (wasOpen && !resp.ended() && !resp.closed()) {
                    resp.end();
                }
            });
        }

        void markClosed() {
            closed = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
