package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.Ports;
import org.jbits.testing.SambaServer;
import org.jbits.testing.TcpRelay;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMB downloads through the portable engine (its standard transports) from a real smbd: whole files checked by
 * SHA-256, resume after the engine is closed mid-transfer (proved by smbd's own count of bytes read), smbd restarted
 * and connections cut mid-file, a file changed during and between attempts, refused logons, missing shares and
 * files, the guest share, awkward names. Where a transfer must be seen in progress it goes through a {@link TcpRelay}
 * that holds smbd's replies to a rate. Retries the engine would make after the minimum retry delay are forced with
 * Resume() where the delay itself is not what the test is about.
 */
class SmbDownloadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static SambaServer samba;

    @TempDir
    Path tmp;
    private Path downloads;
    private PortableEngine engine;
    private TcpRelay relay;

    @BeforeAll
    static void startSamba() {
        samba = SambaServer.shared();
    }

    @BeforeEach
    void openEngine() throws IOException {
        downloads = Files.createDirectories(tmp.resolve("downloads"));
        engine = Engines.open(tmp.resolve("state"));
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) {
            engine.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private BitsJob job(String name, String remote) {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setMinimumRetryDelay(5);
        job.addFile(remote, downloads.resolve(name).toString());
        return job;
    }

    /** The URL with the test account's credentials through the relay (same share and path as on smbd). */
    private String relayed(String share, String path) {
        return samba.userUrl(share, path).replace(":" + samba.port() + "/", ":" + relay.port() + "/");
    }

    @Test
    void downloadsFromAShareWithTheCredentialsInTheUrl() throws Exception {
        byte[] content = TestData.random(5_000_003, 30);
        samba.put("share", "e/whole.bin", content);
        BitsJob job = job("whole.bin", samba.userUrl("share", "e/whole.bin"));
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(content.length, job.progress().bytesTotal());
        job.complete();
        assertEquals(TestData.sha256(content), TestData.sha256(downloads.resolve("whole.bin")));
    }

    @Test
    void resumesFromItsOffsetAfterTheEngineIsClosedMidTransfer() throws Exception {
        long size = 200L << 20;
        String sha = writeRandom(samba.dir("share").resolve("e/big200.bin"), size, 31);
        relay = TcpRelay.to(samba.port(), 40L << 20);
        BitsJob job = job("big200.bin", relayed("share", "e/big200.bin"));
        job.resume();
        Await.progressBeyond(job, 60L << 20, TIMEOUT);
        long heldAtClose = job.progress().bytesTransferred();
        engine.close();
        engine = null;
        assertTrue(heldAtClose < size - (40L << 20), "closed mid-transfer, at byte " + heldAtClose);
        long readBefore = samba.bytesRead();

        relay.rate(0);
        engine = Engines.open(tmp.resolve("state"));
        BitsJob again = engine.getJob(job.id());
        Await.state(again, TIMEOUT, JobState.TRANSFERRED);
        long readAfter = samba.bytesRead() - readBefore;
        again.complete();
        assertEquals(sha, sha256(downloads.resolve("big200.bin")));
        long rest = size - heldAtClose;
        // At most a checkpoint interval and the readers' read-ahead (16 blocks of 256 KiB) are fetched again. The
        // close itself may make durable what had been read before it but not yet counted when the progress was read
        // (blocks in the staging buffers: CI once saw 512 KiB less than the rest), so the rest is not a lower bound
        // to the byte; the hash above proves that nothing was skipped.
        long staged = 8L << 20;
        assertTrue(readAfter >= rest - staged && readAfter <= rest + (8L << 20), "smbd read " + readAfter
                + " bytes after the restart; the rest after byte " + heldAtClose + " is " + rest);
        Files.delete(samba.dir("share").resolve("e/big200.bin"));
    }

    @Test
    void smbdRestartedMidTransferIsTransientAndTheRetryCompletes() throws Exception {
        byte[] content = TestData.random(12 << 20, 32);
        samba.put("share", "e/restart.bin", content);
        relay = TcpRelay.to(samba.port(), 4L << 20);
        BitsJob job = job("restart.bin", relayed("share", "e/restart.bin"));
        job.resume();
        Await.progressBeyond(job, 2L << 20, TIMEOUT);
        samba.restart();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context(), error.description());
        assertEquals(HResult.name(HResult.ERROR_NETNAME_DELETED), error.errorName(), error.description());
        long held = job.progress().bytesTransferred();
        assertTrue(held > 0, "kept the bytes before the restart");

        relay.rate(0);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("restart.bin")));
    }

    @Test
    void connectionCutMidFileIsTransientAndTheRetryReadsOnlyTheRest() throws Exception {
        byte[] content = TestData.random(12 << 20, 33);
        samba.put("share", "e/cut.bin", content);
        relay = TcpRelay.to(samba.port(), 4L << 20);
        BitsJob job = job("cut.bin", relayed("share", "e/cut.bin"));
        job.resume();
        Await.progressBeyond(job, 3L << 20, TIMEOUT);
        relay.cut();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context(), error.description());
        assertEquals(HResult.name(HResult.ERROR_NETNAME_DELETED), error.errorName(), error.description());
        long held = job.progress().bytesTransferred();
        assertTrue(held >= 3L << 20, "held " + held);
        long readBefore = samba.bytesRead();

        relay.rate(0);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        long readAfter = samba.bytesRead() - readBefore;
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("cut.bin")));
        assertEquals(content.length - held, readAfter, "the retry read exactly the bytes after the " + held + " held");
    }

    @Test
    void connectionsEndingInsideReadRepliesLoseNoByte() throws Exception {
        // The relay ends each connection after about 1 MiB of smbd's replies, at a different byte each attempt:
        // mostly inside a 64 KiB read reply, whose cut-off data jcifs-ng decodes as if it were whole (an unsigned
        // reply has no signature to fail). Attempt after attempt the job moves on, and no wrong byte is kept.
        byte[] content = TestData.random(24 << 20, 36);
        samba.put("share", "e/ends.bin", content);
        relay = TcpRelay.to(samba.port(), 0);
        BitsJob job = job("ends.bin", relayed("share", "e/ends.bin"));
        int attempts = 0;
        long before = -1;
        for (; attempts < 16; attempts++) {
            relay.endAfter((1L << 20) + 12_345 + attempts * 7_777L);
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR, JobState.TRANSFERRED);
            if (job.state() == JobState.TRANSFERRED) {
                break;
            }
            JobError error = job.error().orElseThrow();
            assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context(), error.description());
            assertTrue(job.progress().bytesTransferred() >= before, "kept the bytes before each end");
            before = job.progress().bytesTransferred();
        }
        assertTrue(attempts >= 3, "the connections ended " + attempts + " times");
        relay.endAfter(0);
        if (job.state() != JobState.TRANSFERRED) {
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        }
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("ends.bin")));
        Files.delete(samba.dir("share").resolve("e/ends.bin"));
    }

    @Test
    void fileChangedDuringTheDownloadIsTransientAndTheRetryStartsFromZero() throws Exception {
        byte[] v1 = TestData.random(12 << 20, 34);
        byte[] v2 = TestData.random(9 << 20, 35);
        samba.put("share", "e/changing.bin", v1);
        relay = TcpRelay.to(samba.port(), 3L << 20);
        BitsJob job = job("changing.bin", relayed("share", "e/changing.bin"));
        job.resume();
        Await.progressBeyond(job, 1L << 20, TIMEOUT);
        samba.put("share", "e/changing.bin", v2);
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.BG_E_REMOTE_FILE_CHANGED), error.errorName(), error.description());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());

        relay.rate(0);
        long readBefore = samba.bytesRead();
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        long readAfter = samba.bytesRead() - readBefore;
        assertEquals(v2.length, job.progress().bytesTotal());
        job.complete();
        assertArrayEquals(v2, Files.readAllBytes(downloads.resolve("changing.bin")), "the new version, whole and alone");
        assertEquals(v2.length, readAfter, "the retry read the new file from byte 0");
    }

    @Test
    void fileChangedWhileTheJobWasSuspendedRestartsFromZeroWithoutAnError() throws Exception {
        byte[] v1 = TestData.random(10 << 20, 36);
        byte[] v2 = TestData.random(10 << 20, 37);
        samba.put("share", "e/suspended.bin", v1);
        relay = TcpRelay.to(samba.port(), 3L << 20);
        BitsJob job = job("suspended.bin", relayed("share", "e/suspended.bin"));
        job.resume();
        Await.progressBeyond(job, 1L << 20, TIMEOUT);
        job.suspend();
        assertTrue(job.progress().bytesTransferred() > 0);
        // Same size; a later write time is what tells the versions apart.
        Thread.sleep(20);
        samba.put("share", "e/suspended.bin", v2);

        relay.rate(0);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(0, job.errorCount(), "a new version between attempts is no error");
        job.complete();
        assertArrayEquals(v2, Files.readAllBytes(downloads.resolve("suspended.bin")));
    }

    @Test
    void wrongPasswordPutsTheJobInErrorWithLogonFailure() {
        samba.put("share", "e/secret.bin", new byte[100]);
        BitsJob job = job("secret.bin", samba.urlWithCredentials("share", "e/secret.bin", SambaServer.USER, "wrong-Pw-42"));
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.ERROR_LOGON_FAILURE), error.errorName(), error.description());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());
        assertFalse(error.description().contains("wrong-Pw-42"), error.description());
        assertFalse(Files.exists(downloads.resolve("secret.bin")));
    }

    @Test
    void missingSharePutsTheJobInErrorWithBadNetName() {
        BitsJob job = job("noshare.bin", samba.userUrl("nosuchshare", "f.bin"));
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.ERROR_BAD_NET_NAME), error.errorName(), error.description());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());
    }

    @Test
    void missingFilePutsTheJobInErrorWithFileNotFound() {
        BitsJob job = job("nofile.bin", samba.userUrl("share", "e/no-such-file.bin"));
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.ERROR_FILE_NOT_FOUND), error.errorName(), error.description());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());
    }

    @Test
    void unreachableServerIsTransientBadNetPath() {
        BitsJob job = job("nobody.bin", "smb://127.0.0.1:" + Ports.free() + "/share/f.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.ERROR_BAD_NETPATH), error.errorName(), error.description());
        assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context());
    }

    @Test
    void guestShareDownloadsWithoutCredentialsFromAUncName() throws Exception {
        byte[] content = TestData.random(300_000, 38);
        samba.put("guest", "e/open file.bin", content);
        BitsJob job = job("open.bin", "\\\\127.0.0.1@" + samba.port() + "\\guest\\e\\open file.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("open.bin")));
    }

    @Test
    void namesWithSpacesAndNonAsciiCharactersDownload() throws Exception {
        byte[] content = TestData.random(200_000, 39);
        String name = "Ordner mit Leerzeichen/Größe ü € 日本 #1.bin";
        samba.put("share", name, content);
        BitsJob job = job("names.bin", samba.userUrl("share", name));
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("names.bin")));
    }

    /** Writes {@code size} seeded random bytes to {@code file}, returns their SHA-256. */
    private static String writeRandom(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random r = new Random(seed);
        byte[] buf = new byte[1 << 20];
        MessageDigest md = sha();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), md)) {
            for (long done = 0; done < size; done += buf.length) {
                r.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, size - done));
            }
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = sha();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
