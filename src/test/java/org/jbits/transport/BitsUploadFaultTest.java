package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.mockwebserver.RecordedRequest;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upload client against a server that does what a well-behaved one never does ({@link ScriptedBitsServer}):
 * 413s, forgotten sessions, the error header's old name, lower-case names and packet types, 201, redirects of
 * Create-Session, BITS-Host-Id with its fallback, acks that say too little, session ids of every legal shape.
 */
class BitsUploadFaultTest {
    private ScriptedBitsServer server;
    private final HttpTransport http = new HttpTransport(5000, 10000);

    @BeforeEach
    void start() throws Exception {
        server = ScriptedBitsServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /** The local file of an upload: in memory here, read through {@link UploadSource#read}. */
    MemoryUploadSource source(byte[] content, boolean withReply) {
        return new MemoryUploadSource(content, withReply);
    }

    private static TransferContext context() {
        return TransferContext.builder().build();
    }

    private static TransferContext stoppingAfter(long bytes) {
        AtomicLong sent = new AtomicLong();
        TransferContext[] holder = new TransferContext[1];
        holder[0] = TransferContext.builder().pacer(n -> {
            if (sent.addAndGet(n) > bytes) {
                holder[0].stop();
            }
        }).build();
        return holder[0];
    }

    private void upload(String path, MemoryUploadSource source) throws TransferException {
        http.upload(java.net.URI.create(server.url(path)), source, context());
    }

    @Test
    void a413MakesTheLaterFragmentsSmaller() throws Exception {
        server.maxFragment = 300_000;
        byte[] content = TestData.random(3_000_000, 1);
        MemoryUploadSource source = source(content, false);
        upload("/f.bin", source);

        assertArrayEquals(content, server.files.get("/f.bin"));
        List<RecordedRequest> fragments = server.packets("Fragment");
        assertEquals(FragmentSizer.INITIAL, fragments.get(0).getBodySize(), "refused with 413");
        long refused = fragments.stream().filter(r -> r.getBodySize() > 300_000).count();
        assertEquals(2, refused, "1 MiB, then 512 KiB, were refused; 256 KiB went: " + sizes(fragments));
        List<RecordedRequest> after = fragments.subList(2, fragments.size());
        assertTrue(after.stream().allMatch(r -> r.getBodySize() <= 256 << 10), sizes(after).toString());
    }

    @Test
    void aServerThatRefusesEvenTheSmallestFragmentFailsTheUpload() throws Exception {
        server.maxFragment = 1000;
        MemoryUploadSource source = source(TestData.random(100_000, 2), false);
        TransferException e = assertThrows(TransferException.class, () -> upload("/small.bin", source));
        assertEquals(HResult.ofHttpStatus(413), e.hresult(), e.getMessage());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
        assertFalse(e.isTransient());
        List<RecordedRequest> fragments = server.packets("Fragment");
        assertEquals(FragmentSizer.MIN, fragments.get(fragments.size() - 1).getBodySize(),
                "never below BITS' 5 KiB: " + sizes(fragments));
    }

    @Test
    void aServerThatForgetsTheSessionGetsANewOneFromByteZero() throws Exception {
        server.forgetAfterFragments = 1;
        byte[] content = TestData.random(5_000_000, 3);
        MemoryUploadSource source = source(content, false);
        upload("/forgot.bin", source);

        assertArrayEquals(content, server.files.get("/forgot.bin"));
        assertEquals(2, server.packets("Create-Session").size());
        assertTrue(source.events().stream().anyMatch(e -> e.startsWith("lost")), source.events().toString());
        List<RecordedRequest> fragments = server.packets("Fragment");
        assertTrue(fragments.get(2).getHeader("Content-Range").startsWith("bytes 0-"),
                "the new session starts from byte 0: " + fragments.get(2).getHeader("Content-Range"));
    }

    @Test
    void theOldErrorHeaderLowerCaseNamesAckInLowerCaseAnd201AreAllUnderstood() throws Exception {
        server.legacyErrorHeader = true;
        server.lowerCase = true;
        server.createStatus = 201;
        server.forgetAfterFragments = 1;
        byte[] content = TestData.random(3_000_000, 4);
        MemoryUploadSource source = source(content, false);
        upload("/legacy.bin", source);

        assertArrayEquals(content, server.files.get("/legacy.bin"));
        assertEquals(2, server.packets("Create-Session").size(), "BITS-Error: 8020001F read as the lost session");
    }

    @Test
    void aRedirectedFragmentGoesAgainWhereItWasSentUnlessTheJobDisallowsRedirects() throws Exception {
        byte[] content = TestData.random(3_000_000, 13);
        server.redirectFragmentOnceTo = "/other/r.bin";
        MemoryUploadSource source = source(content, false);
        upload("/r.bin", source);
        assertArrayEquals(content, server.files.get("/r.bin"), "the session's file, all of it");
        List<RecordedRequest> fragments = server.packets("Fragment");
        assertEquals("/other/r.bin", fragments.get(1).getRequestUrl().encodedPath(), "the redirect was followed");
        assertEquals(fragments.get(0).getHeader("Content-Range"), fragments.get(1).getHeader("Content-Range"),
                "the refused fragment went again, whole");

        server.redirectFragmentOnceTo = "/other/d.bin";
        TransferContext disallowing = TransferContext.builder()
                .tls(new TlsOptions(org.jbits.SecurityFlags.REDIRECT_POLICY_DISALLOW, null, null, null)).build();
        TransferException e = assertThrows(TransferException.class, () -> http.upload(
                java.net.URI.create(server.url("/d.bin")), source(content, false), disallowing));
        assertFalse(e.isTransient(), e.getMessage());
        assertTrue(server.requests.stream().noneMatch(r -> r.getRequestUrl().encodedPath().equals("/other/d.bin")),
                "a job that disallows redirects never follows one: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void aRedirectedCreateSessionStaysABitsPostAndTheSessionLivesWhereItWasAnswered(int status) throws Exception {
        server.redirectCreateTo = "/farm/node2/file.bin";
        server.redirectStatus = status;
        byte[] content = TestData.random(2_000_000, 5);
        MemoryUploadSource source = source(content, false);
        upload("/file.bin", source);

        assertArrayEquals(content, server.files.get("/farm/node2/file.bin"));
        assertTrue(server.requests.stream().allMatch(r -> r.getMethod().equals("BITS_POST")), "no GET: "
                + server.requests.stream().map(RecordedRequest::getMethod).toList());
        List<String> paths = server.requests.stream().map(r -> r.getRequestUrl().encodedPath()).toList();
        assertEquals("/file.bin", paths.get(0));
        assertTrue(paths.subList(1, paths.size()).stream().allMatch(p -> p.equals("/farm/node2/file.bin")), paths.toString());
        assertTrue(source.session() == null || source.session().url().getPath().equals("/farm/node2/file.bin"));
    }

    @Test
    void bitsHostIdSendsEveryLaterPacketToThatHostStartingWithAPing() throws Exception {
        try (ScriptedBitsServer node = ScriptedBitsServer.sharing(server)) {
            server.hostId = "127.0.0.1:" + node.port();
            byte[] content = TestData.random(3_000_000, 6);
            MemoryUploadSource source = source(content, false);
            upload("/farm.bin", source);

            assertArrayEquals(content, server.files.get("/farm.bin"));
            assertEquals(List.of("Create-Session"), types(server.requests), "the origin saw only Create-Session");
            List<String> atNode = types(node.requests);
            assertEquals("Ping", atNode.get(0));
            assertEquals("Close-Session", atNode.get(atNode.size() - 1));
        }
    }

    @Test
    void anUnreachableHostIdIsLeftForTheOriginOnceItsFallbackTimeoutPassed() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        HttpTransport timed = http.withClock(clock, System::nanoTime);
        ScriptedBitsServer node = ScriptedBitsServer.sharing(server);
        server.hostId = "127.0.0.1:" + node.port();
        server.hostFallbackSeconds = 60L;
        byte[] content = TestData.random(4_000_000, 7);
        MemoryUploadSource source = source(content, false);
        java.net.URI url = java.net.URI.create(server.url("/fallback.bin"));
        timed.upload(url, source, stoppingAfter(1_500_000));
        node.close();

        // The host does not answer: a transient connect failure, and the timer starts.
        TransferException e = assertThrows(TransferException.class, () -> timed.upload(url, source, context()));
        assertTrue(e.isTransient());
        assertEquals(HResult.BG_E_CONNECT_FAILURE, e.hresult());
        assertEquals(clock.instant(), source.session().hostFailingSince());
        clock.advance(Duration.ofSeconds(59));
        assertThrows(TransferException.class, () -> timed.upload(url, source, context()), "59 s is not yet 60");

        clock.advance(Duration.ofSeconds(2));
        int before = server.requests.size();
        timed.upload(url, source, context());
        assertTrue(source.isUploaded());
        assertArrayEquals(content, server.files.get("/fallback.bin"));
        List<String> atOrigin = types(server.requests.subList(before, server.requests.size()));
        assertEquals("Ping", atOrigin.get(0), "the resumed session pings the origin: " + atOrigin);
        assertEquals("Close-Session", atOrigin.get(atOrigin.size() - 1));
    }

    @Test
    void anAckWithoutTheReceivedRangeIsAnInvalidServerResponse() {
        server.omitReceived = true;
        MemoryUploadSource source = source(TestData.random(10_000, 8), false);
        TransferException e = assertThrows(TransferException.class, () -> upload("/broken.bin", source));
        assertEquals(HResult.BG_E_INVALID_SERVER_RESPONSE, e.hresult());
        assertFalse(e.isTransient());
    }

    @Test
    void aSessionIdIsAnyHttpLegalTextUpToAHundredCharactersSentBackAsGiven() throws Exception {
        String id = "jbits-test session:42/with (odd) chars & more!" + "x".repeat(54);
        assertEquals(100, id.length());
        server.sessionIdOverride = id;
        byte[] content = TestData.random(50_000, 9);
        upload("/id.bin", source(content, false));
        assertArrayEquals(content, server.files.get("/id.bin"));
        assertTrue(server.packets("Fragment").stream().allMatch(r -> id.equals(r.getHeader("BITS-Session-Id"))));

        server.sessionIdOverride = id + "y";
        TransferException e = assertThrows(TransferException.class,
                () -> upload("/long.bin", source(content, false)));
        assertEquals(HResult.BG_E_INVALID_SERVER_RESPONSE, e.hresult());
    }

    @Test
    void aBusyServerIsTransientAndAForbiddingOneFatal() {
        server.createStatus = 503;
        TransferException busy = assertThrows(TransferException.class,
                () -> upload("/busy.bin", source(new byte[10], false)));
        assertTrue(busy.isTransient());
        assertEquals(HResult.ofHttpStatus(503), busy.hresult());
        server.createStatus = 403;
        TransferException forbidden = assertThrows(TransferException.class,
                () -> upload("/no.bin", source(new byte[10], false)));
        assertFalse(forbidden.isTransient());
        assertEquals(ErrorContext.REMOTE_FILE, forbidden.context());
    }

    @Test
    void customHeadersGoWithEveryPacketButDoNotReplaceTheProtocolsOwn() throws Exception {
        TransferContext ctx = TransferContext.builder().headers(List.of(
                new TransferContext.Header("X-Tenant", "blue"),
                new TransferContext.Header("BITS-Packet-Type", "Cancel-Session"))).build();
        byte[] content = TestData.random(100_000, 10);
        http.upload(java.net.URI.create(server.url("/h.bin")), source(content, false), ctx);
        assertArrayEquals(content, server.files.get("/h.bin"));
        assertTrue(server.requests.stream().allMatch(r -> "blue".equals(r.getHeader("X-Tenant"))));
        assertEquals(List.of("Create-Session", "Fragment", "Close-Session"), types(server.requests));
    }

    private static List<String> types(List<RecordedRequest> requests) {
        return requests.stream().map(r -> String.valueOf(r.getHeader("BITS-Packet-Type"))).toList();
    }

    private static List<Long> sizes(List<RecordedRequest> requests) {
        return requests.stream().map(RecordedRequest::getBodySize).toList();
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
