package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import jcifs.CIFSContext;
import jcifs.SmbConstants;
import jcifs.config.PropertyConfiguration;
import jcifs.context.BaseContext;
import jcifs.smb.NtlmPasswordAuthenticator;
import jcifs.smb.SmbFile;
import jcifs.smb.SmbRandomAccessFile;
import org.jbits.BitsException;
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
 * SMB uploads through the portable engine to a real smbd: the temporary file on the share (hidden name, renamed into
 * place at Complete only, deleted at Cancel), whole files checked by SHA-256, resume after the engine is closed
 * mid-upload and after a connection cut (proved by smbd's own count of bytes written and the temporary file's size on
 * the share), smbd restarted, the local file changed, a read-only share, a full share, a wrong password, a server
 * that is not there, a destination held open by another client at Complete, awkward names, upload-reply refused.
 * Where an upload must be seen in progress it goes through a {@link TcpRelay} that holds the client's bytes to a rate.
 */
class SmbUploadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final long MIB = 1 << 20;
    /** What a resume may write again: the writers' window ({@link org.jbits.transport.SmbTransport}: 16 x 256 KiB). */
    private static final long WINDOW = 16 * 256 * 1024;
    private static SambaServer samba;

    @TempDir
    Path tmp;
    private PortableEngine engine;
    private TcpRelay relay;

    @BeforeAll
    static void startSamba() {
        samba = SambaServer.shared();
    }

    @BeforeEach
    void openEngine() {
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

    private BitsJob job(String remote, Path local) {
        BitsJob job = engine.createJob("up " + local.getFileName(), JobType.UPLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setMinimumRetryDelay(5);
        job.addFile(remote, local.toString());
        return job;
    }

    private String relayed(String share, String path) {
        return samba.userUrl(share, path).replace(":" + samba.port() + "/", ":" + relay.port() + "/");
    }

    private Path local(String name, long size, long seed) {
        Path p = tmp.resolve(name);
        TestData.writeRandom(p, size, seed);
        return p;
    }

    /** The upload's temporary files in {@code dir} on the share (as smbd's own directory shows them). */
    private static List<Path> temporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("BIT[0-9A-F]{16}\\.tmp")).toList();
        }
    }

    private static Path onlyTemporary(Path dir) throws IOException {
        List<Path> t = temporaries(dir);
        assertEquals(1, t.size(), "one temporary file in " + dir + ": " + t);
        return t.get(0);
    }

    @Test
    void uploadsIntoAHiddenTemporaryFileRenamedIntoPlaceAtComplete() throws Exception {
        Path src = local("whole.bin", 9 * MIB + 123, 40);
        Files.createDirectories(samba.dir("share").resolve("u1"));
        BitsJob job = job(samba.userUrl("share", "u1/whole.bin"), src);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        Path dest = samba.dir("share").resolve("u1/whole.bin");
        assertFalse(Files.exists(dest), "nothing under the destination's name before Complete");
        Path temp = onlyTemporary(dest.getParent());
        assertEquals(Files.size(src), Files.size(temp));
        assertEquals(Files.size(src), job.progress().bytesTransferred());
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(dest));
        assertEquals(List.of(), temporaries(dest.getParent()), "the temporary file became the destination");
        // BITS propagates an SMB upload's time stamps: the last-write time is the local file's (SMB keeps 100 ns).
        assertEquals(Files.getLastModifiedTime(src).toMillis() / 1000,
                Files.getLastModifiedTime(dest).toMillis() / 1000);
    }

    @Test
    void anExistingFileIsReplacedOnlyAtComplete() throws Exception {
        Path src = local("replace.bin", 3 * MIB, 41);
        byte[] old = TestData.random(1000, 42);
        samba.put("share", "u2/replace.bin", old);
        BitsJob job = job(samba.userUrl("share", "u2/replace.bin"), src);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        Path dest = samba.dir("share").resolve("u2/replace.bin");
        assertArrayEquals(old, Files.readAllBytes(dest), "the old file stays until Complete");
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(dest));
    }

    @Test
    void resumesFromTheSharesTemporaryFileAfterTheEngineIsClosedMidUpload() throws Exception {
        long size = 200 * MIB;
        Path src = local("big200.bin", size, 43);
        Files.createDirectories(samba.dir("share").resolve("u3"));
        relay = TcpRelay.to(samba.port(), 0);
        relay.upstreamRate(40 * MIB);
        BitsJob job = job(relayed("share", "u3/big200.bin"), src);
        job.resume();
        Await.progressBeyond(job, 60 * MIB, TIMEOUT);
        engine.close();
        engine = null;
        Path temp = onlyTemporary(samba.dir("share").resolve("u3"));
        long held = Files.size(temp);
        assertTrue(held < size - 40 * MIB, "closed mid-upload, at byte " + held);
        long writtenBefore = samba.bytesWritten();

        relay.upstreamRate(0);
        engine = Engines.open(tmp.resolve("state"));
        BitsJob again = engine.getJob(job.id());
        Await.state(again, TIMEOUT, JobState.TRANSFERRED);
        long writtenAfter = samba.bytesWritten() - writtenBefore;
        assertEquals(temp, onlyTemporary(samba.dir("share").resolve("u3")), "the same temporary file, continued");
        again.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(samba.dir("share").resolve("u3/big200.bin")));
        long rest = size - held;
        assertTrue(writtenAfter >= rest && writtenAfter <= rest + WINDOW, "smbd wrote " + writtenAfter
                + " bytes after the restart; the rest after the " + held + " on the share is " + rest);
        Files.delete(samba.dir("share").resolve("u3/big200.bin"));
    }

    @Test
    void connectionCutMidFileIsTransientAndTheRetryWritesOnlyTheRest() throws Exception {
        long size = 24 * MIB;
        Path src = local("cut.bin", size, 44);
        Files.createDirectories(samba.dir("share").resolve("u4"));
        relay = TcpRelay.to(samba.port(), 0);
        relay.upstreamRate(4 * MIB);
        BitsJob job = job(relayed("share", "u4/cut.bin"), src);
        job.resume();
        Await.progressBeyond(job, 6 * MIB, TIMEOUT);
        relay.cut();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context(), error.description());
        assertEquals(HResult.name(HResult.ERROR_NETNAME_DELETED), error.errorName(), error.description());
        long held = Files.size(onlyTemporary(samba.dir("share").resolve("u4")));
        long writtenBefore = samba.bytesWritten();

        relay.upstreamRate(0);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        long writtenAfter = samba.bytesWritten() - writtenBefore;
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(samba.dir("share").resolve("u4/cut.bin")));
        long rest = size - held;
        assertTrue(writtenAfter >= rest && writtenAfter <= rest + WINDOW, "smbd wrote " + writtenAfter
                + " bytes in the retry; the rest after the " + held + " on the share is " + rest);
    }

    @Test
    void smbdRestartedMidUploadIsTransientAndTheRetryCompletes() throws Exception {
        Path src = local("restart.bin", 16 * MIB, 45);
        Files.createDirectories(samba.dir("share").resolve("u5"));
        relay = TcpRelay.to(samba.port(), 0);
        relay.upstreamRate(4 * MIB);
        BitsJob job = job(relayed("share", "u5/restart.bin"), src);
        job.resume();
        Await.progressBeyond(job, 3 * MIB, TIMEOUT);
        samba.restart();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        assertEquals(ErrorContext.GENERAL_TRANSPORT, job.error().orElseThrow().context(),
                job.error().orElseThrow().description());
        relay.upstreamRate(0);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(samba.dir("share").resolve("u5/restart.bin")));
    }

    @Test
    void localFileChangedMidUploadIsLocalFileChangedAndResumeUploadsTheNewVersion() throws Exception {
        Path src = local("changing.bin", 12 * MIB, 46);
        Files.createDirectories(samba.dir("share").resolve("u6"));
        relay = TcpRelay.to(samba.port(), 0);
        relay.upstreamRate(2 * MIB);
        BitsJob job = job(relayed("share", "u6/changing.bin"), src);
        job.resume();
        Await.progressBeyond(job, 1 * MIB, TIMEOUT);
        try (var ch = java.nio.channels.FileChannel.open(src, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{1, 2, 3}), 5 * MIB);
        }
        Files.setLastModifiedTime(src, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.BG_E_LOCAL_FILE_CHANGED), error.errorName(), error.description());
        assertEquals(ErrorContext.LOCAL_FILE, error.context());
        assertEquals(List.of(), temporaries(samba.dir("share").resolve("u6")), "the changed upload's data is deleted");

        relay.upstreamRate(0);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(samba.dir("share").resolve("u6/changing.bin")));
    }

    @Test
    void cancelDeletesTheTemporaryFileAndLeavesTheDestinationAlone() throws Exception {
        Path src = local("cancel.bin", 12 * MIB, 47);
        byte[] old = TestData.random(500, 48);
        samba.put("share", "u7/cancel.bin", old);
        relay = TcpRelay.to(samba.port(), 0);
        relay.upstreamRate(2 * MIB);
        BitsJob job = job(relayed("share", "u7/cancel.bin"), src);
        job.resume();
        Await.progressBeyond(job, 1 * MIB, TIMEOUT);
        assertEquals(1, temporaries(samba.dir("share").resolve("u7")).size());
        job.cancel();
        assertEquals(List.of(), temporaries(samba.dir("share").resolve("u7")));
        assertArrayEquals(old, Files.readAllBytes(samba.dir("share").resolve("u7/cancel.bin")));
    }

    @Test
    void aReadOnlyShareIsAccessDenied() {
        Path src = local("ro.bin", 1000, 49);
        BitsJob job = job(samba.userUrl("ro", "ro.bin"), src);
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.E_ACCESSDENIED), error.errorName(), error.description());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());
    }

    @Test
    void aFullShareIsDiskFullAndResumeContinuesOnceThereIsRoom() throws Exception {
        samba.mountSmall(8 * MIB);
        Path filler = samba.dir("small").resolve("filler.bin");
        Files.write(filler, new byte[(int) (5 * MIB)]);
        Path src = local("full.bin", 4 * MIB, 50);
        BitsJob job = job(samba.userUrl("small", "full.bin"), src);
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.ERROR_DISK_FULL), error.errorName(), error.description());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());
        Files.delete(filler);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(samba.dir("small").resolve("full.bin")));
        Files.delete(samba.dir("small").resolve("full.bin"));
    }

    @Test
    void aWrongPasswordIsLogonFailureAndNeverShown() {
        Path src = local("secret.bin", 1000, 51);
        BitsJob job = job(samba.urlWithCredentials("share", "u8/secret.bin", SambaServer.USER, "wrong-Pw-42"), src);
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.ERROR_LOGON_FAILURE), error.errorName(), error.description());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());
        assertFalse(error.description().contains("wrong-Pw-42"), error.description());
        assertFalse(job.files().get(0).remoteName().contains("wrong-Pw-42"));
    }

    @Test
    void anUnreachableServerIsTransientBadNetPath() {
        Path src = local("nobody.bin", 1000, 52);
        BitsJob job = job("smb://127.0.0.1:" + Ports.free() + "/share/f.bin", src);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.name(HResult.ERROR_BAD_NETPATH), error.errorName(), error.description());
        assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context());
    }

    /** Another client's handle on the share, with the test account. */
    private static CIFSContext otherClient() throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("jcifs.smb.client.minVersion", "SMB202");
        p.setProperty("jcifs.smb.client.useSMB2Negotiation", "true");
        p.setProperty("jcifs.resolveOrder", "DNS");
        return new BaseContext(new PropertyConfiguration(p))
                .withCredentials(new NtlmPasswordAuthenticator(SambaServer.DOMAIN, SambaServer.USER, SambaServer.PASSWORD));
    }

    @Test
    void theTemporaryFileHeldOpenUnsharedIsASharingViolationAtResumeAndAtComplete() throws Exception {
        Path src = local("held.bin", 12 * MIB, 53);
        Files.createDirectories(samba.dir("share").resolve("u9"));
        relay = TcpRelay.to(samba.port(), 0);
        relay.upstreamRate(2 * MIB);
        BitsJob job = job(relayed("share", "u9/held.bin"), src);
        job.resume();
        Await.progressBeyond(job, 1 * MIB, TIMEOUT);
        job.suspend();
        relay.upstreamRate(0);
        String tempName = onlyTemporary(samba.dir("share").resolve("u9")).getFileName().toString();
        CIFSContext other = otherClient();
        try (SmbFile f = new SmbFile(samba.url("share", "u9/" + tempName).toString(), other);
             SmbRandomAccessFile open = f.openRandomAccess("r", SmbConstants.FILE_NO_SHARE)) {
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
            JobError error = job.error().orElseThrow();
            assertEquals(HResult.name(HResult.ERROR_SHARING_VIOLATION), error.errorName(), error.description());
            assertEquals(ErrorContext.REMOTE_FILE, error.context());
        }
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        try (SmbFile f = new SmbFile(samba.url("share", "u9/" + tempName).toString(), other);
             SmbRandomAccessFile open = f.openRandomAccess("r", SmbConstants.FILE_NO_SHARE)) {
            BitsException e = assertThrows(BitsException.class, job::complete);
            assertEquals(HResult.ERROR_SHARING_VIOLATION, e.hresult(), HResult.name(e.hresult()) + ": " + e.detail());
            assertEquals(JobState.TRANSFERRED, job.state(), "the job is kept");
        }
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(samba.dir("share").resolve("u9/held.bin")));
    }

    @Test
    void namesWithSpacesAndNonAsciiCharactersUploadFromAUncName() throws Exception {
        Path src = local("names.bin", 300_000, 54);
        String dir = "Ordner mit Leerzeichen";
        Files.createDirectories(samba.dir("share").resolve(dir));
        String name = "Größe ü € 日本 #1.bin";
        BitsJob job = job(samba.userUrl("share", dir + "/" + name), src);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(samba.dir("share").resolve(dir).resolve(name)));
    }

    @Test
    void theJobsNtlmCredentialsWithADomainLogOnForTheUploadItsCompleteAndItsCancel() throws Exception {
        Path src = local("jobcred.bin", 2 * MIB, 56);
        Files.createDirectories(samba.dir("share").resolve("u10"));
        BitsJob job = engine.createJob("job credentials", JobType.UPLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setCredentials(org.jbits.AuthTarget.SERVER, org.jbits.AuthScheme.NTLM,
                SambaServer.DOMAIN + "\\" + SambaServer.USER, SambaServer.PASSWORD);
        job.addFile(samba.url("share", "u10/jobcred.bin").toString(), src.toString());
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertEquals(TestData.sha256(src), TestData.sha256(samba.dir("share").resolve("u10/jobcred.bin")));

        BitsJob cancelled = engine.createJob("job credentials, cancelled", JobType.UPLOAD);
        cancelled.setCredentials(org.jbits.AuthTarget.SERVER, org.jbits.AuthScheme.NTLM,
                SambaServer.DOMAIN + "\\" + SambaServer.USER, SambaServer.PASSWORD);
        cancelled.addFile(samba.url("share", "u10/cancelled.bin").toString(), src.toString());
        cancelled.resume();
        Await.state(cancelled, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(1, temporaries(samba.dir("share").resolve("u10")).size());
        cancelled.cancel();
        assertEquals(List.of(), temporaries(samba.dir("share").resolve("u10")), "Cancel logged on and deleted it");
        assertFalse(Files.exists(samba.dir("share").resolve("u10/cancelled.bin")));
    }

    @Test
    void anUploadReplyJobToAShareIsRefusedAtAddFile() {
        Path src = local("reply.bin", 1000, 55);
        BitsJob job = engine.createJob("reply", JobType.UPLOAD_REPLY);
        BitsException e = assertThrows(BitsException.class, () -> job.addFile(samba.userUrl("share", "r.bin"),
                src.toString()));
        assertEquals(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, e.hresult(), e.detail());
        BitsException unc = assertThrows(BitsException.class, () -> job.addFile("\\\\127.0.0.1@" + samba.port()
                + "\\share\\r.bin", src.toString()));
        assertEquals(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, unc.hresult(), unc.detail());
        assertEquals(0, job.files().size());
    }
}
