package jcifs.smb;

import java.lang.reflect.Field;
import java.util.concurrent.Semaphore;

/** What a test may see of jcifs-ng's credit count, which it keeps private. */
public final class Credits {
    private Credits() {
    }

    /** The credits the connection of {@code file} holds now: how many more its requests may be charged. */
    public static int available(SmbFile file) throws Exception {
        Field credits = SmbTransportImpl.class.getDeclaredField("credits");
        credits.setAccessible(true);
        try (SmbTreeHandleImpl tree = file.ensureTreeConnected(); SmbSessionImpl session = tree.getSession();
                SmbTransportImpl transport = session.getTransport()) {
            return ((Semaphore) credits.get(transport)).availablePermits();
        }
    }
}
