package dev.taskmirror.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.taskmirror.support.AppProcess;

/** The packaged service refuses to start on configuration that cannot work, and says which setting to fix. */
class StartupValidationIT {

    @Test
    void withoutAnApiKeyItStopsAndNamesTheVariable() throws Exception {
        String log = failedStart("no-api-key", Map.of("XPANDER_API_KEY", "", "MIRROR_SYNC_AGENT_IDS", "a1"));
        assertThat(log).contains("no xpander API key: set the environment variable XPANDER_API_KEY");
    }

    @Test
    void anOutOfRangeValueIsRejectedWithItsPropertyName() throws Exception {
        String log = failedStart("bad-config", Map.of("XPANDER_API_KEY", "k", "MIRROR_SYNC_BATCH_SIZE", "0",
                "MIRROR_OUTBOX_CONCURRENCY", "-1"));
        assertThat(log).contains("mirror.sync.batch-size must be greater than 0")
                .contains("mirror.outbox.concurrency must be greater than 0");
    }

    private static String failedStart(String name, Map<String, String> env) throws Exception {
        try (AppProcess app = new AppProcess(name, env)) {
            Files.deleteIfExists(app.log());
            assertThatThrownBy(app::start).hasMessageContaining("service exited with 1");
            return Files.readString(app.log());
        }
    }
}
