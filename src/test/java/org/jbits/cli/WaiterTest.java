package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Which plain progress lines a synchronous start writes to a log (time is given, never slept). */
class WaiterTest {
    private static final long S = 1_000_000_000L;

    @Test
    void theSameLineIsNeverPrintedTwiceHoweverLongTheWait() {
        Waiter.PlainLines lines = new Waiter.PlainLines();
        String waiting = "TransientError: 0 B / unknown (BG_E_CONNECTION_CLOSED ...); next retry at 11:45:00, 600 s after the error";
        assertEquals(waiting, lines.next("TransientError", waiting, 0));
        for (long t = 1; t <= 600; t++) {
            assertNull(lines.next("TransientError", waiting, t * S), "at " + t + " s");
        }
    }

    @Test
    void aNewStateIsPrintedAtOnceAndProgressAtMostEveryFiveSeconds() {
        Waiter.PlainLines lines = new Waiter.PlainLines();
        assertEquals("Connecting: 0 B / unknown", lines.next("Connecting", "Connecting: 0 B / unknown", 0));
        assertEquals("Transferring: 1 B / 9 B", lines.next("Transferring", "Transferring: 1 B / 9 B", S / 10));
        assertNull(lines.next("Transferring", "Transferring: 2 B / 9 B", 2 * S));
        assertNull(lines.next("Transferring", "Transferring: 3 B / 9 B", 5 * S));
        assertEquals("Transferring: 4 B / 9 B", lines.next("Transferring", "Transferring: 4 B / 9 B", 5 * S + S / 10));
        assertEquals("Transferred: 9 B / 9 B", lines.next("Transferred", "Transferred: 9 B / 9 B", 5 * S + S / 5));
    }

    @Test
    void aNewRetryTimeIsANewLine() {
        Waiter.PlainLines lines = new Waiter.PlainLines();
        assertEquals("TransientError: a; next retry at 11:45:00", lines.next("TransientError", "TransientError: a; next retry at 11:45:00", 0));
        assertEquals("TransientError: a; next retry at 11:55:01", lines.next("TransientError", "TransientError: a; next retry at 11:55:01", 600 * S));
    }
}
