package org.jbits.transport;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * Local files as sources ({@code file://} URLs and absolute paths). The validator is size and modification time,
 * BITS' "file version": a source that changed restarts from byte 0.
 */
public final class FileTransport implements Transport {
    private static final int BUFFER = 1 << 20;

    @Override
    public boolean handles(URI uri) {
        return "file".equalsIgnoreCase(uri.getScheme());
    }

    @Override
    public void download(URI source, DownloadTarget target, TransferContext context) throws TransferException {
        Path path = Path.of(source);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw TransferException.fatal(HResult.ERROR_FILE_NOT_FOUND, ErrorContext.REMOTE_FILE,
                    "the source file " + path + " does not exist", e);
        } catch (IOException e) {
            throw TransferException.fatal(HResult.E_ACCESSDENIED, ErrorContext.REMOTE_FILE,
                    "cannot read the source file " + path + ": " + e.getMessage(), e);
        }
        if (attrs.isDirectory()) {
            throw TransferException.fatal(HResult.E_INVALIDARG, ErrorContext.REMOTE_FILE,
                    "the source " + path + " is a directory", null);
        }
        long size = attrs.size();
        String validator = size + "@" + attrs.lastModifiedTime().toMillis();
        boolean fromZero = target.offset() == 0 || !validator.equals(target.validator()) || target.offset() > size;
        target.begin(size, validator, fromZero);
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long pos = target.position();
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            while (pos < size) {
                if (context.isStopped()) {
                    return;
                }
                buf.clear();
                int n = in.read(buf, pos);
                if (n < 0) {
                    break;
                }
                buf.flip();
                target.write(buf);
                pos += n;
                context.pacer().pace(n);
            }
        } catch (IOException e) {
            throw TransferException.fatal(HResult.E_FAIL, ErrorContext.REMOTE_FILE,
                    "reading the source file " + path + " failed: " + e.getMessage(), e);
        }
        if (target.position() != size) {
            throw TransferException.transientError(HResult.BG_E_LOCAL_FILE_CHANGED, ErrorContext.REMOTE_FILE,
                    "the source file " + path + " changed size during the copy", null);
        }
        target.finish();
    }
}
