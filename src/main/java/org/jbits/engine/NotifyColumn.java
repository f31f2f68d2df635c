package org.jbits.engine;

/**
 * The notify command line in the store's {@code notify_cmdline} column (there since schema version 1): the
 * program, a newline, then the parameters; null for none. A program holds no newline (the engine refuses one),
 * so the first newline separates the two; parameters that were null are stored after a "\n\0"-free marker line.
 */
final class NotifyColumn {
    /** Marks parameters that were null (not the empty string); a NUL never reaches the store otherwise. */
    private static final String NO_PARAMETERS = "\u0000";

    private NotifyColumn() {
    }

    static String encode(String program, String parameters) {
        if (program == null) {
            return null;
        }
        return program + "\n" + (parameters == null ? NO_PARAMETERS : parameters);
    }

    /** {program, parameters}, each may be null. */
    static String[] decode(String column) {
        if (column == null) {
            return new String[2];
        }
        int nl = column.indexOf('\n');
        if (nl < 0) {
            return new String[] {column, null};
        }
        String params = column.substring(nl + 1);
        return new String[] {column.substring(0, nl), params.equals(NO_PARAMETERS) ? null : params};
    }
}
