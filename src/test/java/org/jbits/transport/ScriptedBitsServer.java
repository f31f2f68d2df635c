package org.jbits.transport;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A BITS upload server in a test's hands, on OkHttp's MockWebServer, for what a well-behaved server never does:
 * fragments over a size refused with 413, sessions forgotten, the error header in [MC-BUP]'s old spelling, header
 * names and the packet type in lower case, 201 for Create-Session, a redirect of Create-Session, a BITS-Host-Id.
 * Sessions and files live in memory and may be shared by two servers (a farm behind a host id).
 */
final class ScriptedBitsServer extends Dispatcher implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    /** A session: where it uploads to and what it holds. */
    static final class Session {
        final String path;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long total = -1;
        boolean complete;

        Session(String path) {
            this.path = path;
        }
    }

    final MockWebServer server = new MockWebServer();
    final Map<String, Session> sessions;
    final Map<String, byte[]> files;
    final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

    volatile int maxFragment = Integer.MAX_VALUE;
    volatile boolean lowerCase;
    volatile boolean legacyErrorHeader;
    volatile int createStatus = 200;
    /** Create-Session at any path other than this one is redirected here (with {@link #redirectStatus}). */
    volatile String redirectCreateTo;
    volatile int redirectStatus = 302;
    /** The next Fragment (once) is redirected here with 307, its body not taken. */
    volatile String redirectFragmentOnceTo;
    volatile String hostId;
    volatile Long hostFallbackSeconds;
    /** After this many fragments every session is forgotten once (-1: never). */
    volatile int forgetAfterFragments = -1;
    /** An ack with no BITS-Received-Content-Range (a broken server). */
    volatile boolean omitReceived;
    /** A session id longer than 100 characters or with a control character. */
    volatile String sessionIdOverride;
    private int fragments;

    private ScriptedBitsServer(Map<String, Session> sessions, Map<String, byte[]> files) {
        this.sessions = sessions;
        this.files = files;
        server.setDispatcher(this);
    }

    static ScriptedBitsServer start() throws Exception {
        return start(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    }

    /** A server sharing {@code other}'s sessions and files (a second machine of the same farm). */
    static ScriptedBitsServer sharing(ScriptedBitsServer other) throws Exception {
        return start(other.sessions, other.files);
    }

    private static ScriptedBitsServer start(Map<String, Session> sessions, Map<String, byte[]> files) throws Exception {
        ScriptedBitsServer s = new ScriptedBitsServer(sessions, files);
        s.server.start(InetAddress.getByName("127.0.0.1"), 0);
        return s;
    }

    String url(String path) {
        return server.url(path).toString();
    }

    int port() {
        return server.getPort();
    }

    List<RecordedRequest> packets(String type) {
        return requests.stream().filter(r -> type.equalsIgnoreCase(String.valueOf(r.getHeader("BITS-Packet-Type"))))
                .toList();
    }

    @Override
    public synchronized MockResponse dispatch(RecordedRequest r) {
        requests.add(r);
        if (!"BITS_POST".equals(r.getMethod())) {
            return new MockResponse().setResponseCode(405);
        }
        String type = String.valueOf(r.getHeader("BITS-Packet-Type")).trim().toLowerCase(Locale.ROOT);
        String path = r.getRequestUrl().encodedPath();
        switch (type) {
            case "ping":
                return ack(200);
            case "create-session": {
                if (redirectCreateTo != null && !path.equals(redirectCreateTo)) {
                    return new MockResponse().setResponseCode(redirectStatus).setHeader("Location", redirectCreateTo)
                            .setHeader("Content-Length", "0");
                }
                String id = sessionIdOverride != null ? sessionIdOverride : "{" + UUID.randomUUID() + "}";
                sessions.put(id, new Session(path));
                MockResponse a = ack(createStatus).setHeader(name("BITS-Protocol"), BitsUploadClient.PROTOCOL)
                        .setHeader(name("BITS-Session-Id"), id);
                if (hostId != null) {
                    a.setHeader(name("BITS-Host-Id"), hostId);
                    if (hostFallbackSeconds != null) {
                        a.setHeader(name("BITS-Host-Id-Fallback-Timeout"), hostFallbackSeconds.toString());
                    }
                }
                return a;
            }
            case "fragment":
                if (redirectFragmentOnceTo != null) {
                    String to = redirectFragmentOnceTo;
                    redirectFragmentOnceTo = null;
                    return new MockResponse().setResponseCode(307).setHeader("Location", to)
                            .setHeader("Content-Length", "0");
                }
                return fragment(r);
            case "close-session": {
                Session s = sessions.get(String.valueOf(r.getHeader("BITS-Session-Id")));
                if (s == null) {
                    return error(500, 0x8020001F);
                }
                if (s.complete) {
                    files.put(s.path, s.bytes.toByteArray());
                }
                sessions.values().remove(s);
                return ack(200);
            }
            case "cancel-session":
                sessions.remove(String.valueOf(r.getHeader("BITS-Session-Id")));
                return ack(200);
            default:
                return error(400, 0x80070057);
        }
    }

    private MockResponse fragment(RecordedRequest r) {
        byte[] body = r.getBody().readByteArray();
        if (forgetAfterFragments >= 0 && fragments++ >= forgetAfterFragments) {
            forgetAfterFragments = -1;
            sessions.clear();
        }
        Session s = sessions.get(String.valueOf(r.getHeader("BITS-Session-Id")));
        if (s == null) {
            return error(500, 0x8020001F);
        }
        String cr = String.valueOf(r.getHeader("Content-Range"));
        long first;
        long last;
        long total;
        if (cr.equals("bytes */0")) {
            first = 0;
            last = -1;
            total = 0;
        } else {
            Matcher m = RANGE.matcher(cr);
            if (!m.matches()) {
                return error(400, 0x80070057);
            }
            first = Long.parseLong(m.group(1));
            last = Long.parseLong(m.group(2));
            total = Long.parseLong(m.group(3));
        }
        if (body.length > maxFragment) {
            return received(error(413, 0), s);
        }
        long held = s.bytes.size();
        if (first > held) {
            return received(error(416, 0), s);
        }
        long skip = held - first;
        if (skip < body.length) {
            s.bytes.write(body, (int) skip, (int) (body.length - skip));
        }
        s.total = total;
        if (last == total - 1) {
            s.complete = true;
        }
        return omitReceived ? ack(200) : received(ack(200), s);
    }

    private MockResponse received(MockResponse a, Session s) {
        return a.setHeader(name("BITS-Received-Content-Range"), Long.toString(s.bytes.size()));
    }

    private MockResponse ack(int status) {
        return new MockResponse().setResponseCode(status).setHeader(name("BITS-Packet-Type"), lowerCase ? "ack" : "Ack")
                .setHeader("Content-Length", "0");
    }

    private MockResponse error(int status, int hresult) {
        MockResponse a = ack(status);
        if (hresult != 0 || status != 416) {
            a.setHeader(name(legacyErrorHeader ? "BITS-Error" : "BITS-Error-Code"),
                    legacyErrorHeader ? Integer.toHexString(hresult).toUpperCase(Locale.ROOT)
                            : String.format("0x%08x", hresult));
            a.setHeader(name("BITS-Error-Context"), "0x5");
        }
        return a;
    }

    private String name(String header) {
        return lowerCase ? header.toLowerCase(Locale.ROOT) : header;
    }

    @Override
    public void close() throws Exception {
        server.shutdown();
    }
}
