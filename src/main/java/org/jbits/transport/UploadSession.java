package org.jbits.transport;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A BITS upload session as the client keeps it between attempts (and across restarts): the server's session id, the
 * URL the session lives at (the job's remote name, or where a redirect of Create-Session led), the host the server
 * asked later packets to go to ({@code BITS-Host-Id}) with its fallback timeout, and whether Close-Session was
 * already sent once.
 *
 * @param id the server's {@code BITS-Session-Id}, as it sent it
 * @param url the URL Create-Session succeeded at; every later packet goes there (or to {@code hostId})
 * @param hostId the {@code BITS-Host-Id} host ({@code name}, {@code name:port}, {@code [v6]:port}), or null
 * @param hostFallback {@code BITS-Host-Id-Fallback-Timeout}, or null for none (never go back to the origin)
 * @param hostFailingSince when connecting to {@code hostId} began to fail (reset when it works again), or null
 * @param closeSent whether a Close-Session was sent in an earlier attempt (a server that then no longer knows the
 *                  session most likely closed it)
 */
public record UploadSession(String id, URI url, String hostId, Duration hostFallback, Instant hostFailingSince,
        boolean closeSent) {
    public UploadSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
    }

    /** A session just created at {@code url}. */
    public static UploadSession created(String id, URI url, String hostId, Duration hostFallback) {
        return new UploadSession(id, url, hostId, hostFallback, null, false);
    }

    /** This session going back to its origin host (the fallback timeout passed). */
    public UploadSession withoutHostId() {
        return new UploadSession(id, url, null, null, null, closeSent);
    }

    /** This session with connecting to its host id failing since {@code since} (null: working again). */
    public UploadSession hostFailingSince(Instant since) {
        return new UploadSession(id, url, hostId, hostFallback, since, closeSent);
    }

    /** This session with Close-Session sent (true), or known not to have been acted on (false). */
    public UploadSession closeSent(boolean sent) {
        return new UploadSession(id, url, hostId, hostFallback, hostFailingSince, sent);
    }

    /** Session ids may be up to 100 characters of any HTTP-legal text: shown as they are. */
    @Override
    public String toString() {
        return "session " + id + " at " + Redacted.uri(url) + (hostId != null ? " (host " + hostId + ")" : "");
    }
}
