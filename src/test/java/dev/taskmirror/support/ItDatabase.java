package dev.taskmirror.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import dev.taskmirror.devdb.EmbeddedPostgresLauncher;

/**
 * The database for tests that run the packaged service as a separate process: the configured one
 * (QUARKUS_DATASOURCE_JDBC_URL, as in CI) or an embedded PostgreSQL started in the test JVM.
 */
public final class ItDatabase {

    private static Map<String, String> settings;

    private ItDatabase() {
    }

    public static synchronized Map<String, String> settings() {
        if (settings == null) {
            String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
            if (url != null && !url.isBlank()) {
                settings = Map.of(
                        "QUARKUS_DATASOURCE_JDBC_URL", url,
                        "QUARKUS_DATASOURCE_USERNAME", env("QUARKUS_DATASOURCE_USERNAME", "postgres"),
                        "QUARKUS_DATASOURCE_PASSWORD", env("QUARKUS_DATASOURCE_PASSWORD", "postgres"));
            } else {
                Map<String, String> props = new EmbeddedPostgresLauncher().apply("it");
                settings = Map.of(
                        "QUARKUS_DATASOURCE_JDBC_URL", props.get("quarkus.datasource.jdbc.url"),
                        "QUARKUS_DATASOURCE_USERNAME", props.get("quarkus.datasource.username"),
                        "QUARKUS_DATASOURCE_PASSWORD", props.get("quarkus.datasource.password"));
            }
        }
        return settings;
    }

    /** Host and port of the database, for a {@link TcpProxy} in front of it. */
    public static java.net.InetSocketAddress address() {
        java.net.URI uri = java.net.URI.create(settings().get("QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        return java.net.InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
    }

    /** The service's datasource settings, going through {@code proxy}. */
    public static Map<String, String> throughProxy(TcpProxy proxy) {
        Map<String, String> s = new java.util.HashMap<>(settings());
        java.net.InetSocketAddress a = address();
        s.put("QUARKUS_DATASOURCE_JDBC_URL", s.get("QUARKUS_DATASOURCE_JDBC_URL")
                .replace(a.getHostString() + ":" + a.getPort(), "127.0.0.1:" + proxy.port()));
        return s;
    }

    public static Connection connect() throws SQLException {
        Map<String, String> s = settings();
        return DriverManager.getConnection(s.get("QUARKUS_DATASOURCE_JDBC_URL"), s.get("QUARKUS_DATASOURCE_USERNAME"),
                s.get("QUARKUS_DATASOURCE_PASSWORD"));
    }

    /** Empties the mirror's tables if they exist (the service migrates the schema at start). */
    public static void truncate() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("do $$ begin if to_regclass('public.task') is not null then "
                    + "truncate task, outbox, sync_scope, idempotency_key restart identity; end if; end $$");
        }
    }

    public static long count(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static String text(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
