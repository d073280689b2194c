package bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Small JSON-over-HTTP helpers (JDK HttpClient). */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    private Http() {
    }

    record Response(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    static Response get(String url, String apiKey) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), apiKey, Duration.ofSeconds(60));
    }

    static Response post(String url, String apiKey, String jsonBody, Duration timeout) {
        HttpRequest.BodyPublisher body = jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody);
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(body), apiKey, timeout);
    }

    static Response send(HttpRequest.Builder b, String apiKey, Duration timeout) {
        if (apiKey != null) {
            b.header("X-API-Key", apiKey);
        }
        try {
            HttpResponse<String> r = CLIENT.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Response(-1, String.valueOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode ok(Response r, String what) {
        if (r.status() / 100 != 2) {
            throw new IllegalStateException(what + " answered " + r.status() + ": "
                    + r.body().substring(0, Math.min(500, r.body().length())));
        }
        return r.json();
    }
}
