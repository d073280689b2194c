package dev.taskmirror.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.taskmirror.simulator.SimulatorOptions;
import dev.taskmirror.support.AppProcess;
import dev.taskmirror.support.ItDatabase;
import dev.taskmirror.support.SimulatorProcess;

/**
 * An export several times larger than the service's heap streams to the end: rows flow from a database
 * cursor to the socket without being collected.
 */
class ExportMemoryIT {

    static final int TASKS = 40_000;
    static final int PAD = 8_000;

    SimulatorProcess remote;

    @BeforeEach
    void setUp() throws Exception {
        ItDatabase.truncate();
        remote = new SimulatorProcess(SimulatorOptions.builder().agents(1).tasks(0).build());
    }

    @AfterEach
    void tearDown() throws Exception {
        ItDatabase.truncate();
        remote.close();
    }

    @Test
    void exportLargerThanTheHeapStreams() throws Exception {
        try (AppProcess app = new AppProcess("export-memory", Map.of("MIRROR_SYNC_ENABLED", "false",
                "XPANDER_BASE_URL", remote.env().get("XPANDER_BASE_URL"), "XPANDER_API_KEY", remote.sim().apiKey()))
                .heap("96m").start()) {
            try (Connection c = ItDatabase.connect(); Statement st = c.createStatement()) {
                st.execute("insert into task (id, agent_id, status, created_at, updated_at, document, fingerprint, "
                        + "observed_at, synced_at, sync_state) select 'export-' || g, 'agent-export', 'completed', "
                        + "now() - g * interval '1 second', now(), jsonb_build_object('id', 'export-' || g, "
                        + "'agent_id', 'agent-export', 'status', 'completed', 'payload_extension', "
                        + "jsonb_build_object('blob', repeat(md5(g::text), " + PAD / 32 + "))), md5(g::text), now(), now(), "
                        + "'synced' from generate_series(1, " + TASKS + ") g");
            }
            HttpResponse<java.io.InputStream> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(app.baseUrl() + "/tasks?agent_id=agent-export")).header("Accept", "application/x-ndjson")
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(resp.statusCode()).isEqualTo(200);
            long lines = 0;
            long bytes = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines++;
                    bytes += line.length() + 1;
                }
            }
            assertThat(lines).isEqualTo(TASKS);
            assertThat(bytes).as("several times the 96 MB heap").isGreaterThan(3L * 96 * 1024 * 1024);
            assertThat(app.alive()).as("no OutOfMemoryError").isTrue();
        }
    }
}
