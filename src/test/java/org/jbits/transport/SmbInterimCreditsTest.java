package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jcifs.CIFSContext;
import jcifs.SmbConstants;
import jcifs.config.PropertyConfiguration;
import jcifs.smb.Credits;
import jcifs.smb.JbitsBulkIo;
import jcifs.smb.NtlmPasswordAuthenticator;
import jcifs.smb.SmbFile;
import org.jbits.testing.SambaServer;
import org.jbits.testing.TcpRelay;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;

/**
 * The credits a server grants in an interim reply (STATUS_PENDING, MS-SMB2 3.3.4.2) are the client's, however soon the
 * final reply follows it. jcifs-ng 2.1.10 counts them in the thread waiting for the reply, and only if it wakes up
 * between the two; when the final reply is read into the response first, the interim reply's grant is lost (smbd
 * gives its credits there, none in the final reply), and a long upload with several writes in flight runs out of
 * credits: "Failed to acquire credits in time" after the response timeout (seen in CI: an SMB upload stalled at
 * 412 MiB). jbits' connection counts them as it reads the interim reply.
 *
 * <p>A real smbd whose writes are slow (the {@code sync} share: each write made durable before smbd answers, so it
 * answers first with an interim reply; on this machine's ext4 158-159 of the 160 writes, 2,700 credits granted in
 * interim replies), behind a relay that sends each interim reply together with its final one, so the client reads
 * them back to back; {@value #STREAMS} streams write 1 MiB multi-credit requests at once, as an SMB upload's writers
 * do, while busy threads keep every core loaded, so a woken waiter is late, as on a loaded machine. The case asserts
 * that the interim replies granted more credits than a connection holds (the replies under test came); that a waiter
 * is late is likely under the load, not certain: without the fix the upload stalled in 4 runs of 4.
 */
class SmbInterimCreditsTest {
    /** Long enough for a write to a slow disk, short enough that a stall fails the test in seconds. */
    private static final int RESPONSE_TIMEOUT_MILLIS = 15_000;
    private static final int STREAMS = 4;
    /** What a connection asks smbd to hold (jcifs-ng's "desiredCredits"). */
    private static final int CONNECTION_CREDITS = 512;

    /** Unsigned: writes go as 1 MiB multi-credit requests (charge 16), as an SMB upload's do. */
    private static CIFSContext context() throws Exception {
        Properties p = new Properties();
        p.setProperty("jcifs.smb.client.minVersion", "SMB202");
        p.setProperty("jcifs.smb.client.maxVersion", "SMB311");
        p.setProperty("jcifs.resolveOrder", "DNS");
        p.setProperty("jcifs.smb.client.responseTimeout", Integer.toString(RESPONSE_TIMEOUT_MILLIS));
        SmbTransport.BulkConfiguration config = new SmbTransport.BulkConfiguration(new PropertyConfiguration(p));
        return JbitsBulkIo.context(config)
                .withCredentials(new NtlmPasswordAuthenticator("", SambaServer.USER, SambaServer.PASSWORD));
    }

    @Test
    void interimRepliesReadRightBeforeTheirFinalOnesLoseNoCredit() throws Exception {
        SambaServer samba = SambaServer.shared();
        Path file = samba.dir("sync").resolve("interim.bin");
        // Charged 16 credits each: 5 times what the connection holds.
        int writes = 160;
        CIFSContext cifs = context();
        String url;
        List<JbitsBulkIo> streams = new ArrayList<>();
        AtomicBoolean loaded = new AtomicBoolean(true);
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "interim-credits-test");
            t.setDaemon(true);
            return t;
        });
        try (TcpRelay relay = TcpRelay.to(samba.port(), 0)) {
            relay.interimsWithFinals();
            url = "smb://127.0.0.1:" + relay.port() + "/sync/interim.bin";
            for (int i = 0; i < STREAMS; i++) {
                streams.add(JbitsBulkIo.openForWriting(new SmbFile(url, cifs),
                        SmbConstants.FILE_SHARE_READ | SmbConstants.FILE_SHARE_WRITE));
            }
            int io = streams.get(0).maxWrite();
            assertEquals(JbitsBulkIo.MAX_IO, io);
            assertFalse(streams.get(0).signed());
            // Write k carries pattern block k % 16.
            byte[] pattern = TestData.random(16 * io, 97);
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
                threads.execute(() -> {
                    long spins = 0;
                    while (loaded.get()) {
                        spins++;
                    }
                    assertTrue(spins >= 0);
                });
            }
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> writers = new ArrayList<>();
            for (JbitsBulkIo out : streams) {
                writers.add(threads.submit(() -> {
                    for (int k; (k = next.getAndIncrement()) < writes; ) {
                        out.write((long) k * io, pattern, (k % 16) * io, io);
                    }
                    return null;
                }));
            }
            for (Future<?> w : writers) {
                w.get();
            }
            loaded.set(false);
            for (JbitsBulkIo out : streams) {
                out.close();
            }
            streams.clear();
            try (SmbFile f = new SmbFile(url, cifs)) {
                int held = Credits.available(f);
                assertTrue(held >= CONNECTION_CREDITS / 2, "the connection holds " + held + " credits once every "
                        + "write was answered; it asks for " + CONNECTION_CREDITS);
            }
            assertTrue(relay.interimCredits() > CONNECTION_CREDITS, "smbd's " + relay.interimsHeld()
                    + " interim replies granted " + relay.interimCredits() + " credits: the case is not the one under "
                    + "test (writes were fast: is " + samba.dir("sync") + " on tmpfs, where a sync costs nothing?)");
            MessageDigest expected = MessageDigest.getInstance("SHA-256");
            for (int k = 0; k < writes; k++) {
                expected.update(pattern, (k % 16) * io, io);
            }
            assertEquals(HexFormat.of().formatHex(expected.digest()), TestData.sha256(file));
        } finally {
            loaded.set(false);
            for (JbitsBulkIo out : streams) {
                closeQuietly(out);
            }
            cifs.close();
            threads.shutdownNow();
            Files.deleteIfExists(file);
        }
    }

    /** After a failure, which is the test's result: a handle whose connection failed may fail to close too. */
    private static void closeQuietly(JbitsBulkIo out) {
        try {
            out.close();
        } catch (Exception ignored) {
            // the connection is gone
        }
    }
}
