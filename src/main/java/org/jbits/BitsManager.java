package org.jbits;

import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;
import org.jbits.spi.BackendProvider;

/**
 * The entry point ({@code IBackgroundCopyManager}): creates, finds and enumerates jobs on one backend. Open one
 * with {@link #open(BitsOptions)}; close it to stop the backend's threads (jobs persist).
 *
 * <pre>{@code
 * try (BitsManager bits = BitsManager.open(BitsOptions.defaults())) {
 *     BitsJob job = bits.createJob("nightly", JobType.DOWNLOAD);
 *     job.addFile("https://example.com/big.iso", "/data/big.iso");
 *     job.resume();
 * }
 * }</pre>
 */
public interface BitsManager extends AutoCloseable {
    /** Creates a job; it starts Suspended with BITS' defaults. */
    BitsJob createJob(String displayName, JobType type);

    /** The job with this id. Fails with {@link HResult#BG_E_NOT_FOUND} when it does not exist or is final. */
    BitsJob getJob(UUID id);

    /** The caller's jobs that are not Acknowledged or Cancelled, oldest first. */
    List<BitsJob> jobs();

    /**
     * Every user's jobs that are not Acknowledged or Cancelled ({@code EnumJobs(BG_JOB_ENUM_ALL_USERS)}), read-only
     * where they belong to another user ({@link BitsJob#owner()} says whose). Only an administrator may: anyone else
     * gets E_ACCESSDENIED. Backends that cannot fail with E_NOTIMPL.
     */
    default List<BitsJob> allUsersJobs() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend cannot list other users' jobs");
    }

    /** Registers a listener for every job of this manager. */
    void addListener(JobListener listener);

    /** Removes a listener. */
    void removeListener(JobListener listener);

    /** The backend's name: {@code portable}, {@code native}. */
    String backendName();

    /** The backend's version string. */
    String backendVersion();

    /**
     * Not a BITS call: the network cost state this backend schedules jobs by (a job whose transfer policy excludes
     * it waits in TransientError with {@link HResult#BG_E_BLOCKED_BY_COST_TRANSFER_POLICY}), its source and when it
     * last changed. Windows' BITS reads the cost itself and tells no one: the native backend fails with E_NOTIMPL.
     */
    default NetworkStatus networkStatus() {
        throw new BitsException(HResult.E_NOTIMPL, "the " + backendName()
                + " backend has no network cost call: Windows' BITS reads the network's cost itself and does not tell it");
    }

    /**
     * Not a BITS call: an administrator's override of the network cost state, kept across restarts; {@code null}
     * returns to detection. Fails with E_NOTIMPL where the backend cannot take one (native BITS).
     */
    default NetworkStatus overrideNetworkCost(CostState cost) {
        throw new BitsException(HResult.E_NOTIMPL, "the " + backendName()
                + " backend cannot override the network cost: Windows' BITS has no such call");
    }

    /** Stops the backend's threads; jobs persist and resume on the next open. */
    @Override
    void close();

    /**
     * Opens the backend chosen by {@code options}: the named one, else the first available in preference order
     * (native BITS on Windows, else the portable engine).
     */
    static BitsManager open(BitsOptions options) {
        BackendProvider best = null;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, BitsManager.class.getClassLoader())) {
            if (options.backend() != null) {
                if (p.name().equals(options.backend())) {
                    return p.open(options);
                }
            } else if (p.isAvailable() && (best == null || p.preference() > best.preference())) {
                best = p;
            }
        }
        if (best == null) {
            throw new BitsException(HResult.E_NOTIMPL, options.backend() == null
                    ? "no jbits backend is available" : "no jbits backend named '" + options.backend() + "'");
        }
        return best.open(options);
    }
}
