package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import jcifs.smb.JbitsBulkIo;
import jcifs.smb.SmbFile;
import org.jbits.testing.SambaServer;
import org.jbits.testing.TcpRelay;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;

/**
 * The bulk path's guard against a connection that ends inside a read reply (jcifs-ng 2.1.10 decodes such a reply as
 * if it were whole when its reader wakes before the transport notices the end), against a real smbd behind a relay
 * that ends the connection at the reply to one READ: a reply is proved whole only by a later reply on its connection,
 * and {@link JbitsBulkIo#probe} asks for one without moving a byte of the file.
 */
class JbitsBulkIoTest {
    private static final int IO = JbitsBulkIo.MAX_IO;

    private static byte[] put(SambaServer samba, String name, long seed) {
        byte[] content = TestData.random(8 * IO, seed);
        samba.put("share", "e/" + name, content);
        return content;
    }

    private static JbitsBulkIo open(int port, String name) throws Exception {
        return JbitsBulkIo.openForReading(
                new SmbFile("smb://127.0.0.1:" + port + "/share/e/" + name, SmbSigningTest.context(false)));
    }

    private static void readBlock(JbitsBulkIo in, byte[] content, int i) throws IOException {
        byte[] buf = new byte[IO];
        assertEquals(IO, in.read((long) i * IO, buf, 0, IO));
        assertArrayEquals(Arrays.copyOfRange(content, i * IO, (i + 1) * IO), buf);
    }

    @Test
    void aLaterReplyProvesTheEarlierOnesAndTheProbeMovesNoByte() throws Exception {
        SambaServer samba = SambaServer.shared();
        byte[] content = put(samba, "proved.bin", 43);
        try (JbitsBulkIo in = open(samba.port(), "proved.bin")) {
            readBlock(in, content, 0);
            readBlock(in, content, 1);
            JbitsBulkIo.Receipt two = in.receipt();
            assertFalse(two.whole(), "no later reply proves the second yet");
            readBlock(in, content, 2);
            assertTrue(two.whole(), "the third reply proves the first two");
            assertFalse(in.receipt().whole());
            long read = samba.bytesRead();
            in.probe(3L * IO);
            assertTrue(in.receipt().whole(), "the probe's reply proves the third");
            assertEquals(read, samba.bytesRead(), "the probe read no byte of the file");
        } finally {
            Files.delete(samba.dir("share").resolve("e/proved.bin"));
        }
    }

    /** What a test does on a stream that has read blocks 0 and 1 of {@code content} whole. */
    private interface AfterTwo {
        void check(JbitsBulkIo in, byte[] content) throws Exception;
    }

    /**
     * A new file read through a relay that ends the connection at the reply to the READ of block 2 (half-way
     * through it when {@code inside}); blocks 0 and 1 read first, then {@code test}.
     */
    private static void endingAtBlockTwo(String name, long seed, boolean inside, AfterTwo test) throws Exception {
        SambaServer samba = SambaServer.shared();
        byte[] content = put(samba, name, seed);
        try (TcpRelay relay = TcpRelay.to(samba.port(), 0)) {
            relay.endAtReplyToReadAt(2L * IO, inside);
            JbitsBulkIo in = open(relay.port(), name);
            try {
                readBlock(in, content, 0);
                readBlock(in, content, 1);
                test.check(in, content);
            } finally {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the connection is gone
                }
            }
        } finally {
            Files.delete(samba.dir("share").resolve("e/" + name));
        }
    }

    @Test
    void aReplyTheConnectionEndedAfterIsNeverProvedWhole() throws Exception {
        // The end comes 300 ms after the third reply: jcifs-ng hands that reply over (whole, as it happens), and
        // nothing on the connection can ever prove it so; the reader would read it again on the next connection.
        endingAtBlockTwo("ended-after.bin", 44, false, (in, content) -> {
            readBlock(in, content, 2);
            assertFalse(in.receipt().whole(), "nothing came after the third reply");
            assertThrows(IOException.class, () -> in.probe(3L * IO));
            assertFalse(in.receipt().whole(), "and nothing ever will");
        });
    }

    @Test
    void aReplyTheConnectionEndedInsideIsNeverProvedWhole() throws Exception {
        endingAtBlockTwo("ended-inside.bin", 45, true, (in, content) -> {
            JbitsBulkIo.Receipt two = in.receipt();
            byte[] buf = new byte[IO];
            boolean handedOver;
            try {
                // jcifs-ng either fails this read or returns the cut reply (a race in its transport thread: the
                // reader may wake before the thread, back from the reply, has met the end of the stream).
                in.read(2L * IO, buf, 0, IO);
                handedOver = true;
            } catch (IOException e) {
                handedOver = false;
            }
            assertTrue(two.whole(), "the cut reply's header came after the second reply: that one was whole");
            if (handedOver) {
                assertFalse(Arrays.equals(Arrays.copyOfRange(content, 2 * IO, 3 * IO), buf),
                        "the data past the cut is not the file's");
                assertFalse(in.receipt().whole(), "the cut reply is never proved whole");
                assertThrows(IOException.class, () -> in.probe(2L * IO));
            } else {
                assertTrue(in.receipt().whole(), "jcifs-ng failed the read: nothing unproved was returned");
            }
        });
    }
}
