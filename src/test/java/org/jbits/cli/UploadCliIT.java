package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jbits.server.UploadServer;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads through the packaged CLI and its agent to jbits' upload server (in this JVM): {@code start --transfer-type
 * upload|upload-reply SOURCE URL}, {@code --reply-file}, a CSV of uploads making one job per row, and the job
 * object's reply fields.
 */
class UploadCliIT {
    @TempDir
    Path tmp;
    private Cli cli;
    private Path uploads;
    private Path local;
    private UploadServer server;

    @BeforeEach
    void setUp() throws Exception {
        cli = new Cli(tmp.resolve("home"));
        uploads = Files.createDirectories(Path.of("target", "tmp").toAbsolutePath()).resolve("cli-uploads-" + System.nanoTime());
        Files.createDirectories(uploads);
        local = Files.createDirectories(tmp.resolve("local"));
        Path notify = tmp.resolve("notify.sh");
        Files.writeString(notify, "#!/bin/sh\nset -e\ncase \"$BITS_ORIGINAL_REQUEST_URL\" in\n"
                + "  */reply/*) { printf 'received '; wc -c < \"$BITS_REQUEST_DATAFILE_NAME\"; } > \"$BITS_RESPONSE_DATAFILE_NAME\";"
                + " echo 'BITS-Copy-File-To-Destination: yes' ;;\n"
                + "  *) echo 'BITS-Copy-File-To-Destination: yes' ;;\nesac\n");
        Files.setPosixFilePermissions(notify, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(uploads.resolve("reply"));
        server = UploadServer.builder(uploads).port(0).notifyCommand(List.of(notify.toString())).build().start();
    }

    @AfterEach
    void tearDown() {
        cli.close();
        server.close();
    }

    private String url(String path) {
        return server.url().resolve(path).toString();
    }

    @Test
    void aSynchronousUploadSendsTheFileAndLeavesNoJob() throws Exception {
        byte[] content = TestData.random(5 << 20, 1);
        Path file = Files.write(local.resolve("report.bin"), content);
        Cli.Result r = cli.run("start", "--transfer-type", "upload", file.toString(), url("/report.bin"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("Transferred 1 file(s)"), r::toString);
        assertArrayEquals(content, Files.readAllBytes(uploads.resolve("report.bin")));
        assertEquals(0, cli.run("get", "--json").json().size());
    }

    @Test
    void aCsvOfFourUploadsMakesFourJobsOfOneFileEach() throws Exception {
        StringBuilder csv = new StringBuilder("Source, Destination\n");
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] c = TestData.random(300_000 + i, 10 + i);
            contents.add(c);
            csv.append(Files.write(local.resolve("f" + i + ".bin"), c)).append(", ").append(url("/up/f" + i + ".bin"))
                    .append('\n');
        }
        Files.createDirectories(uploads.resolve("up"));
        Path list = Files.writeString(tmp.resolve("filelist.txt"), csv);

        Cli.Result r = cli.run("start", "--async", "--json", "--transfer-type", "upload", "--from-csv", list.toString());
        assertEquals(0, r.exit(), r::toString);
        JsonNode jobs = r.json();
        assertTrue(jobs.isArray(), r::toString);
        assertEquals(4, jobs.size(), "one job per row, as Start-BitsTransfer makes them");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            JsonNode j = jobs.get(i);
            ids.add(j.path("jobId").asText());
            assertEquals("Upload", j.path("transferType").asText());
            assertEquals(1, j.path("fileList").size());
            assertEquals(url("/up/f" + i + ".bin"), j.path("fileList").get(0).path("remoteName").asText());
        }
        assertEquals(4, ids.size());
        for (String id : ids) {
            Await.until(Duration.ofSeconds(60), "job " + id + " transferred",
                    () -> cli.run("get", id, "--json").json().get(0).path("jobState").asText().equals("Transferred"));
            assertEquals(0, cli.run("complete", id).exit());
        }
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(contents.get(i), Files.readAllBytes(uploads.resolve("up/f" + i + ".bin")));
        }

        // Synchronously, the four jobs are followed one after another.
        for (int i = 0; i < 4; i++) {
            Files.delete(uploads.resolve("up/f" + i + ".bin"));
        }
        Cli.Result sync = cli.run("start", "--transfer-type", "upload", "--from-csv", list.toString());
        assertEquals(0, sync.exit(), sync::toString);
        assertEquals(4, sync.out().lines().filter(l -> l.startsWith("Transferred 1 file(s)")).count(), sync::toString);
    }

    @Test
    void uploadReplyWithAReplyFileShowsTheReplyInTheJobObjectAndTheFileAtComplete() throws Exception {
        Path file = Files.write(local.resolve("question.txt"), "x".repeat(12345).getBytes(StandardCharsets.US_ASCII));
        Path replyFile = tmp.resolve("answer.txt");
        Cli.Result r = cli.run("start", "--async", "--json", "--transfer-type", "upload-reply", "--reply-file",
                replyFile.toString(), file.toString(), url("/reply/question.txt"));
        assertEquals(0, r.exit(), r::toString);
        String id = r.json().path("jobId").asText();
        assertEquals("UploadReply", r.json().path("transferType").asText());
        assertEquals(replyFile.toString(), r.json().path("replyFileName").asText());

        Await.until(Duration.ofSeconds(60), "transferred",
                () -> cli.run("get", id, "--json").json().get(0).path("jobState").asText().equals("Transferred"));
        JsonNode job = cli.run("get", id, "--json").json().get(0);
        long replyLength = "received 12345\n".length();
        assertEquals(replyLength, job.path("replyBytesTotal").asLong(), job::toString);
        assertEquals(replyLength, job.path("replyBytesTransferred").asLong(), job::toString);
        assertEquals(12345, job.path("bytesTransferred").asLong());
        assertFalse(Files.exists(replyFile), "the reply appears at Complete");
        assertEquals(0, cli.run("complete", id).exit());
        assertEquals("received 12345\n", Files.readString(replyFile));
    }

    @Test
    void aDownloadsJobObjectHasReplyFieldsThatAreNullAndReplyFileIsRefusedForIt() throws Exception {
        Path file = Files.write(local.resolve("s.bin"), new byte[10]);
        Cli.Result r = cli.run("start", "--suspended", "--json", "--transfer-type", "upload", file.toString(),
                url("/s.bin"));
        assertEquals(0, r.exit(), r::toString);
        JsonNode job = r.json();
        assertTrue(job.has("replyFileName") && job.path("replyFileName").isNull(), job::toString);
        assertTrue(job.path("replyBytesTotal").isNull() && job.path("replyBytesTransferred").isNull(), job::toString);

        Cli.Result refused = cli.run("start", "--transfer-type", "upload", "--reply-file", tmp.resolve("r").toString(),
                file.toString(), url("/t.bin"));
        assertEquals(2, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("--reply-file is for upload-reply jobs"), refused::toString);
        assertEquals(1, refused.errLines().size(), refused::toString);
    }

    @Test
    void theUploadsSourceMustBeAFileAndItsDestinationAUrl() throws Exception {
        Cli.Result missing = cli.run("start", "--transfer-type", "upload", local.resolve("nope").toString(), url("/n"));
        assertEquals(2, missing.exit(), missing::toString);
        assertTrue(missing.err().contains("ERROR_FILE_NOT_FOUND"), missing::toString);
        Path file = Files.write(local.resolve("two.bin"), new byte[1]);
        Cli.Result two = cli.run("start", "--transfer-type", "upload", file.toString(), file.toString(), url("/two"));
        assertEquals(2, two.exit(), two::toString);
        assertTrue(two.err().contains("BG_E_TOO_MANY_FILES"), two::toString);
        Cli.Result toDir = cli.run("start", "--transfer-type", "upload", file.toString(), tmp.toString());
        assertEquals(2, toDir.exit(), toDir::toString);
        assertTrue(toDir.err().contains("BG_E_PROTOCOL_NOT_AVAILABLE"), toDir::toString);
        assertEquals(0, cli.run("get", "--json").json().size(), "invalid input created nothing");
    }
}
