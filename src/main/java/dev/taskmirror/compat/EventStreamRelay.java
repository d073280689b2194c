package dev.taskmirror.compat;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.taskmirror.remote.RemoteEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * E7: relays a task's event stream from xpander to the client, byte for byte, adding SSE keep-alive comments
 * ({@code : keep-alive}) while the stream is quiet. Comments are only written between events, so the SDK's
 * frame parser never sees a broken frame. The upstream key is added here; the client's own key was checked
 * by the API-key filter.
 */
@ApplicationScoped
public class EventStreamRelay {

    private static final Logger LOG = Logger.getLogger(EventStreamRelay.class);
    private static final String PATH = "/xpander(?:/[^/]+)?/agent-execution/([^/]+)/events";

    private final Vertx vertx;
    private final RemoteEndpoint endpoint;
    private final CompatConfig config;
    private volatile HttpClient client;

    EventStreamRelay(Vertx vertx, RemoteEndpoint endpoint, CompatConfig config) {
        this.vertx = vertx;
        this.endpoint = endpoint;
        this.config = config;
    }

    void routes(@Observes Router router) {
        router.routeWithRegex(HttpMethod.GET, PATH).order(-100).handler(this::relay);
    }

    private void relay(RoutingContext rc) {
        String taskId = rc.pathParam("param0");
        URI upstream = endpoint.taskEventsUrl(taskId);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(upstream.toString())
                .addHeader("x-api-key", endpoint.apiKey())
                .addHeader("Accept", "text/event-stream")
                .addHeader("Cache-Control", "no-store");
        HttpServerResponse out = rc.response();
        client().request(options).compose(req -> req.send()).onSuccess(in -> pipe(in, out))
                .onFailure(e -> {
                    LOG.debugf("Event stream of %s unavailable: %s", taskId, e.getMessage());
                    if (!out.headWritten()) {
                        out.setStatusCode(502).putHeader("Content-Type", "application/json")
                                .end("{\"detail\":\"Event stream unavailable\"}");
                    }
                });
    }

    private void pipe(HttpClientResponse in, HttpServerResponse out) {
        out.setStatusCode(in.statusCode());
        String type = in.getHeader("Content-Type");
        if (type != null) {
            out.putHeader("Content-Type", type);
        }
        if (in.statusCode() != 200 || type == null || !type.startsWith("text/event-stream")) {
            in.body().onComplete(b -> out.end(b.succeeded() ? b.result() : Buffer.buffer()));
            return;
        }
        out.setChunked(true).putHeader("Cache-Control", "no-store");
        out.writeHead();
        long[] lastWrite = { System.currentTimeMillis() };
        boolean[] atBoundary = { true };
        long period = Math.max(100, config.keepAlive().toMillis());
        long timer = vertx.setPeriodic(period, id -> {
            if (atBoundary[0] && System.currentTimeMillis() - lastWrite[0] >= period && !out.ended()) {
                out.write(": keep-alive\n\n");
                lastWrite[0] = System.currentTimeMillis();
            }
        });
        in.handler(buf -> {
            out.write(buf);
            lastWrite[0] = System.currentTimeMillis();
            String s = buf.toString();
            atBoundary[0] = s.endsWith("\n\n") || s.endsWith("\r\n\r\n");
        });
        in.endHandler(v -> {
            vertx.cancelTimer(timer);
            if (!out.ended()) {
                out.end();
            }
        });
        in.exceptionHandler(e -> {
            vertx.cancelTimer(timer);
            if (!out.ended()) {
                out.end();
            }
        });
        out.closeHandler(v -> {
            vertx.cancelTimer(timer);
            in.request().connection().close();
        });
    }

    private HttpClient client() {
        if (client == null) {
            synchronized (this) {
                if (client == null) {
                    client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(200).setIdleTimeout(0));
                }
            }
        }
        return client;
    }
}
