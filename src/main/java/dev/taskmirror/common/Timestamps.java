package dev.taskmirror.common;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.databind.JsonNode;

/** The remote's timestamp format: ISO-8601 UTC with microseconds and a {@code Z} suffix. */
public final class Timestamps {

    private static final DateTimeFormatter WIRE = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true)
            .appendLiteral('Z')
            .toFormatter()
            .withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static String format(Instant instant) {
        return instant == null ? null : WIRE.format(instant.truncatedTo(ChronoUnit.MICROS));
    }

    /** Parses any ISO form the remote may send: with {@code Z}, with an offset, or naive (taken as UTC). */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    public static Instant parse(JsonNode node) {
        return node == null || !node.isTextual() ? null : parse(node.asText());
    }

    /** Microsecond precision, as PostgreSQL stores it, so values round-trip unchanged. */
    public static Instant micros(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }
}
