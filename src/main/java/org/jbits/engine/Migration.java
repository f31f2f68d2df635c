package org.jbits.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * One step of the job store's schema: the statements that take a store from {@code version - 1} to
 * {@code version}. {@link StoreSchema} runs each in its own transaction, together with the new version number, so
 * a crash leaves the store at one version or the next, never between.
 *
 * @param version the schema version this step produces (1, 2, ...)
 * @param what what the step adds, for the log
 * @param statements SQL run in order; DDL is transactional in SQLite
 */
record Migration(int version, String what, List<String> statements) {
    Migration {
        statements = List.copyOf(statements);
    }

    /** Runs the statements on {@code db}; the caller owns the transaction. */
    void apply(Connection db) throws SQLException {
        try (Statement st = db.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }
}
