package dev.taskmirror.common;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * One database address to configure: the reactive pool that serves single-task reads (no thread hand-off per
 * read) gets its URL from the JDBC one unless {@code quarkus.datasource.reactive.url} is set. Only the
 * {@code jdbc:postgresql://host[:port]/database} form is translated, with its {@code sslmode}; other JDBC
 * parameters mean nothing to the reactive driver and are dropped (set the reactive URL to pass its own).
 */
public class ReactiveUrlConfigSourceFactory implements ConfigSourceFactory {

    static final String JDBC_URL = "quarkus.datasource.jdbc.url";
    static final String REACTIVE_URL = "quarkus.datasource.reactive.url";
    /** Below application.properties (250): any configured reactive URL wins. */
    private static final int ORDINAL = 200;
    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^/?]+)/([^?]*)(?:\\?(.*))?");
    private static final Pattern SSLMODE = Pattern.compile("(?:^|&)sslmode=([a-z-]+)");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue reactive = context.getValue(REACTIVE_URL);
        if (reactive != null && reactive.getValue() != null && !reactive.getValue().isBlank()) {
            return List.of();
        }
        ConfigValue jdbc = context.getValue(JDBC_URL);
        String derived = jdbc == null ? null : derive(jdbc.getValue());
        if (derived == null) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(Map.of(REACTIVE_URL, derived), "ReactiveUrlFromJdbc", ORDINAL));
    }

    /** The reactive form of a JDBC URL, or null when it is not of the translated form. */
    static String derive(String jdbcUrl) {
        if (jdbcUrl == null) {
            return null;
        }
        Matcher m = JDBC.matcher(jdbcUrl.trim());
        if (!m.matches() || m.group(1).contains(",")) {
            // Several hosts (JDBC fail-over) have no reactive equivalent here.
            return null;
        }
        String url = "postgresql://" + m.group(1) + "/" + m.group(2);
        if (m.group(3) != null) {
            Matcher ssl = SSLMODE.matcher(m.group(3));
            if (ssl.find()) {
                url += "?sslmode=" + ssl.group(1);
            }
        }
        return url;
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
