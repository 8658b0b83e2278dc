package io.pivotplane.devstack.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL 14 server from the zonky binaries (no Docker, no OS package). One database per service
 * can be created in it, as in a real deployment.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    /**
     * @param port 0 for a free port
     */
    public static EmbeddedPostgresServer start(int port) {
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(TempDirs.create("pivotplane-pg-"),
                FreePorts.orFree(port));
        try {
            server.restart();
            return server;
        } catch (RuntimeException e) {
            TempDirs.deleteRecursively(server.dataDir);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /** Stops the server and keeps its data, so that {@link #restart()} brings the same databases back. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not stop cleanly", e);
        } finally {
            postgres = null;
        }
    }

    /** Starts the server on its data directory, which is initialised the first time; a running one is stopped first. */
    public synchronized void restart() {
        stop();
        try {
            postgres = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDir)
                    // the directory is this server's own: close() removes it, a restart keeps what it holds
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setServerConfig("max_connections", "200")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start", e);
        }
    }

    /** Creates {@code database} unless it exists. */
    public synchronized void createDatabase(String database) {
        if (postgres == null) {
            throw new IllegalStateException("cannot create database " + database + ": PostgreSQL is stopped");
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            var exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database.replace("'", "''") + "'");
            if (!exists.next()) {
                statement.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database, e);
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** The URL form of the Vert.x reactive PostgreSQL client. */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database;
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            TempDirs.deleteRecursively(dataDir);
        }
    }
}
