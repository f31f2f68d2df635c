package org.jbits.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.HResult;
import org.jbits.JobType;
import org.jbits.file.FileIdentity;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;

/**
 * An upload-reply job's reply file ({@code IBackgroundCopyJob2}'s reply methods): its record (a file row at
 * {@link UploadRecord#REPLY_INDEX}, with a temporary file next to its name like a download's, renamed into place at
 * Complete), and its bytes read back for GetReplyData through the directory recorded for it, by the identity of the
 * file the engine wrote.
 */
final class ReplyFiles {
    private ReplyFiles() {
    }

    /** E_NOTIMPL for download and upload jobs, as BITS answers the reply methods there. */
    static void requireReplyJob(JobRecord rec) {
        if (rec.type != JobType.UPLOAD_REPLY) {
            throw new BitsException(HResult.E_NOTIMPL, "only upload-reply jobs have a reply; job " + rec.id + " is a"
                    + (rec.type == JobType.DOWNLOAD ? " download" : "n upload") + " job");
        }
    }

    /** The record of a reply written to {@code reply}, in the directory whose identity is {@code dir}. */
    static FileRecord record(UUID jobId, Path reply, FileIdentity dir) {
        FileRecord r = new FileRecord(UploadRecord.REPLY_INDEX, "", null, reply.toString(),
                LocalNames.tempNameFor(jobId, UploadRecord.REPLY_INDEX, reply));
        r.dirId = dir;
        return r;
    }

    /**
     * The reply's bytes: from its temporary file while the job is Transferred, from its place once Acknowledged;
     * BG_E_TOO_LARGE beyond {@link BitsLimits#MAX_REPLY_DATA}, with the size. An empty array for no reply.
     */
    static byte[] read(FileRecord reply, boolean inPlace) {
        if (reply == null || !reply.completed) {
            return new byte[0];
        }
        Path p = Path.of(inPlace ? reply.localName : reply.tempName);
        try {
            if (!SafeDirectory.supported()) {
                return bounded(Files.size(p), () -> Files.readAllBytes(p));
            }
            try (SafeDirectory dir = SafeDirectory.open(p.getParent(), reply.dirId);
                 SafeFile f = dir.openForReading(p.getFileName().toString(), reply.tempId);
                 FileChannel ch = f.readChannel()) {
                return bounded(ch.size(), () -> {
                    ByteBuffer b = ByteBuffer.allocate((int) ch.size());
                    while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
                        // read it all
                    }
                    return b.array();
                });
            }
        } catch (NoSuchFileException e) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "the reply file " + p + " is gone");
        } catch (IOException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "cannot read the reply file " + p + ": " + e.getMessage());
        }
    }

    private interface Reader {
        byte[] read() throws IOException;
    }

    private static byte[] bounded(long size, Reader reader) throws IOException {
        if (size > BitsLimits.MAX_REPLY_DATA) {
            throw new BitsException(HResult.BG_E_TOO_LARGE, "the reply is " + size + " bytes; the reply data in memory"
                    + " is at most " + BitsLimits.MAX_REPLY_DATA + " bytes: read the reply file after Complete");
        }
        return reader.read();
    }
}
