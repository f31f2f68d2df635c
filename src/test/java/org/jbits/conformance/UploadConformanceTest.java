package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.ReplyProgress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Upload and upload-reply jobs over the BITS upload protocol: reference §1.4 (reply), §3, §7 item 12. */
class UploadConformanceTest extends ConformanceTestBase {

    @Test
    @DisplayName("upload-job-sends-its-file-and-is-transferred")
    @WineDeviation("upload jobs are handled as downloads: Wine GETs the upload URL (no BITS_POST), which answers 404,"
            + " and the job goes to ERROR (reference §6.3, §8)")
    void uploadJobSendsItsFile() throws Exception {
        byte[] content = ConformanceServer.content("up.bin", SMALL);
        Path file = Files.write(dir.resolve("up.bin"), content);
        BitsJob job = createJob("upload", JobType.UPLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.addFile(server.bitsUploadUrl("up.bin"), file.toString());
        job.resume();
        assertEquals(JobState.TRANSFERRED, awaitState(job, JobState.TRANSFERRED));
        JobProgress p = job.progress();
        assertEquals(SMALL, p.bytesTotal(), "bytes total");
        assertEquals(SMALL, p.bytesTransferred(), "bytes acknowledged by the server");
        assertEquals(1, p.filesTransferred(), "files transferred");
        assertEquals(HResult.S_OK, job.complete());
        assertArrayEquals(content, server.uploaded("up.bin"), "the server has the file");
        assertArrayEquals(content, Files.readAllBytes(file), "the local file is left as it was");
    }

    @Test
    @DisplayName("upload-reply-job-reply-data-and-reply-file-at-complete")
    @WineDeviation("Set/GetReplyFileName, GetReplyProgress and GetReplyData are E_NOTIMPL stubs, and the upload is"
            + " handled as a download (reference §6.2, §6.3)")
    void uploadReplyJobGetsItsReply() throws Exception {
        byte[] content = ConformanceServer.content("ask.bin", SMALL);
        Path file = Files.write(dir.resolve("ask.bin"), content);
        Path reply = dir.resolve("answer.txt");
        BitsJob job = createJob("upload-reply", JobType.UPLOAD_REPLY);
        job.setPriority(JobPriority.FOREGROUND);
        job.setReplyFileName(reply.toString());
        job.addFile(server.bitsUploadReplyUrl("ask.bin"), file.toString());
        assertEquals(reply.toString(), job.replyFileName(), "GetReplyFileName gives the name set");
        job.resume();
        assertEquals(JobState.TRANSFERRED, awaitState(job, JobState.TRANSFERRED));
        byte[] expected = ConformanceServer.replyFor("ask.bin", SMALL);
        assertEquals(new ReplyProgress(expected.length, expected.length), job.replyProgress(), "reply progress");
        assertArrayEquals(expected, job.replyData(), "GetReplyData");
        assertFalse(Files.exists(reply), "the reply file is not available before Complete");
        assertEquals(HResult.S_OK, job.complete());
        assertTrue(Files.exists(reply), "the reply file is there after Complete");
        assertArrayEquals(expected, Files.readAllBytes(reply));
        assertArrayEquals(content, server.uploaded("ask.bin"));
    }

    @Test
    @DisplayName("reply-methods-of-download-and-upload-jobs-fail-E_NOTIMPL")
    void replyMethodsAreForUploadReplyJobsOnly() {
        BitsJob download = download("no reply");
        assertBitsError(HResult.E_NOTIMPL, download::replyFileName, "GetReplyFileName of a download job");
        assertBitsError(HResult.E_NOTIMPL, download::replyProgress, "GetReplyProgress of a download job");
        assertBitsError(HResult.E_NOTIMPL, download::replyData, "GetReplyData of a download job");
        BitsJob upload = createJob("upload without reply", JobType.UPLOAD);
        assertBitsError(HResult.E_NOTIMPL, upload::replyFileName, "GetReplyFileName of an upload job");
        assertBitsError(HResult.E_NOTIMPL, upload::replyData, "GetReplyData of an upload job");
    }
}
