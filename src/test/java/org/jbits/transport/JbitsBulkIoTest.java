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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bulk path's guard against a connection that ends inside a read reply, against a real smbd behind a relay that
 * ends the connection at the reply to one READ; each case on a plain jcifs-ng connection ({@code jbits} false: 64 KiB
 * requests, the reply read and decoded by jcifs-ng) and on jbits' own ({@code jbits} true: 1 MiB multi-credit
 * requests, the reply's data read by {@code JbitsBulkTransport} straight into the caller's array).
 *
 * <p>jcifs-ng 2.1.10 decodes a reply the connection ended inside as if it were whole when its reader wakes before the
 * transport notices the end: there a reply is proved whole only by a later reply on its connection, and
 * {@link JbitsBulkIo#probe} asks for one without moving a byte of the file. jbits' transport reads a reply to its last
 * byte or fails the read, so its replies are whole as they are decoded.
 */
class JbitsBulkIoTest {
    private static byte[] put(SambaServer samba, String name, long seed) {
        byte[] content = TestData.random(8 * JbitsBulkIo.MAX_IO, seed);
        samba.put("share", "e/" + name, content);
        return content;
    }

    private static JbitsBulkIo open(int port, String name, boolean jbits) throws Exception {
        JbitsBulkIo in = JbitsBulkIo.openForReading(
                new SmbFile("smb://127.0.0.1:" + port + "/share/e/" + name, SmbSigningTest.context(false, jbits)));
        assertEquals(jbits ? JbitsBulkIo.MAX_IO : JbitsBulkIo.CREDIT_BYTES, in.maxRead());
        return in;
    }

    /** Closes a stream whose connection the relay may have ended. */
    private static void closeQuietly(JbitsBulkIo io) {
        try {
            io.close();
        } catch (IOException ignored) {
            // the connection is gone
        }
    }

    /** The size of one block: what one request reads. */
    private static int io(boolean jbits) {
        return jbits ? JbitsBulkIo.MAX_IO : JbitsBulkIo.CREDIT_BYTES;
    }

    private static void readBlock(JbitsBulkIo in, byte[] content, int i, int io) throws IOException {
        byte[] buf = new byte[io];
        assertEquals(io, in.read((long) i * io, buf, 0, io));
        assertArrayEquals(Arrays.copyOfRange(content, i * io, (i + 1) * io), buf);
    }

    @ParameterizedTest(name = "jbits'' transport: {0}")
    @ValueSource(booleans = {false, true})
    void aLaterReplyProvesTheEarlierOnesAndTheProbeMovesNoByte(boolean jbits) throws Exception {
        SambaServer samba = SambaServer.shared();
        String name = "proved-" + jbits + ".bin";
        byte[] content = put(samba, name, 43);
        int io = io(jbits);
        try (JbitsBulkIo in = open(samba.port(), name, jbits)) {
            readBlock(in, content, 0, io);
            readBlock(in, content, 1, io);
            JbitsBulkIo.Receipt two = in.receipt();
            assertEquals(jbits, two.whole(), jbits ? "read to its last byte: whole at once"
                    : "no later reply proves the second yet");
            readBlock(in, content, 2, io);
            assertTrue(two.whole(), "the third reply proves the first two");
            assertEquals(jbits, in.receipt().whole());
            long read = samba.bytesRead();
            in.probe(3L * io);
            assertTrue(in.receipt().whole(), "the probe's reply proves the third");
            assertEquals(read, samba.bytesRead(), "the probe read no byte of the file");
        } finally {
            Files.delete(samba.dir("share").resolve("e/" + name));
        }
    }

    /** What a test does on a stream that has read blocks 0 and 1 of {@code content} whole. */
    private interface AfterTwo {
        void check(JbitsBulkIo in, byte[] content, int io) throws Exception;
    }

    /**
     * A new file read through a relay that ends the connection at the reply to the READ of block 2 (half-way
     * through it when {@code inside}); blocks 0 and 1 read first, then {@code test}.
     */
    private static void endingAtBlockTwo(String name, long seed, boolean inside, boolean jbits, AfterTwo test)
            throws Exception {
        SambaServer samba = SambaServer.shared();
        byte[] content = put(samba, name, seed);
        int io = io(jbits);
        try (TcpRelay relay = TcpRelay.to(samba.port(), 0)) {
            relay.endAtReplyToReadAt(2L * io, inside);
            JbitsBulkIo in = open(relay.port(), name, jbits);
            try {
                readBlock(in, content, 0, io);
                readBlock(in, content, 1, io);
                test.check(in, content, io);
            } finally {
                closeQuietly(in);
            }
        } finally {
            Files.delete(samba.dir("share").resolve("e/" + name));
        }
    }

    @ParameterizedTest(name = "jbits'' transport: {0}")
    @ValueSource(booleans = {false, true})
    void aReplyTheConnectionEndedAfterIsProvedWholeOnlyWhenReadToItsEnd(boolean jbits) throws Exception {
        // The end comes 300 ms after the third reply. jcifs-ng hands that reply over (whole, as it happens), and
        // nothing on the connection can ever prove it so: the reader would read it again on the next connection.
        // jbits' transport read it to its last byte: whole, and the probe has nothing to ask.
        endingAtBlockTwo("ended-after-" + jbits + ".bin", 44, false, jbits, (in, content, io) -> {
            readBlock(in, content, 2, io);
            if (jbits) {
                assertTrue(in.receipt().whole(), "read to its last byte");
                in.probe(3L * io);
            } else {
                assertFalse(in.receipt().whole(), "nothing came after the third reply");
                assertThrows(IOException.class, () -> in.probe(3L * io));
                assertFalse(in.receipt().whole(), "and nothing ever will");
            }
        });
    }

    @ParameterizedTest(name = "jbits'' transport: {0}")
    @ValueSource(booleans = {false, true})
    void aReplyTheConnectionEndedInsideIsNeverProvedWhole(boolean jbits) throws Exception {
        endingAtBlockTwo("ended-inside-" + jbits + ".bin", 45, true, jbits, (in, content, io) -> {
            JbitsBulkIo.Receipt two = in.receipt();
            byte[] buf = new byte[io];
            boolean handedOver;
            try {
                // jcifs-ng either fails this read or returns the cut reply (a race in its transport thread: the
                // reader may wake before the thread, back from the reply, has met the end of the stream).
                in.read(2L * io, buf, 0, io);
                handedOver = true;
            } catch (IOException e) {
                handedOver = false;
            }
            if (jbits) {
                // Whether the reader wakes before or after the transport thread has disconnected: jcifs-ng hands the
                // failed reply back as received (status 0, no data), which read() once took for the end of the file
                // (2 in 40 here before it failed a reply that was never decoded).
                assertFalse(handedOver, "jbits' transport fails a read the connection ended inside");
                assertTrue(two.whole(), "the two replies before it were read to their ends");
                assertTrue(in.receipt().whole(), "nothing unproved was returned");
                return;
            }
            if (handedOver) {
                assertTrue(two.whole(), "the cut reply was decoded after the second reply: that one was whole");
                assertFalse(Arrays.equals(Arrays.copyOfRange(content, 2 * io, 3 * io), buf),
                        "the data past the cut is not the file's");
                assertFalse(in.receipt().whole(), "the cut reply is never proved whole");
                assertThrows(IOException.class, () -> in.probe(2L * io));
            }
            // Else jcifs-ng failed the read, having decoded the cut reply (then the two before it are proved) or not
            // (then they never will be, and the reader reads them again): either way nothing cut was returned.
        });
    }

    /**
     * A write reply the connection ends inside, after its 64-byte header and the first 4 bytes of its body (its count
     * not sent), on jbits' connection: the reply is never decoded, and the write fails with the end inside the reply as
     * its cause. Before jbits' transport read such replies to their last byte, jcifs-ng 2.1.10 decoded the body from
     * the rest of a pooled buffer (zeroed when it was last released: a count of 0, which the write refuses) and
     * only then met the end of the stream between messages ("end of stream", 4 runs of 5; "the server took 0 of
     * 1048576 bytes" in the fifth).
     */
    @org.junit.jupiter.api.RepeatedTest(5)
    void aWriteReplyTheConnectionEndedInsideIsNeverDecoded() throws Exception {
        SambaServer samba = SambaServer.shared();
        String name = "write-ended-inside-" + System.nanoTime() + ".bin";
        int io = JbitsBulkIo.MAX_IO;
        byte[] content = TestData.random(3 * io, 46);
        Files.createDirectories(samba.dir("share").resolve("e"));
        try (TcpRelay relay = TcpRelay.to(samba.port(), 0)) {
            relay.endInsideReplyToWriteAt(2L * io, 4 + 64 + 4);
            JbitsBulkIo out = JbitsBulkIo.openForWriting(
                    new SmbFile("smb://127.0.0.1:" + relay.port() + "/share/e/" + name,
                            SmbSigningTest.context(false, true)),
                    jcifs.SmbConstants.FILE_SHARE_READ | jcifs.SmbConstants.FILE_SHARE_WRITE);
            try {
                out.write(0, content, 0, io);
                out.write(io, content, io, io);
                IOException e = assertThrows(IOException.class, () -> out.write(2L * io, content, 2 * io, io),
                        "a write whose reply was cut after its header");
                StringBuilder chain = new StringBuilder();
                boolean endInside = false;
                for (Throwable t = e; t != null; t = t.getCause()) {
                    chain.append(t).append('\n');
                    endInside |= t instanceof java.io.EOFException
                            && "the SMB connection ended inside a reply".equals(t.getMessage());
                }
                assertTrue(endInside, "the cut reply failed as it was read:\n" + chain);
            } finally {
                closeQuietly(out);
            }
        } finally {
            Files.deleteIfExists(samba.dir("share").resolve("e/" + name));
        }
    }
}
