package org.jbits.engine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the store's connections are opened: the pragmas every read-write connection sets, and the read-only one. */
final class StoreConnections {
    private static final Logger log = LoggerFactory.getLogger(StoreConnections.class);

    private StoreConnections() {
    }

    /**
     * A read-write connection to {@code file} in WAL mode, never creating the file unless {@code create}: a store
     * that vanished after the checks must not come back empty.
     *
     * @param durable {@code synchronous=FULL} (force the log at every commit), else {@code NORMAL}
     */
    static Connection readWrite(Path file, boolean create, boolean durable) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        if (!create) {
            config.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        Connection c = config.createConnection("jdbc:sqlite:" + file);
        try (Statement st = c.createStatement()) {
            String mode;
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
                mode = rs.next() ? rs.getString(1) : "";
            }
            // NORMAL keeps the file whole through a power cut only with a write-ahead log; a file system without
            // the shared memory WAL needs leaves SQLite in rollback-journal mode, where only FULL does.
            boolean wal = "wal".equalsIgnoreCase(mode);
            if (!wal) {
                log.warn("job store {}: SQLite could not use a write-ahead log here (journal mode {}); every"
                        + " record is forced to disk", file, mode);
            }
            st.execute("PRAGMA synchronous=" + (durable || !wal ? "FULL" : "NORMAL"));
            st.execute("PRAGMA foreign_keys=ON");
            st.execute("PRAGMA busy_timeout=5000");
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    /** A read-only connection: it cannot change the file, not even by checkpointing its log when it closes. */
    static Connection readOnly(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5000);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing with a better error
            }
        }
    }
}
