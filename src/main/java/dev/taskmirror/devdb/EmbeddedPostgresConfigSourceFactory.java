package dev.taskmirror.devdb;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * In dev mode and tests, when no datasource URL is configured anywhere, starts an embedded PostgreSQL
 * (zonky, a {@code provided} dependency that never reaches the packaged application) and supplies its
 * URL and credentials. An explicitly configured URL always wins.
 * <p>
 * This class must not reference zonky types: the launcher is loaded reflectively by name so that prod
 * and native builds, where zonky is absent, never link against it.
 */
public class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    static final String URL_KEY = "quarkus.datasource.jdbc.url";
    private static final String ZONKY_CLASS = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
    private static final String LAUNCHER_CLASS = EmbeddedPostgresConfigSourceFactory.class.getPackageName()
            + ".EmbeddedPostgres" + "Launcher";
    /** Above application.properties (250), below .env (295), env (300) and system properties (400). */
    private static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        String mode = profiles.contains("test") ? "test" : profiles.contains("dev") ? "dev" : null;
        if (mode == null) {
            return List.of();
        }
        ConfigValue url = context.getValue(URL_KEY);
        if (url != null && url.getValue() != null && !url.getValue().isBlank()) {
            return List.of();
        }
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = EmbeddedPostgresConfigSourceFactory.class.getClassLoader();
        }
        try {
            Class.forName(ZONKY_CLASS, false, cl);
        } catch (ClassNotFoundException | LinkageError e) {
            return List.of();
        }
        Map<String, String> props = launch(cl, mode);
        return List.of(new PropertiesConfigSource(props, "EmbeddedPostgres[" + mode + "]", ORDINAL));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> launch(ClassLoader cl, String mode) {
        try {
            Class<?> launcher = Class.forName(LAUNCHER_CLASS, true, cl);
            Function<String, Map<String, String>> fn = (Function<String, Map<String, String>>) launcher
                    .getDeclaredConstructor().newInstance();
            return fn.apply(mode);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot start the embedded PostgreSQL: " + e, e);
        }
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
