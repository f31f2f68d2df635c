package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The protocol over a stream pair: a reply per request, a deadline on each, the stream's end for every later call. */
class StreamClientTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The far end: what the client writes arrives at {@code requests}; what is written to {@code replies} it reads. */
    private final PipedInputStream requests = new PipedInputStream(1 << 16);
    private final PipedOutputStream replies = new PipedOutputStream();

    private StreamClient client() throws IOException {
        PipedOutputStream toFar = new PipedOutputStream(requests);
        PipedInputStream fromFar = new PipedInputStream(replies, 1 << 16);
        return new StreamClient(fromFar, toFar, Duration.ZERO);
    }

    @Test
    void aRequestLineGoesOutAndItsReplyLineComesBack() throws Exception {
        try (StreamClient c = client()) {
            replies.write(bytes("{\"ok\":true,\"n\":1}\n{\"ok\":true,\"n\":2}\n"));
            replies.flush();
            assertArrayEquals(bytes("{\"ok\":true,\"n\":1}"), c.exchange(bytes("{\"op\":\"status\"}\n"), Duration.ofSeconds(30)));
            assertEquals(2, c.call(new Request.Status()).path("n").asInt(), "replies are taken in order");
            byte[] sent = new byte[requests.available()];
            requests.read(sent);
            assertEquals("{\"op\":\"status\"}\n{\"op\":\"status\"}\n", new String(sent, StandardCharsets.UTF_8));
        }
    }

    @Test
    void noReplyWithinTheDeadlineIsATimeout() throws Exception {
        try (StreamClient c = client()) {
            assertThrows(SocketTimeoutException.class, () -> c.exchange(bytes("{}\n"), Duration.ofMillis(100)));
        }
    }

    @Test
    void theEndOfTheStreamFailsThisCallAndEveryLaterOne() throws Exception {
        try (StreamClient c = client()) {
            replies.write(bytes("{\"ok\":true}\n{\"ok\":tr"));
            replies.close();
            assertEquals(true, c.call(new Request.Status()).path("ok").asBoolean());
            assertThrows(EOFException.class, () -> c.exchange(bytes("{}\n"), Duration.ofSeconds(30)),
                    "a reply cut off is no reply");
            assertThrows(IOException.class, () -> c.exchange(bytes("{}\n"), Duration.ofSeconds(30)));
        }
    }
}
