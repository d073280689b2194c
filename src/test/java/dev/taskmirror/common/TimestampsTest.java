package dev.taskmirror.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The hand-written parser of the common shapes must agree with java.time's ISO parser on every input. */
class TimestampsTest {

    @Test
    void commonShapesAgreeWithTheIsoParser() {
        Random random = new Random(20261206);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(-2_000_000_000L, 8_000_000_000L), random.nextInt(1_000_000_000));
            int offsetMinutes = random.nextInt(-14 * 60, 14 * 60 + 1);
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
            int digits = random.nextInt(10);
            String pattern = "uuuu-MM-dd'T'HH:mm:ss" + (digits == 0 ? "" : "." + "S".repeat(digits));
            String local = DateTimeFormatter.ofPattern(pattern).format(t.atOffset(offset));
            for (String text : new String[] { local + "Z", local, local + offset.getId().replace("Z", "+00:00") }) {
                assertThat(Timestamps.parseCommon(text)).as(text).isEqualTo(Timestamps.parseIso(text));
                assertThat(Timestamps.parse(text)).as(text).isEqualTo(Timestamps.parseIso(text)).isNotNull();
            }
        }
    }

    @Test
    void theRemotesOwnFormatRoundTrips() {
        Instant t = Instant.parse("2025-10-05T12:34:56.123456Z");
        assertThat(Timestamps.parse(Timestamps.format(t))).isEqualTo(t);
        assertThat(Timestamps.parseCommon("2025-10-05T12:34:56.123456Z")).isEqualTo(t);
        assertThat(Timestamps.parseCommon("2025-10-05T14:34:56.123456+02:00")).isEqualTo(t);
    }

    @Test
    void invalidOrUnusualInputFallsBackOrIsRejected() {
        for (String bad : new String[] { "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-01-01T24:00:00Z",
                "2025-01-01T00:60:00Z", "2025-01-01 00:00:00Z", "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00ZZ",
                "2025-01-01T00:00:00+0100", "2025-1-01T00:00:00Z", "not a time", "" }) {
            assertThat(Timestamps.parseCommon(bad)).as(bad).isNull();
            assertThat(Timestamps.parse(bad)).as(bad).isEqualTo(bad.isBlank() ? null : Timestamps.parseIso(bad));
        }
        // Leap day, second fractions beyond the remote's six digits, and shapes only java.time knows.
        assertThat(Timestamps.parse("2024-02-29T23:59:59.999999999Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59.999999999Z"));
        assertThat(Timestamps.parse("2025-01-01T00:00Z")).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(Timestamps.parse("2025-01-01T00:00:00+01:00:30")).isEqualTo(Instant.parse("2024-12-31T22:59:30Z"));
    }
}
