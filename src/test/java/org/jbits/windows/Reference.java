package org.jbits.windows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The BITS reference ({@code shared/reference/bits-reference.md}, beside the repository in CI and in the developers'
 * checkouts), read so the binding's constants are checked against the table they were copied from.
 */
final class Reference {
    private Reference() {
    }

    static final String RELATIVE = "shared/reference/bits-reference.md";

    /** The reference text, looked for in the parents of the working directory; empty when there is none. */
    static Optional<String> text() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve(RELATIVE);
            if (Files.isRegularFile(p)) {
                try {
                    return Optional.of(Files.readString(p));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return Optional.empty();
    }

    /** The text of section {@code number} ("2.1"), up to the next heading of the same or a higher level. */
    static String section(String text, String number) {
        int start = text.indexOf("### " + number + " ");
        if (start < 0) {
            throw new AssertionError("the reference has no section " + number);
        }
        int end = text.indexOf("\n##", start + 4);
        return end < 0 ? text.substring(start) : text.substring(start, end);
    }
}
