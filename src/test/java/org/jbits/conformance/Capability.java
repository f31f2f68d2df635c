package org.jbits.conformance;

/**
 * A part of the BITS API a backend may genuinely lack (the method is a stub there). A case that needs one is
 * skipped on such a backend, with the backend's reason; any other difference is a failure or, under Wine, a
 * {@link WineDeviation}.
 */
public enum Capability {
    /** {@code IBackgroundCopyJob::Suspend}. */
    SUSPEND,
    /** {@code SetDisplayName} (the name given to CreateJob is always there). */
    SET_DISPLAY_NAME,
    /** {@code Get/SetPriority}. */
    PRIORITY,
    /** {@code Get/SetProxySettings}. */
    PROXY_SETTINGS,
    /** {@code GetTimes}. */
    JOB_TIMES,
    /** {@code GetOwner}. */
    OWNER,
    /** {@code GetErrorCount}. */
    ERROR_COUNT,
    /** {@code IBackgroundCopyJob4::Get/SetMaximumDownloadTime}. */
    MAXIMUM_DOWNLOAD_TIME,
    /** {@code IBackgroundCopyJob5} cost flags. */
    TRANSFER_POLICY,
    /** {@code IBackgroundCopyJobHttpOptions3::MakeCustomHeadersWriteOnly} (BITS 10.3). */
    WRITE_ONLY_HEADERS,
    /** The client-certificate methods ({@code IBackgroundCopyJobHttpOptions::Remove/GetClientCertificate}, ...). */
    CLIENT_CERTIFICATE,
    /**
     * Setting the network's cost state ({@code BitsManager.overrideNetworkCost}, not a BITS call), which the
     * blocked-by-cost case needs to make a network roaming on demand.
     */
    SIMULATED_COST,
    /** {@code IBackgroundCopyJob2::Get/SetNotifyCmdLine}. */
    NOTIFY_CMDLINE,
    /** {@code IBackgroundCopyJob3}: AddFileWithRanges, ReplaceRemotePrefix, GetFileRanges. */
    JOB3_FILES,
    /** {@code IBackgroundCopyJob5::Get/SetProperty} (dynamic content, high performance, maximum download size). */
    JOB_PROPERTIES,
    /**
     * On-demand mode (BITS 10.1): {@code BITS_JOB_PROPERTY_ON_DEMAND_MODE} and {@code IBackgroundCopyFile6}'s
     * RequestFileRanges, UpdateDownloadPosition, GetFilledFileRanges.
     */
    ON_DEMAND
}
