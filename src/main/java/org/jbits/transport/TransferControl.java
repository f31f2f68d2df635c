package org.jbits.transport;

import org.jbits.ProxySettings;

/**
 * What a transport needs from the job around it: whether to stop (the job was suspended, preempted, cancelled),
 * a hook to abort blocking I/O when it is stopped, and the job's connection settings.
 */
public interface TransferControl {
    /** True once the engine has asked this transfer to stop. */
    boolean isStopped();

    /** Runs {@code action} when the transfer is stopped (at once if it already is). Used to abort a blocking read. */
    void onStop(Runnable action);

    /** The job's proxy settings. */
    ProxySettings proxySettings();
}
