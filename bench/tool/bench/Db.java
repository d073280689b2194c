package bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain JDBC to the local PostgreSQL (driver from the service's own libraries). */
final class Db {

    private Db() {
    }

    static Connection superuser(Options o, String database) throws SQLException {
        return DriverManager.getConnection(o.jdbcUrl(database), o.pgSuperuser,
                System.getenv().getOrDefault("PGPASSWORD", ""));
    }

    static Connection app(Options o, String database) throws SQLException {
        return DriverManager.getConnection(o.jdbcUrl(database), "taskmirror", "taskmirror");
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String one(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static List<Map<String, String>> rows(Connection c, String sql) throws SQLException {
        List<Map<String, String>> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= cols; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    static boolean exists(Options o, String database) throws SQLException {
        try (Connection c = superuser(o, "postgres")) {
            return one(c, "select 1 from pg_database where datname = ?", database) != null;
        }
    }

    /** Drops and creates an empty database owned by taskmirror. */
    static void recreate(Options o, String database) throws SQLException {
        try (Connection c = superuser(o, "postgres")) {
            exec(c, "drop database if exists " + database + " with (force)");
            exec(c, "create database " + database + " owner taskmirror");
        }
    }

    /** Inserted, updated (including HOT) rows of the task table since the statistics were reset. */
    static long[] taskWrites(Options o, String database) throws SQLException {
        try (Connection c = app(o, database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select n_tup_ins, n_tup_upd, n_tup_del from pg_stat_user_tables "
                        + "where relname = 'task'")) {
            // No table yet (a database the service has not migrated): nothing written.
            return rs.next() ? new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3) } : new long[3];
        }
    }
}
