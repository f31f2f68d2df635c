package org.jbits.engine;

import java.net.URI;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.BitsFileRange;
import org.jbits.HResult;
import org.jbits.JobType;

/**
 * BITS' rules for on-demand mode (BITS_JOB_PROPERTY_ON_DEMAND_MODE, IBackgroundCopyFile6): "the transfer must be a
 * download job, the job must not be dynamic, and the server must be an HTTP or HTTPS server" meeting the range
 * requirements; anything else is BG_E_RANDOM_ACCESS_NOT_SUPPORTED. Called with the engine lock held.
 */
final class OnDemand {
    private OnDemand() {
    }

    /** The job may become on-demand: a download job without dynamic content whose files are HTTP(S), whole. */
    static void requireCapable(JobRecord r) {
        if (r.dynamicContent) {
            throw new BitsException(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "a job with dynamic content cannot be"
                    + " on-demand (dynamic content has no ranges)");
        }
        for (FileRecord f : r.files) {
            requireCapable(f.uri, f.ranges != null);
        }
    }

    /** A file an on-demand job may hold: HTTP(S), without AddFileWithRanges' ranges. */
    static void requireCapable(URI uri, boolean hasRanges) {
        String scheme = uri == null ? null : uri.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new BitsException(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "on-demand mode needs http:// or"
                    + " https:// files, not " + (scheme == null ? "this name" : scheme + "://"));
        }
        if (hasRanges) {
            throw new BitsException(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "on-demand mode requests its ranges"
                    + " with RequestFileRanges; a file added with ranges (AddFileWithRanges) cannot be in it");
        }
    }

    static void requireOnDemand(JobRecord r) {
        if (r.type != JobType.DOWNLOAD || !r.onDemand) {
            throw new BitsException(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "job " + r.id + " is not an on-demand"
                    + " download job (set on-demand mode before the first resume)");
        }
    }

    /** RequestFileRanges: each range checked, then all merged into the file's requested ranges. */
    static void request(JobRecord r, FileRecord f, List<BitsFileRange> ranges) {
        requireOnDemand(r);
        if (ranges == null || ranges.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "no ranges were given");
        }
        RangeSet asked = RangeSet.EMPTY;
        for (BitsFileRange range : ranges) {
            if (range == null || range.initialOffset() < 0
                    || (range.length() <= 0 && !range.toEndOfFile())
                    || (!range.toEndOfFile() && range.initialOffset() + range.length() < 0)) {
                throw new BitsException(HResult.BG_E_INVALID_RANGE, "the range " + range + " is not a range of"
                        + " bytes (an offset of 0 or more and a length of 1 or more, or to the end of the file)");
            }
            long end = range.toEndOfFile() ? Long.MAX_VALUE : range.initialOffset() + range.length();
            if (f.bytesTotal >= 0 && (range.initialOffset() >= f.bytesTotal
                    || (!range.toEndOfFile() && end > f.bytesTotal))) {
                throw new BitsException(HResult.BG_E_INVALID_RANGE, "the range " + range + " is outside the file ("
                        + f.bytesTotal + " bytes)");
            }
            asked = asked.union(range.initialOffset(), end);
        }
        f.requested = clip(f, f.requested.union(asked));
    }

    /** UpdateDownloadPosition: fetch from {@code offset} first, and everything from there to the end. */
    static void position(JobRecord r, FileRecord f, long offset) {
        requireOnDemand(r);
        if (offset < 0 || (f.bytesTotal >= 0 && offset >= f.bytesTotal && f.bytesTotal > 0)) {
            throw new BitsException(HResult.BG_E_INVALID_RANGE, "the position " + offset + " is outside the file"
                    + (f.bytesTotal >= 0 ? " (" + f.bytesTotal + " bytes)" : ""));
        }
        f.downloadPosition = offset;
        f.requested = clip(f, f.requested.union(offset, Long.MAX_VALUE));
    }

    private static RangeSet clip(FileRecord f, RangeSet s) {
        return f.bytesTotal >= 0 ? s.clip(f.bytesTotal) : s;
    }

    /** What is asked for and not yet filled. */
    static RangeSet pending(FileRecord f) {
        RangeSet p = f.requested.minus(f.filled);
        return f.bytesTotal >= 0 ? p.clip(f.bytesTotal) : p;
    }

    /** The first file of the job with requested bytes not yet filled, or null. */
    static FileRecord nextWithPending(JobRecord r) {
        for (FileRecord f : r.files) {
            if (!f.completed && !pending(f).isEmpty()) {
                return f;
            }
        }
        return null;
    }
}
