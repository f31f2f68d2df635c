package org.jbits.cli;

import java.util.List;
import org.jbits.BitsException;
import org.jbits.agent.JobProperties;
import picocli.CommandLine.Option;

/** The job property options shared by {@code start} and {@code set} (Start-/Set-BitsTransfer parameters). */
final class PropertyOptions {
    @Option(names = "--display-name", paramLabel = "NAME", description = "Display name (at most 256 characters).")
    String displayName;

    @Option(names = "--description", paramLabel = "TEXT", description = "Description (at most 1,024 characters).")
    String description;

    @Option(names = "--priority", paramLabel = "PRIORITY", description = "foreground, high, normal or low.")
    String priority;

    @Option(names = "--retry-interval", paramLabel = "SECONDS",
            description = "Minimum retry delay after a transient error (BITS default 600; at least 5).")
    Long retryInterval;

    @Option(names = "--retry-timeout", paramLabel = "SECONDS",
            description = "No-progress timeout after which a transient error becomes an error (BITS default 1209600).")
    Long retryTimeout;

    @Option(names = "--max-download-time", paramLabel = "SECONDS",
            description = "Active transfer time after which the job fails (BITS default 7776000).")
    Long maxDownloadTime;

    @Option(names = "--transfer-policy", paramLabel = "POLICY",
            description = "always, not-roaming, no-surcharge, standard or unrestricted.")
    String transferPolicy;

    @Option(names = "--proxy-usage", paramLabel = "USAGE", description = "system-default, no-proxy, auto-detect or override.")
    String proxyUsage;

    @Option(names = "--proxy-list", paramLabel = "LIST", split = ",", description = "Proxies for override ([scheme=][scheme://]host[:port]).")
    List<String> proxyList;

    @Option(names = "--proxy-bypass", paramLabel = "LIST", split = ",", description = "Hosts reached without the proxy (*.example.com, <local>).")
    List<String> proxyBypass;

    @Option(names = "--notify-flags", paramLabel = "FLAGS", split = ",",
            description = "transferred, error, modification, file-transferred (or none).")
    List<String> notifyFlags;

    @Option(names = "--notify-cmdline", paramLabel = "\"PROGRAM ARGS\"", description = "Run PROGRAM (an absolute "
            + "path) with ARGS when the job is transferred or fails, as --notify-flags say (default: both); %%jobid%% "
            + "becomes the job id; words split as a shell does, without a shell. \"\" removes it.")
    String notifyCmdLine;

    @Option(names = "--dynamic-content", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            description = "The server's files change or have no size: no range requests, every retry from byte 0.")
    Boolean dynamicContent;

    @Option(names = "--on-demand", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            description = "On-demand mode (BITS 10.1): only the ranges asked for with 'set --request-ranges' or "
                    + "'--download-position' are transferred; then the job is suspended, or transferred once every "
                    + "byte is there. HTTP(S) download jobs, not dynamic content; set before the first resume.")
    Boolean onDemand;

    @Option(names = "--high-performance", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            description = "Transfer without yielding to other network use (set before the first file is added).")
    Boolean highPerformance;

    @Option(names = "--max-download-size", paramLabel = "BYTES",
            description = "The job fails with BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED past this many bytes (0: no limit).")
    Long maxDownloadSize;

    @Option(names = "--min-notify-interval", paramLabel = "MILLISECONDS",
            description = "At least this long between progress notifications (BITS default 500).")
    Long minNotifyInterval;

    @Option(names = "--file-acl-flags", paramLabel = "FLAGS", split = ",",
            description = "owner, group, dacl, sacl or none: which of the server's security information a file "
                    + "keeps (Windows' BITS for SMB sources; the portable engine stores it but has no ACLs to copy).")
    List<String> fileAclFlags;

    @Option(names = "--reply-file", paramLabel = "PATH",
            description = "Upload-reply: the file the server's reply goes to (appears at Complete); default next to "
                    + "the uploaded file, NAME.JOB.reply.")
    String replyFile;

    /**
     * The options given, parsed from their command-line spellings; a value that is not one fails with exit 2 before
     * anything is sent. The agent checks the values themselves (lengths, ranges, proxy rules) before it acts.
     */
    /**
     * The reply file as the agent needs it: absolute, as the caller's working directory makes it, in a directory
     * that exists, not a directory itself (the rules of a download's destination).
     */
    static String replyFile(String path) {
        if (path.isEmpty()) {
            throw new BitsException(org.jbits.HResult.E_INVALIDARG, "--reply-file is empty; give the reply's file");
        }
        java.nio.file.Path p = Io.current().absolute(LocalPaths.parse(path));
        if (LocalPaths.namesDirectory(path, p) || LocalPaths.kind(p) == LocalPaths.Kind.DIRECTORY) {
            throw new BitsException(org.jbits.HResult.E_INVALIDARG, "--reply-file " + Output.safe(path)
                    + " is a directory; give the reply's file");
        }
        return FileSpecs.destination(p.toString()).toString();
    }

    JobProperties toProperties() {
        return toProperties(PathResolver.LOCAL);
    }

    /** The properties, {@code --reply-file} checked where {@code paths} checks paths (this machine, or the --host). */
    JobProperties toProperties(PathResolver paths) {
        try {
            return new JobProperties(displayName, description,
                    priority == null ? null : CliSpellings.priority(priority),
                    retryInterval, retryTimeout, maxDownloadTime,
                    transferPolicy == null ? null : CliSpellings.transferPolicy(transferPolicy),
                    proxyUsage == null ? null : CliSpellings.proxyUsage(proxyUsage),
                    proxyList, proxyBypass,
                    notifyFlags == null ? null : CliSpellings.notifyFlags(notifyFlags),
                    replyFile == null ? null : paths.replyFile(replyFile),
                    new JobProperties.Extras(notifyCmdLine, dynamicContent, highPerformance, maxDownloadSize,
                            minNotifyInterval, fileAclFlags == null ? null : CliSpellings.aclFlags(fileAclFlags),
                            onDemand));
        } catch (BitsException e) {
            throw CliException.of(e);
        }
    }
}
