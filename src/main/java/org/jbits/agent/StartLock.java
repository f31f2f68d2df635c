package org.jbits.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.file.StateDirectory;

/**
 * The lock that lets one CLI at a time start the agent of a state directory ({@code agent.start.lock}). Without
 * it, CLIs started together on a fresh state directory each spawned an agent; all but one lost the engine's lock
 * and exited, and their CLIs reported a failed start while the winner was still opening its store.
 */
final class StartLock implements AutoCloseable {
    static final String FILE = "agent.start.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StartLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, waiting for another starter until {@code deadline} (System.nanoTime()). */
    static StartLock acquire(Path stateDir, long deadline) {
        Path file = stateDir.resolve(FILE);
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            StateDirectory.restrict(file);
            try {
                while (true) {
                    FileLock l;
                    try {
                        l = ch.tryLock();
                    } catch (OverlappingFileLockException heldInThisProcess) {
                        l = null;
                    }
                    if (l != null) {
                        return new StartLock(ch, l);
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        throw new BitsException(HResult.E_FAIL, "another jbits command has been starting the agent"
                                + " for " + stateDir + " for too long (" + file + " is locked)");
                    }
                    AgentProcess.sleep(20);
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new BitsException(HResult.E_FAIL, "cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the channel
        }
    }
}
