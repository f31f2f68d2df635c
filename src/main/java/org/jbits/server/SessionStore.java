package org.jbits.server;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's open sessions, by id: created (up to {@code maxSessions}), found, ended, read back from their
 * journals at start-up and expired once abandoned for {@code expiry}, all by the injected clock.
 */
final class SessionStore {
    private static final Logger log = LoggerFactory.getLogger(SessionStore.class);

    private final SessionFiles files;
    private final int maxSessions;
    private final Duration expiry;
    private final Clock clock;
    private final ConcurrentHashMap<String, UploadSession> sessions = new ConcurrentHashMap<>();
    /** Sessions counted against the cap: incremented before one is made, so the cap holds under concurrency. */
    private final AtomicInteger open = new AtomicInteger();

    SessionStore(SessionFiles files, int maxSessions, Duration expiry, Clock clock) {
        this.files = files;
        this.maxSessions = maxSessions;
        this.expiry = expiry;
        this.clock = clock;
    }

    SessionFiles files() {
        return files;
    }

    long now() {
        return clock.millis();
    }

    int size() {
        return sessions.size();
    }

    Collection<UploadSession> all() {
        return sessions.values();
    }

    /** A new session for {@code path}: its hidden file created and its journal written. */
    UploadSession create(UploadPath path) throws BitsError {
        if (open.incrementAndGet() > maxSessions) {
            open.decrementAndGet();
            throw BitsError.busy("the server has " + maxSessions + " open upload sessions, its limit", 60);
        }
        boolean made = false;
        try {
            String id = "{" + UUID.randomUUID() + "}";
            String temp = UploadSession.tempNameFor(id);
            SessionFiles.Created c = files.create(path, temp);
            long created = now();
            SessionJournal journal;
            try {
                journal = SessionJournal.create(files.state(), UploadSession.bareId(id) + UploadSession.JOURNAL_SUFFIX,
                        UploadSession.header(id, created, path, temp, c.directory(), c.temp()));
            } catch (IOException e) {
                files.deleteTemp(path, temp, c.temp());
                throw BitsError.local("cannot write the journal of a new session", e);
            }
            UploadSession s = new UploadSession(id, path, temp, c.directory(), c.temp(), created, journal);
            s.journal.release();
            sessions.put(id, s);
            made = true;
            log.info("session {} created for {}", id, path.display());
            return s;
        } finally {
            if (!made) {
                open.decrementAndGet();
            }
        }
    }

    /** The session {@code id}, or 500 BG_E_SESSION_NOT_FOUND. */
    UploadSession get(String id) throws BitsError {
        UploadSession s = sessions.get(id);
        if (s == null) {
            throw BitsError.sessionNotFound(id);
        }
        return s;
    }

    /** The session {@code id}, or null. */
    UploadSession find(String id) {
        return sessions.get(id);
    }

    /** Ends a session: forgets it and deletes its files (the received file only when {@code deleteTemp}). */
    void end(UploadSession s, boolean deleteTemp, String why) {
        if (sessions.remove(s.id, s)) {
            open.decrementAndGet();
        }
        if (deleteTemp) {
            files.deleteTemp(s);
        }
        files.deleteReply(s);
        try {
            s.journal.delete();
        } catch (IOException | RuntimeException e) {
            log.warn("session {}: cannot delete its journal: {}", s.id, e.toString());
        }
        log.info("session {} {}", s.id, why);
    }

    /**
     * Reads every journal in the state directory back: each session continues from the bytes its journal and its
     * file prove ({@link SessionFiles#recover}); one whose file is gone is dropped (its client starts over on
     * BG_E_SESSION_NOT_FOUND), and one whose commit was cut short is finished.
     *
     * @return the sessions resumed
     */
    int recover() throws IOException {
        List<String> names = new ArrayList<>(files.state().list());
        int resumed = 0;
        for (String name : names) {
            if (name.endsWith(".new")) {
                files.state().delete(name, null);
                continue;
            }
            if (!name.endsWith(UploadSession.JOURNAL_SUFFIX)) {
                continue;
            }
            UploadSession s;
            try {
                List<String> records = SessionJournal.read(files.state(), name);
                s = UploadSession.replay(records, SessionJournal.existing(files.state(), name,
                        records.stream().mapToLong(r -> r.length()).sum()));
            } catch (BitsError | IOException | RuntimeException e) {
                log.warn("dropping the unreadable session journal {}: {}", name, e.toString());
                files.state().delete(name, null);
                continue;
            }
            if (recoverOne(s)) {
                resumed++;
            }
        }
        return resumed;
    }

    private boolean recoverOne(UploadSession s) {
        long trusted;
        try {
            trusted = files.recover(s);
        } catch (BitsError e) {
            log.warn("session {}: dropped, its file cannot be read back: {}", s.id, e.getMessage());
            end(s, false, "dropped");
            return false;
        }
        if (trusted == Long.MAX_VALUE) {
            end(s, false, "closed (its commit had been cut short)");
            return false;
        }
        if (trusted < 0) {
            end(s, false, "dropped: its received file is gone");
            return false;
        }
        s.received = trusted;
        s.complete = s.complete && trusted == s.total;
        s.recoveredRanges.clear();
        try {
            // Sizes of the records read are not kept; a compact rewrite gives the journal its exact length again.
            s.journal.rewrite(s.snapshot());
            s.journal.release();
        } catch (IOException e) {
            log.warn("session {}: dropped, its journal cannot be rewritten: {}", s.id, e.toString());
            end(s, true, "dropped");
            return false;
        }
        open.incrementAndGet();
        sessions.put(s.id, s);
        log.info("session {} resumed for {} at {} of {} bytes", s.id, s.path.display(), s.received, s.total);
        return true;
    }

    /**
     * Ends every session no packet has touched for the expiry time, by the clock; a session busy with a packet is
     * left for the next sweep.
     *
     * @return how many ended
     */
    int expire() {
        long now = now();
        int ended = 0;
        for (UploadSession s : sessions.values()) {
            if (now - s.lastActivityMillis < expiry.toMillis() || !s.lock.tryLock()) {
                continue;
            }
            try {
                if (sessions.get(s.id) == s) {
                    end(s, true, "expired after " + expiry.toSeconds() + " s without a packet");
                    ended++;
                }
            } finally {
                s.lock.unlock();
            }
        }
        return ended;
    }
}
