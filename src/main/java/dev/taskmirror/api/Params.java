package dev.taskmirror.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.ApiProblem.InvalidParam;
import dev.taskmirror.common.Timestamps;
import dev.taskmirror.task.TaskStatus;

/**
 * Query-parameter parsing with 400 problems. Parameters arrive as strings so that a malformed value is a
 * clear 400, not the JAX-RS default 404.
 */
final class Params {

    /** Timestamps accepted in filters: four-digit years (PostgreSQL refuses some larger ones). */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    private Params() {
    }

    /** Repeated and comma-separated values, blanks dropped. */
    static List<String> list(List<String> raw) {
        List<String> out = new ArrayList<>();
        if (raw != null) {
            for (String r : raw) {
                if (r == null) {
                    continue;
                }
                for (String part : r.split(",")) {
                    String p = part.trim();
                    if (!p.isEmpty() && !out.contains(p)) {
                        out.add(p);
                    }
                }
            }
        }
        if (out.size() > 500) {
            throw ApiProblem.badRequest("Too many values", List.of(new InvalidParam("filter", "at most 500 values")));
        }
        for (String v : out) {
            if (v.length() > 255) {
                throw ApiProblem.badRequest("Value too long", List.of(new InvalidParam("filter", "at most 255 characters")));
            }
        }
        return out;
    }

    static List<String> statuses(List<String> raw) {
        List<String> values = list(raw);
        for (String v : values) {
            if (TaskStatus.fromWire(v).isEmpty()) {
                throw ApiProblem.badRequest("Unknown status '" + v + "'",
                        List.of(new InvalidParam("status", "must be one of " + TaskStatus.VALUES)));
            }
        }
        return values;
    }

    static String text(String name, String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        if (raw.length() > 255) {
            throw ApiProblem.badRequest(name + " is too long",
                    List.of(new InvalidParam(name, "at most 255 characters")));
        }
        return raw;
    }

    /** ISO-8601 instant ({@code 2026-03-02T09:15:04Z}, with offset, or naive UTC) or a date ({@code 2026-03-02}). */
    static Instant instant(String name, String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        Instant parsed = Timestamps.parse(raw.trim());
        if (parsed == null) {
            try {
                parsed = LocalDate.parse(raw.trim()).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (RuntimeException e) {
                throw ApiProblem.badRequest(name + " is not an ISO-8601 timestamp",
                        List.of(new InvalidParam(name, "expected e.g. 2026-03-02T09:15:04Z or 2026-03-02")));
            }
        }
        if (parsed.isBefore(EARLIEST) || !parsed.isBefore(LATEST)) {
            throw ApiProblem.badRequest(name + " is outside the years 1 to 9999",
                    List.of(new InvalidParam(name, "a timestamp from year 1 to 9999")));
        }
        return parsed;
    }

    /** A duration such as {@code 30s}, {@code 2m}, {@code 1500ms} or plain seconds; capped at {@code max}. */
    static java.time.Duration duration(String name, String raw, java.time.Duration max) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String t = raw.trim().toLowerCase();
        try {
            java.time.Duration d;
            if (t.endsWith("ms")) {
                d = java.time.Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                d = java.time.Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            } else if (t.endsWith("m")) {
                d = java.time.Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            } else {
                d = java.time.Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
            }
            if (d.isNegative() || d.compareTo(max) > 0) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name + " must be a duration from 0 to " + max.toSeconds() + "s",
                    List.of(new InvalidParam(name, "e.g. 30s, 1500ms, 2m; at most " + max.toSeconds() + "s")));
        }
    }

    static int limit(String raw, int defaultLimit, int max) {
        if (raw == null || raw.isBlank()) {
            return defaultLimit;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < 1 || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("limit must be an integer from 1 to " + max,
                    List.of(new InvalidParam("limit", "integer from 1 to " + max)));
        }
    }

    static boolean bool(String name, String raw) {
        Boolean b = optionalBool(name, raw);
        return b != null && b;
    }

    /** null when absent. */
    static Boolean optionalBool(String name, String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        return switch (raw.trim().toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ApiProblem.badRequest(name + " must be true or false",
                    List.of(new InvalidParam(name, "true or false")));
        };
    }
}
