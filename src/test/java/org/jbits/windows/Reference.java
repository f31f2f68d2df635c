package org.jbits.windows;

import java.io.IOException;
import java.util.Optional;

/**
 * Section 2 of the BITS reference (COM vtable slots, IIDs, CLSIDs), kept as a test resource
 * ({@code reference/bits-com-interfaces.md}), read so the binding's constants are checked against the table they
 * were copied from.
 */
final class Reference {
    private Reference() {
    }

    static final String RELATIVE = "src/test/resources/reference/bits-com-interfaces.md";

    /** The reference text from the test resources. */
    static Optional<String> text() {
        try (var in = Reference.class.getResourceAsStream("/reference/bits-com-interfaces.md")) {
            return in == null ? Optional.empty()
                    : Optional.of(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
