package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.ReplyProgress;
import org.jbits.server.UploadServer;
import org.jbits.testing.Await;
import org.jbits.testing.CountingProxy;
import org.jbits.testing.Engines;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upload and upload-reply jobs through the portable engine to jbits' upload server (in-process, real sockets, a
 * counting proxy in between): the job's states and progress, the reply file appearing at Complete and its data,
 * the local file's rules (by identity: a swapped link or file is never read), a change mid-upload, an engine closed
 * and reopened mid-upload, Cancel.
 */
class UploadJobTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;
    private Path uploads;
    private Path local;
    private UploadServer server;
    private CountingProxy proxy;
    private PortableEngine engine;

    @BeforeEach
    void start() throws Exception {
        uploads = Files.createDirectories(Path.of("target", "tmp")).resolve("engine-uploads-" + System.nanoTime());
        Files.createDirectories(uploads);
        local = Files.createDirectories(tmp.resolve("local"));
        engine = Engines.open(tmp.resolve("state"));
    }

    private void serve(UploadServer.Builder b) throws IOException {
        server = b.port(0).build().start();
        proxy = CountingProxy.start(server.address());
    }

    private void serve() throws IOException {
        serve(UploadServer.builder(uploads));
    }

    @AfterEach
    void stop() {
        engine.close();
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Path source(String name, byte[] content) throws IOException {
        return Files.write(local.resolve(name), content);
    }

    private BitsJob job(JobType type, String remotePath, Path file) {
        BitsJob job = engine.createJob(remotePath, type);
        job.setPriority(JobPriority.FOREGROUND);
        job.setMinimumRetryDelay(5);
        job.addFile(proxy.url(remotePath).toString(), file.toString());
        return job;
    }

    /** A back-end command that answers with the upload in upper case. */
    private Path upperCaseCommand() throws IOException {
        return script("tr 'a-z' 'A-Z' < \"$BITS_REQUEST_DATAFILE_NAME\" > \"$BITS_RESPONSE_DATAFILE_NAME\"");
    }

    private Path script(String body) throws IOException {
        Path s = tmp.resolve("notify-" + System.nanoTime() + ".sh");
        Files.writeString(s, "#!/bin/sh\nset -e\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    @Test
    void anUploadJobIsTransferredOnceTheServerClosedItsSession() throws Exception {
        serve();
        byte[] content = TestData.random((int) (6 * MIB + 7), 1);
        Path file = source("a.bin", content);
        BitsJob job = job(JobType.UPLOAD, "/a.bin", file);
        assertEquals(content.length, job.progress().bytesTotal(), "an upload's size is known at AddFile");
        BitsFile f = job.files().get(0);
        assertNull(f.temporaryName(), "an upload has no temporary file");
        assertEquals(file.toRealPath().toString(), f.localName());
        job.resume();

        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(content.length, job.progress().bytesTransferred());
        assertEquals(1, job.progress().filesTransferred());
        assertTrue(job.files().get(0).progress().completed());
        assertArrayEquals(content, Files.readAllBytes(uploads.resolve("a.bin")), "the server has the file");
        assertEquals(0, server.openSessions(), "the session is closed before Transferred");
        assertEquals(HResult.S_OK, job.complete());
        assertArrayEquals(content, Files.readAllBytes(file), "the local file is left as it was");
        try (Stream<Path> s = Files.list(local)) {
            assertEquals(List.of("a.bin"), s.map(p -> p.getFileName().toString()).toList(), "nothing left behind");
        }
        for (Runnable reply : List.<Runnable>of(job::replyFileName, job::replyProgress, job::replyData,
                () -> job.setReplyFileName(null))) {
            assertEquals(HResult.E_NOTIMPL, assertThrows(BitsException.class, reply::run).hresult(),
                    "an upload job has no reply");
        }
    }

    @Test
    void uploadReplyFetchesTheReplyWhichAppearsAtItsNameOnlyAtComplete() throws Exception {
        serve(UploadServer.builder(uploads).notifyCommand(List.of(upperCaseCommand().toString())));
        byte[] content = "hello, upload-reply; ".repeat(40_000).getBytes(StandardCharsets.US_ASCII);
        Path file = source("letter.txt", content);
        BitsJob job = engine.createJob("reply", JobType.UPLOAD_REPLY);
        job.setPriority(JobPriority.FOREGROUND);
        assertNull(job.replyFileName(), "no reply file before the job has its file");
        assertEquals(new ReplyProgress(-1, 0), job.replyProgress());
        job.addFile(proxy.url("/letter.txt").toString(), file.toString());
        String reply = job.replyFileName();
        assertEquals(local.toRealPath().resolve("letter.txt." + job.id().toString().substring(0, 8) + ".reply").toString(),
                reply, "the reply's default name is next to the file it answers");
        assertEquals(HResult.BG_E_INVALID_STATE, assertThrows(BitsException.class, job::replyData).hresult(),
                "no reply data before Transferred");
        job.resume();

        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        byte[] expected = new String(content, StandardCharsets.US_ASCII).toUpperCase().getBytes(StandardCharsets.US_ASCII);
        assertEquals(new ReplyProgress(expected.length, expected.length), job.replyProgress());
        assertArrayEquals(expected, job.replyData());
        assertFalse(Files.exists(Path.of(reply)), "the reply file appears only at Complete");
        assertEquals(HResult.BG_E_INVALID_STATE,
                assertThrows(BitsException.class, () -> job.setReplyFileName(local.resolve("late").toString())).hresult(),
                "the reply is there: its name no longer changes");
        assertEquals(HResult.S_OK, job.complete());
        assertArrayEquals(expected, Files.readAllBytes(Path.of(reply)), "the reply is in place");
        assertArrayEquals(expected, job.replyData(), "and still readable after Complete");
        assertFalse(Files.exists(uploads.resolve("letter.txt")), "the back-end kept no copy (it gave no "
                + "BITS-Copy-File-To-Destination)");
    }

    @Test
    void aReplyFileNameSetBeforeTheUploadIsWhereTheReplyGoes() throws Exception {
        serve(UploadServer.builder(uploads).notifyCommand(List.of(upperCaseCommand().toString())));
        Path file = source("set.txt", "abc".getBytes(StandardCharsets.US_ASCII));
        Path replies = Files.createDirectories(tmp.resolve("replies"));
        BitsJob job = engine.createJob("set", JobType.UPLOAD_REPLY);
        job.setReplyFileName(replies.resolve("answer.txt").toString());
        job.addFile(proxy.url("/set.txt").toString(), file.toString());
        assertEquals(replies.resolve("answer.txt").toString(), job.replyFileName(), "AddFile keeps a set name");
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, assertThrows(BitsException.class,
                () -> job.setReplyFileName(tmp.resolve("no/such/dir/r").toString())).hresult());
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertEquals("ABC", Files.readString(replies.resolve("answer.txt")));
    }

    @Test
    void aServerWithoutAnApplicationGivesAnEmptyReply() throws Exception {
        serve();
        Path file = source("plain.bin", TestData.random(100_000, 3));
        BitsJob job = job(JobType.UPLOAD_REPLY, "/plain.bin", file);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(new ReplyProgress(0, 0), job.replyProgress());
        assertArrayEquals(new byte[0], job.replyData());
        job.complete();
        assertEquals(0, Files.size(Path.of(job.replyFileName())), "an empty reply file, as BITS leaves one");
    }

    @Test
    void replyDataBeyondOneMiBIsTooLargeAndNamesItsSize() throws Exception {
        serve(UploadServer.builder(uploads).notifyCommand(List.of(script(
                "head -c 1048577 /dev/zero > \"$BITS_RESPONSE_DATAFILE_NAME\"").toString())));
        Path file = source("big-reply.bin", TestData.random(1000, 4));
        BitsJob job = job(JobType.UPLOAD_REPLY, "/big-reply.bin", file);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        BitsException e = assertThrows(BitsException.class, job::replyData);
        assertEquals(HResult.BG_E_TOO_LARGE, e.hresult());
        assertTrue(e.getMessage().contains("1048577 bytes"), e.getMessage());
        job.complete();
        assertEquals(1_048_577, Files.size(Path.of(job.replyFileName())));
    }

    @Test
    void aDownloadJobHasNoReply() {
        BitsJob job = engine.createJob("download", JobType.DOWNLOAD);
        for (Supplier<?> reply : List.<Supplier<?>>of(job::replyFileName, job::replyProgress, job::replyData)) {
            assertEquals(HResult.E_NOTIMPL, assertThrows(BitsException.class, reply::get).hresult());
        }
        assertEquals(HResult.E_NOTIMPL, assertThrows(BitsException.class, () -> job.setReplyFileName("/tmp/x"))
                .hresult());
    }

    @Test
    void theLocalFileChangedMidUploadFailsWithLocalFileChangedAndAResumeSendsTheNewVersion() throws Exception {
        serve();
        byte[] content = TestData.random((int) (8 * MIB), 5);
        Path file = source("changing.bin", content);
        proxy.throttle(3 * MIB);
        BitsJob job = job(JobType.UPLOAD, "/changing.bin", file);
        job.resume();
        Await.progressBeyond(job, 0, TIMEOUT);
        Files.write(file, "more".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);

        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError e = job.error().orElseThrow();
        assertEquals(HResult.BG_E_LOCAL_FILE_CHANGED, e.hresult(), e.description());
        assertEquals(ErrorContext.LOCAL_FILE, e.context());
        Await.until(TIMEOUT, "Cancel-Session", () -> proxy.packets().stream()
                .anyMatch(p -> "Cancel-Session".equals(p.type())));
        assertEquals(0, server.openSessions(), "the server discarded the mixed upload");
        assertFalse(Files.exists(uploads.resolve("changing.bin")));

        proxy.throttle(0);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(uploads.resolve("changing.bin")));
        assertEquals(2, proxy.packets().stream().filter(p -> "Create-Session".equals(p.type())).count(),
                "the new version went in a new session");
    }

    @Test
    void aLinkSwappedInForTheFileIsNeverReadThrough() throws Exception {
        serve();
        Path secret = Files.writeString(tmp.resolve("secret"), "the agent's own secret");
        Path file = source("swapped.txt", "harmless".getBytes(StandardCharsets.US_ASCII));
        BitsJob job = job(JobType.UPLOAD, "/swapped.txt", file);
        Files.delete(file);
        Files.createSymbolicLink(file, secret);
        job.resume();

        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError e = job.error().orElseThrow();
        assertEquals(HResult.E_ACCESSDENIED, e.hresult(), e.description());
        assertEquals(ErrorContext.LOCAL_FILE, e.context());
        assertEquals(List.of(), proxy.packets(), "nothing went to the server");
    }

    @Test
    void anotherFileRenamedOverTheNameIsNotUploaded() throws Exception {
        serve();
        Path file = source("renamed.txt", "first".getBytes(StandardCharsets.US_ASCII));
        BitsJob job = job(JobType.UPLOAD, "/renamed.txt", file);
        Path other = Files.writeString(local.resolve(".other"), "someone else's");
        Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        job.resume();

        Await.state(job, TIMEOUT, JobState.ERROR);
        assertEquals(HResult.BG_E_LOCAL_FILE_CHANGED, job.error().orElseThrow().hresult());
        assertEquals(List.of(), proxy.packets(), "nothing of the other file went to the server");
    }

    @Test
    void addFileRefusesASourceThatIsMissingADirectoryOrAFifo() throws Exception {
        serve();
        BitsJob job = engine.createJob("rules", JobType.UPLOAD);
        String url = proxy.url("/r").toString();
        assertEquals(HResult.ERROR_FILE_NOT_FOUND,
                assertThrows(BitsException.class, () -> job.addFile(url, local.resolve("missing").toString())).hresult());
        assertEquals(HResult.E_INVALIDARG,
                assertThrows(BitsException.class, () -> job.addFile(url, local.toString())).hresult());
        Path fifo = local.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        assertEquals(HResult.E_INVALIDARG, assertThrows(BitsException.class, () -> job.addFile(url, fifo.toString()))
                .hresult());
        assertEquals(HResult.E_INVALIDARG,
                assertThrows(BitsException.class, () -> job.addFile(url, "relative/file")).hresult());
        assertEquals(0, job.files().size());
    }

    @Test
    void anEngineClosedMidUploadResumesTheSameSessionAndSendsAtMostTheProbeAgain() throws Exception {
        serve();
        byte[] content = TestData.random((int) (12 * MIB), 6);
        Path file = source("restart.bin", content);
        proxy.throttle(4 * MIB);
        BitsJob job = job(JobType.UPLOAD, "/restart.bin", file);
        job.resume();
        Await.progressBeyond(job, 2 * MIB, TIMEOUT);
        engine.close();
        proxy.throttle(0);

        engine = Engines.open(tmp.resolve("state"));
        BitsJob again = engine.getJob(job.id());
        Await.state(again, TIMEOUT, JobState.TRANSFERRED);
        assertArrayEquals(content, Files.readAllBytes(uploads.resolve("restart.bin")));
        assertEquals(1, proxy.packets().stream().filter(p -> "Create-Session".equals(p.type())).count(),
                "the restarted engine continued the session: " + proxy.packets());
        assertTrue(proxy.resentBytes() <= 5 * 1024, "re-sent " + proxy.resentBytes() + " bytes");
    }

    @Test
    void anEngineClosedWhileTheReplyDownloadsResumesTheReplyWithARangeBeforeCloseSession() throws Exception {
        Path side = tmp.resolve("reply-as-sent");
        serve(UploadServer.builder(uploads).notifyCommand(List.of(script("head -c 6291456 /dev/urandom | tee \""
                + side + "\" > \"$BITS_RESPONSE_DATAFILE_NAME\"").toString())));
        Path file = source("q.bin", TestData.random(50_000, 8));
        proxy.throttleResponses(2 * MIB);
        BitsJob job = job(JobType.UPLOAD_REPLY, "/q.bin", file);
        job.resume();
        Await.until(TIMEOUT, "a part of the reply", () -> job.replyProgress().bytesTransferred() > MIB);
        engine.close();
        proxy.throttleResponses(0);

        engine = Engines.open(tmp.resolve("state"));
        BitsJob again = engine.getJob(job.id());
        Await.state(again, TIMEOUT, JobState.TRANSFERRED);
        List<CountingProxy.Packet> gets = proxy.packets().stream().filter(p -> p.method().equals("GET")).toList();
        assertEquals(2, gets.size(), proxy.packets().toString());
        assertNull(gets.get(0).range());
        assertTrue(gets.get(1).range() != null && gets.get(1).range().matches("bytes=[1-9][0-9]*-"),
                "the reply resumed where it stopped: " + gets.get(1));
        List<String> types = proxy.packets().stream().map(CountingProxy.Packet::type).toList();
        assertEquals(1, types.stream().filter("Close-Session"::equals).count());
        assertTrue(types.lastIndexOf("Close-Session") > proxy.packets().indexOf(gets.get(1)), "Close after the reply");
        assertEquals(HResult.BG_E_TOO_LARGE, assertThrows(BitsException.class, again::replyData).hresult());
        again.complete();
        assertArrayEquals(Files.readAllBytes(side), Files.readAllBytes(Path.of(again.replyFileName())));
    }

    @Test
    void aReplyDeletedBeforeCompleteIsNotAskedForAgainAndAResumedJobCompletesWithoutIt() throws Exception {
        serve(UploadServer.builder(uploads).notifyCommand(List.of(upperCaseCommand().toString())));
        Path file = source("gone.txt", "abc".getBytes(StandardCharsets.US_ASCII));
        BitsJob job = job(JobType.UPLOAD_REPLY, "/gone.txt", file);
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        Path reply = Path.of(job.replyFileName());
        Files.delete(Path.of(LocalNames.tempNameFor(job.id(), UploadRecord.REPLY_INDEX, reply)));
        int packetsAtTransferred = proxy.packets().size();

        BitsException refused = assertThrows(BitsException.class, job::complete);
        assertEquals(HResult.ERROR_FILE_NOT_FOUND, refused.hresult());
        assertTrue(refused.getMessage().contains("the server no longer has it"), refused.getMessage());
        assertEquals(JobState.ERROR, job.state());
        JobError error = job.error().orElseThrow();
        assertEquals(ErrorContext.LOCAL_FILE, error.context());
        assertTrue(error.description().contains("resume and complete the job to end it without its reply"),
                error.description());

        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(packetsAtTransferred, proxy.packets().size(),
                "the session is closed: nothing is sent or asked again: " + proxy.packets());
        assertEquals(HResult.BG_S_PARTIAL_COMPLETE, job.complete(), "the job ends without its reply");
        assertFalse(Files.exists(reply));
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(file), "the source is untouched");
    }

    @Test
    void cancelSendsCancelSessionAndLeavesNoReplyBehind() throws Exception {
        serve(UploadServer.builder(uploads).notifyCommand(List.of(upperCaseCommand().toString())));
        Path file = source("cancel.bin", TestData.random((int) (8 * MIB), 7));
        proxy.throttle(2 * MIB);
        BitsJob job = job(JobType.UPLOAD_REPLY, "/cancel.bin", file);
        job.resume();
        Await.progressBeyond(job, 0, TIMEOUT);
        job.cancel();
        assertTrue(proxy.packets().stream().anyMatch(p -> "Cancel-Session".equals(p.type())), proxy.packets().toString());
        assertEquals(0, server.openSessions());
        try (Stream<Path> s = Files.list(local)) {
            assertEquals(List.of("cancel.bin"), s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
