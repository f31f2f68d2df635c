package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobState;
import org.jbits.testing.Await;
import org.jbits.testing.SambaServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SMB downloads and uploads (reference §1.1, §1.5: remote names may be SMB, for downloads and uploads but not
 * upload-reply jobs; UNC paths; no wildcards in a remote name) against a real
 * smbd started by the suite ({@link SambaServer}, on a free loopback port).
 *
 * <p>Only the portable backend can be pointed at that server: native BITS names SMB files by UNC path, which carries
 * no port (Windows' SMB client goes to 445), and reaches them as the calling Windows user; under Wine, qmgr copies a
 * name WinHTTP cannot crack with CopyFileExW and Wine has no SMB client (reference §6). On the native backends every
 * case here is skipped with that reason, before any server is started.
 */
class SmbConformanceTest extends ConformanceTestBase {
    static final String NATIVE_REASON = "the suite's smbd listens on a free loopback port, which a UNC path (all native "
            + "BITS takes for SMB) cannot name; under Wine qmgr has no SMB client at all (CopyFileExW, reference §6)";
    private SambaServer samba;

    @BeforeAll
    void startSamba() {
        if (smbServerReachable()) {
            try {
                samba = SambaServer.shared();
            } catch (RuntimeException e) {
                throw new ConformanceSetupException("smbd did not start", e);
            }
        }
    }

    @BeforeEach
    void requireSmbServer() {
        Assumptions.assumeTrue(smbServerReachable(), () -> backend.name() + ": " + NATIVE_REASON);
    }

    private boolean smbServerReachable() {
        return "portable".equals(backend.name());
    }

    @Test
    @DisplayName("smb-download-with-credentials-transfers-the-whole-file")
    void downloadWithCredentials() throws Exception {
        byte[] content = TestData.random(700_000, 61);
        samba.put("share", "conf/whole.bin", content);
        BitsJob job = download("smb-whole");
        job.addFile(samba.userUrl("share", "conf/whole.bin"), local("whole.bin"));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(content.length, job.progress().bytesTotal(), "BytesTotal is the file's size");
        assertEquals(content.length, job.progress().bytesTransferred());
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(Path.of(local("whole.bin"))));
    }

    @Test
    @DisplayName("smb-unc-name-from-a-guest-share-without-credentials")
    void uncNameFromGuestShare() throws Exception {
        byte[] content = TestData.random(50_000, 62);
        samba.put("guest", "conf/open.bin", content);
        BitsJob job = download("smb-guest");
        String unc = "\\\\127.0.0.1@" + samba.port() + "\\guest\\conf\\open.bin";
        job.addFile(unc, local("open.bin"));
        assertEquals(unc, job.files().get(0).remoteName(), "the remote name is kept as given");
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(Path.of(local("open.bin"))));
    }

    @Test
    @DisplayName("smb-wrong-password-fails-ERROR_LOGON_FAILURE-in-remote-file-context")
    void wrongPassword() {
        samba.put("share", "conf/locked.bin", new byte[1000]);
        BitsJob job = download("smb-logon");
        job.addFile(samba.urlWithCredentials("share", "conf/locked.bin", SambaServer.USER, "Not-It-123"), local("l.bin"));
        job.resume();
        awaitState(job, JobState.ERROR);
        JobError e = job.error().orElseThrow(() -> new AssertionError("no error: " + Await.describe(job)));
        assertEquals(code(HResult.ERROR_LOGON_FAILURE), code(e.hresult()), e.description());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
        assertFalse(e.description().contains("Not-It-123"), "no password in the description: " + e.description());
    }

    @Test
    @DisplayName("smb-missing-share-fails-ERROR_BAD_NET_NAME")
    void missingShare() {
        BitsJob job = download("smb-noshare");
        job.addFile(samba.userUrl("no-such-share", "f.bin"), local("f.bin"));
        job.resume();
        awaitState(job, JobState.ERROR);
        JobError e = job.error().orElseThrow();
        assertEquals(code(HResult.ERROR_BAD_NET_NAME), code(e.hresult()), e.description());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
    }

    @Test
    @DisplayName("smb-missing-file-fails-ERROR_FILE_NOT_FOUND")
    void missingFile() {
        BitsJob job = download("smb-nofile");
        job.addFile(samba.userUrl("share", "conf/absent.bin"), local("absent.bin"));
        job.resume();
        awaitState(job, JobState.ERROR);
        JobError e = job.error().orElseThrow();
        assertEquals(code(HResult.ERROR_FILE_NOT_FOUND), code(e.hresult()), e.description());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
    }

    @Test
    @DisplayName("smb-wildcard-in-remote-name-refused-at-AddFile-E_INVALIDARG")
    void wildcardRefused() {
        BitsJob job = download("smb-wildcard");
        assertBitsError(HResult.E_INVALIDARG, () -> job.addFile(samba.userUrl("share", "conf/*.bin"), local("x.bin")),
                "AddFile with a wildcard (reference §1.5: no wildcards in remote names)");
        assertEquals(0, job.files().size(), "nothing was added");
    }

    @Test
    @DisplayName("smb-upload-arrives-under-its-name-at-Complete-only")
    void uploadArrivesAtComplete() throws Exception {
        byte[] content = TestData.random(900_000, 63);
        Path src = Path.of(local("up.bin"));
        Files.write(src, content);
        Files.createDirectories(samba.dir("share").resolve("conf-up"));
        BitsJob job = createJob("smb-upload", org.jbits.JobType.UPLOAD);
        job.addFile(samba.userUrl("share", "conf-up/up.bin"), src.toString());
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(content.length, job.progress().bytesTransferred(), "every byte is on the share");
        assertFalse(Files.exists(samba.dir("share").resolve("conf-up/up.bin")),
                "the file appears under its name only at Complete");
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(samba.dir("share").resolve("conf-up/up.bin")));
    }

    @Test
    @DisplayName("smb-upload-reply-refused-at-AddFile-BG_E_PROTOCOL_NOT_AVAILABLE")
    void uploadReplyRefused() throws Exception {
        Path src = Path.of(local("reply.bin"));
        Files.write(src, new byte[100]);
        BitsJob job = createJob("smb-upload-reply", org.jbits.JobType.UPLOAD_REPLY);
        assertBitsError(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, () -> job.addFile(samba.userUrl("share", "r.bin"),
                src.toString()), "AddFile of an SMB name to an upload-reply job (BG_FILE_INFO: no SMB upload-reply)");
        assertEquals(0, job.files().size(), "nothing was added");
    }
}
