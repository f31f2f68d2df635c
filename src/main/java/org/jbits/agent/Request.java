package org.jbits.agent;

import java.time.Duration;
import java.util.List;
import org.jbits.CostState;
import org.jbits.JobState;
import org.jbits.JobType;

/**
 * One request of the agent's control protocol, typed. {@link RequestCodec} turns a JSON line into one (strictly) and
 * one into a JSON line; the CLI builds them; {@link RequestHandler} carries them out, one method per request, through
 * {@link Visitor} (so a new request cannot be forgotten by the handler or the codec: both stop compiling).
 * A job is referred to by its GUID or by a unique display name.
 */
public sealed interface Request {
    /** Calls the method of {@code v} for this request. */
    <R> R accept(Visitor<R> v);

    /** One method per request. */
    interface Visitor<R> {
        /** {@code status}. */
        R status(Status r);

        /** {@code submit}. */
        R submit(Submit r);

        /** {@code get}. */
        R get(Get r);

        /** {@code addFile}. */
        R addFile(AddFile r);

        /** {@code set}. */
        R set(Set r);

        /** {@code suspend}. */
        R suspend(Suspend r);

        /** {@code resume}. */
        R resume(Resume r);

        /** {@code complete}. */
        R complete(Complete r);

        /** {@code remove}. */
        R remove(Remove r);

        /** {@code wait}. */
        R await(Wait r);

        /** {@code stop}. */
        R stop(Stop r);

        /** {@code setRemoteName} (added). */
        R setRemoteName(SetRemoteName r);

        /** {@code replaceRemotePrefix} (added). */
        R replaceRemotePrefix(ReplaceRemotePrefix r);

        /** {@code requestFileRanges} (added). */
        R requestFileRanges(RequestFileRanges r);

        /** {@code updateDownloadPosition} (added). */
        R updateDownloadPosition(UpdateDownloadPosition r);

        /** {@code network}. */
        R network(Network r);

        /** {@code networkOverride}. */
        R networkOverride(NetworkOverride r);
    }

    /** IBackgroundCopyFile2::SetRemoteName: file {@code index} (from 0) of the job is fetched from {@code remote}. */
    record SetRemoteName(String job, int index, String remote) implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.setRemoteName(this);
        }
    }

    /** IBackgroundCopyJob4::ReplaceRemotePrefix: every remote name starting with {@code oldPrefix} gets {@code newPrefix}. */
    record ReplaceRemotePrefix(String job, String oldPrefix, String newPrefix) implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.replaceRemotePrefix(this);
        }
    }

    /** IBackgroundCopyFile6::RequestFileRanges: these ranges of file {@code index} of an on-demand job are fetched. */
    record RequestFileRanges(String job, int index, List<org.jbits.BitsFileRange> ranges) implements Request {
        public RequestFileRanges {
            ranges = List.copyOf(ranges);
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.requestFileRanges(this);
        }
    }

    /** IBackgroundCopyFile6::UpdateDownloadPosition: file {@code index}'s missing data from {@code offset} on first. */
    record UpdateDownloadPosition(String job, int index, long offset) implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.updateDownloadPosition(this);
        }
    }

    /** Is the agent there, and which backend and version does it run. */
    record Status() implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.status(this);
        }
    }

    /**
     * Creates a job with its properties and files and resumes it unless {@code suspended}; bad input creates nothing.
     *
     * @param type the job type
     * @param properties the job's properties (the display name among them)
     * @param files at least one file
     * @param suspended leave the job Suspended
     * @param fileMode the POSIX mode of the job's files, or null
     * @param http the job's HTTP options (credentials, headers, TLS), {@link HttpOptions#NONE} for none
     */
    record Submit(JobType type, JobProperties properties, List<NewFile> files, boolean suspended, Integer fileMode,
            HttpOptions http) implements Request {
        /** Copies the file list. */
        public Submit {
            files = List.copyOf(files);
            http = http == null ? HttpOptions.NONE : http;
        }

        /** A submission without HTTP options. */
        public Submit(JobType type, JobProperties properties, List<NewFile> files, boolean suspended, Integer fileMode) {
            this(type, properties, files, suspended, fileMode, HttpOptions.NONE);
        }

        /** A submission that leaves the file mode to the backend. */
        public Submit(JobType type, JobProperties properties, List<NewFile> files, boolean suspended) {
            this(type, properties, files, suspended, null);
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.submit(this);
        }
    }

    /**
     * A file of a job: its remote name (URL) and its local name (absolute path).
     *
     * @param remote the URL or path to transfer from
     * @param local the absolute local path
     * @param expectedSha256 the SHA-256 the file must have (64 hex digits), or null
     */
    record NewFile(String remote, String local, String expectedSha256) {
        /** A file without an expected hash. */
        public NewFile(String remote, String local) {
            this(remote, local, null);
        }
    }

    /**
     * The named jobs (a display name names every job of that name), or all of the caller's jobs when {@code jobs}
     * is empty; with {@code allUsers}, every user's jobs (BG_JOB_ENUM_ALL_USERS: only root, or an administrator).
     */
    record Get(List<String> jobs, boolean allUsers) implements Request {
        /** Copies the job list. */
        public Get {
            jobs = List.copyOf(jobs);
        }

        /** The caller's named jobs. */
        public Get(List<String> jobs) {
            this(jobs, false);
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.get(this);
        }
    }

    /**
     * Adds one file to a job, with the SHA-256 it must have (or null); with {@code ranges} (not null), only those parts
     * of it (AddFileWithRanges).
     */
    record AddFile(String job, String remote, String local, String expectedSha256, List<org.jbits.BitsFileRange> ranges)
            implements Request {
        /** Copies the ranges. */
        public AddFile {
            ranges = ranges == null ? null : List.copyOf(ranges);
        }

        /** The whole file, with the SHA-256 it must have (or null). */
        public AddFile(String job, String remote, String local, String expectedSha256) {
            this(job, remote, local, expectedSha256, null);
        }

        /** Only {@code ranges} of the file (AddFileWithRanges), without an expected hash. */
        public AddFile(String job, String remote, String local, List<org.jbits.BitsFileRange> ranges) {
            this(job, remote, local, null, ranges);
        }

        /** The whole file, without an expected hash. */
        public AddFile(String job, String remote, String local) {
            this(job, remote, local, null, null);
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.addFile(this);
        }
    }

    /** Changes a job's properties (all or none) and its HTTP options. */
    record Set(String job, JobProperties properties, HttpOptions http) implements Request {
        /** HTTP options none means {@link HttpOptions#NONE}. */
        public Set {
            http = http == null ? HttpOptions.NONE : http;
        }

        /** A change of properties only. */
        public Set(String job, JobProperties properties) {
            this(job, properties, HttpOptions.NONE);
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.set(this);
        }
    }

    /** Suspends a job. */
    record Suspend(String job) implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.suspend(this);
        }
    }

    /** Resumes a job. */
    record Resume(String job) implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.resume(this);
        }
    }

    /** Completes a job: its transferred files appear. */
    record Complete(String job) implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.complete(this);
        }
    }

    /** Cancels a job and deletes its temporary files. */
    record Remove(String job) implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.remove(this);
        }
    }

    /**
     * Answers with the job once its state is no longer {@code state}, or after {@code timeout} (at most
     * {@link #MAX_TIMEOUT}); an answer may come earlier, so the asker looks at the state it gets.
     */
    record Wait(String job, JobState state, Duration timeout) implements Request {
        /** The longest wait one request may ask for. */
        public static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);

        /** Clamps the timeout to 0 .. {@link #MAX_TIMEOUT}. */
        public Wait {
            timeout = timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : timeout.isNegative() ? Duration.ZERO : timeout;
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.await(this);
        }
    }

    /** The network cost state the backend schedules by, its source and when it changed. */
    record Network() implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.network(this);
        }
    }

    /**
     * Sets the administrator's override of the network cost state, kept across restarts; {@code cost} null
     * returns to detection ({@code "cost": "Auto"} on the wire).
     */
    record NetworkOverride(CostState cost) implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.networkOverride(this);
        }
    }

    /** Stops the agent after answering: transfers are checkpointed. */
    record Stop() implements Request {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.stop(this);
        }
    }
}
