package org.jbits.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The upload protocol over real sockets: sessions, fragments, resync, and every refusal with its code. */
class BitsProtocolTest {
    @TempDir(factory = OnTheBuildDisk.class)
    Path dir;

    private UploadServer server;
    private BitsClient bits;

    @BeforeEach
    void start() throws Exception {
        server = UploadServer.builder(dir).port(0).build().start();
        bits = new BitsClient(server.url());
    }

    @AfterEach
    void stop() {
        bits.disconnect();
        server.close();
    }

    /** The names in the upload directory a user sees (hidden ones are the server's own). */
    private List<String> visible() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void aWholeSessionDeliversTheFileByteForByteAndOnlyAtClose() throws Exception {
        byte[] file = TestData.random(5_000_000, 1);
        String id = bits.session("/data.bin");
        assertTrue(id.matches("\\{[0-9a-f-]{36}}"), id);
        for (int first = 0; first < file.length; first += 1 << 20) {
            int last = Math.min(file.length, first + (1 << 20)) - 1;
            BitsClient.Ack a = bits.fragment("/data.bin", id, file, first, last);
            assertEquals(200, a.status(), a.toString());
            assertEquals(last + 1, a.received());
            assertEquals("Ack", a.header("BITS-Packet-Type"));
            assertEquals(id, a.header("BITS-Session-Id"));
            assertEquals("0", a.header("Content-Length"));
            assertEquals(List.of(), visible(), "nothing appears before Close-Session");
        }
        BitsClient.Ack c = bits.close("/data.bin", id);
        assertEquals(200, c.status(), c.toString());
        assertEquals(List.of("data.bin"), visible());
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("data.bin")));
        assertEquals(0, server.openSessions());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(UploadServer.STATE_DIRECTORY), s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".")).toList(), "the received file was renamed, not copied");
        }
        try (Stream<Path> s = Files.list(dir.resolve(UploadServer.STATE_DIRECTORY))) {
            assertEquals(0, s.count(), "the session's journal is gone");
        }
    }

    @Test
    void createSessionAnswersTheProtocolAndAnIdentityEncoding() {
        BitsClient.Ack a = bits.create("/x");
        assertEquals(200, a.status());
        assertEquals(BitsClient.PROTOCOL, a.header("BITS-Protocol"));
        assertEquals("Identity", a.header("Accept-Encoding"));
        assertEquals("0", a.header("Content-Length"));
    }

    @Test
    void theProtocolIsFoundAmongOthersSeparatedBySpacesOrCommasInAnyCase() {
        String others = "{00000000-0000-0000-0000-000000000001}, {00000000-0000-0000-0000-000000000002}";
        for (String offer : List.of(others + " " + BitsClient.PROTOCOL.toUpperCase(), others + "," + BitsClient.PROTOCOL,
                BitsClient.PROTOCOL.substring(1, 37))) {
            BitsClient.Ack a = bits.send("/p", Map.of("BITS-Packet-Type", "create-session",
                    "BITS-Supported-Protocols", offer), new byte[0]);
            assertEquals(200, a.status(), offer + ": " + a);
            assertEquals(BitsClient.PROTOCOL, a.header("BITS-Protocol"));
        }
    }

    @Test
    void anUnknownProtocolOrMoreThanAHundredOfferedIsInvalidArgument() {
        BitsClient.Ack a = bits.send("/p", Map.of("BITS-Packet-Type", "Create-Session",
                "BITS-Supported-Protocols", "{00000000-0000-0000-0000-000000000001}"), new byte[0]);
        assertError(a, 400, "0x80070057");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append("{00000000-0000-0000-0000-").append(String.format("%012d", i)).append("} ");
        }
        assertEquals(200, bits.send("/p", Map.of("BITS-Packet-Type", "Create-Session",
                "BITS-Supported-Protocols", many.toString().replaceFirst("\\{[^}]*}", BitsClient.PROTOCOL)),
                new byte[0]).status(), "the protocol among 100 offered");
        assertError(bits.send("/p", Map.of("BITS-Packet-Type", "Create-Session",
                "BITS-Supported-Protocols", many + BitsClient.PROTOCOL), new byte[0]), 400, "0x80070057");
        assertError(bits.send("/p", Map.of("BITS-Packet-Type", "Create-Session"), new byte[0]), 400, "0x80070057");
    }

    static void assertError(BitsClient.Ack a, int status, String code) {
        assertEquals(status, a.status(), a.toString());
        assertEquals("Ack", a.header("BITS-Packet-Type"), a.toString());
        assertEquals(code, a.errorCode(), a.toString());
        assertEquals(code, a.header("BITS-Error"), "the [MC-BUP] spelling too: " + a);
        assertNotNull(a.header("BITS-Error-Context"), a.toString());
        assertEquals("0", a.header("Content-Length"), a.toString());
    }

    @Test
    void aRetransmittedFragmentIsWrittenOnceAndAnOverlappingOneOnlyForItsNewBytes() throws Exception {
        byte[] file = TestData.random(300_000, 2);
        String id = bits.session("/r.bin");
        assertEquals(100_000, bits.fragment("/r.bin", id, file, 0, 99_999).received());
        BitsClient.Ack again = bits.fragment("/r.bin", id, file, 0, 99_999);
        assertEquals(200, again.status());
        assertEquals(100_000, again.received(), "a retransmission adds nothing");
        BitsClient.Ack overlap = bits.fragment("/r.bin", id, file, 50_000, 199_999);
        assertEquals(200, overlap.status());
        assertEquals(200_000, overlap.received());
        assertEquals(200_000, bits.fragment("/r.bin", id, file, 150_000, 199_999).received(), "inside what is held");
        assertEquals(300_000, bits.fragment("/r.bin", id, file, 199_000, 299_999).received());
        assertEquals(200, bits.close("/r.bin", id).status());
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("r.bin")), "no byte duplicated");
    }

    @Test
    void aFragmentPastWhatIsHeldIs416WithTheOffsetToResumeFrom() throws Exception {
        byte[] file = TestData.random(64_000, 3);
        String id = bits.session("/g.bin");
        bits.fragment("/g.bin", id, file, 0, 9_999);
        BitsClient.Ack gap = bits.fragment("/g.bin", id, file, 20_000, 29_999);
        assertEquals(416, gap.status(), gap.toString());
        assertEquals(10_000, gap.received());
        assertEquals("0x00000000", gap.errorCode());
        assertEquals(id, gap.header("BITS-Session-Id"));
        // The client resyncs from the offset the ack gave.
        assertEquals(64_000, bits.fragment("/g.bin", id, file, gap.received(), 63_999).received());
        assertEquals(200, bits.close("/g.bin", id).status());
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("g.bin")));
    }

    @Test
    void aTotalThatChangesBetweenFragmentsIsInvalidArgumentAndKeepsWhatWasReceived() {
        byte[] file = TestData.random(1000, 4);
        String id = bits.session("/t.bin");
        bits.fragment("/t.bin", id, file, 0, 499);
        BitsClient.Ack a = bits.send("/t.bin", Map.of("BITS-Packet-Type", "Fragment", "BITS-Session-Id", id,
                "Content-Range", "bytes 500-599/2000"), new byte[100]);
        assertError(a, 400, "0x80070057");
        assertEquals(500, a.received(), "every fragment ack says what is held");
    }

    @Test
    void packetsOfAnUnknownSessionAreSessionNotFound() {
        String ghost = "{12345678-1234-1234-1234-123456789abc}";
        byte[] file = new byte[10];
        BitsClient.Ack f = bits.fragment("/u", ghost, file, 0, 9);
        assertError(f, 500, "0x8020001f");
        assertError(bits.close("/u", ghost), 500, "0x8020001f");
        assertError(bits.cancel("/u", ghost), 500, "0x8020001f");
        String id = bits.session("/u");
        assertError(bits.fragment("/other", id, file, 0, 9), 500, "0x8020001f");
    }

    @Test
    void sessionIdsAndPacketTypesAreComparedCaseInsensitively() throws Exception {
        byte[] file = TestData.random(2000, 5);
        String id = bits.session("/c.bin");
        String shouted = id.toUpperCase();
        BitsClient.Ack a = bits.send("/c.bin", Map.of("bits-packet-type", "FRAGMENT", "bits-session-id", shouted,
                "content-range", "BYTES 0-1999/2000"), file);
        assertEquals(200, a.status(), a.toString());
        assertEquals(2000, a.received());
        assertEquals(200, bits.send("/c.bin", Map.of("BITS-Packet-Type", "CLOSE-SESSION",
                "BITS-Session-Id", id.substring(1, id.length() - 1)), new byte[0]).status(), "without braces too");
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("c.bin")));
    }

    @Test
    void missingOrMalformedHeadersAreInvalidArgument() {
        byte[] file = new byte[100];
        String id = bits.session("/m");
        assertError(bits.send("/m", Map.of(), new byte[0]), 400, "0x80070057");
        assertError(bits.send("/m", Map.of("BITS-Packet-Type", "Upload-Everything"), new byte[0]), 400, "0x80070057");
        assertError(bits.send("/m", Map.of("BITS-Packet-Type", "Fragment", "Content-Range", "bytes 0-99/100"), file),
                400, "0x80070057");
        assertError(bits.send("/m", Map.of("BITS-Packet-Type", "Fragment", "BITS-Session-Id", id), file),
                400, "0x80070057");
        for (String range : List.of("bytes 0-99", "0-99/100", "bytes 50-10/100", "bytes 0-100/100", "bytes -1-99/100",
                "bytes 0-99/*", "bytes a-b/c")) {
            BitsClient.Ack a = bits.send("/m", Map.of("BITS-Packet-Type", "Fragment", "BITS-Session-Id", id,
                    "Content-Range", range), file);
            assertError(a, 400, "0x80070057");
            assertEquals(0, a.received(), range);
        }
        assertError(bits.send("/m", Map.of("BITS-Packet-Type", "Fragment", "BITS-Session-Id", id,
                "Content-Range", "bytes 0-49/100"), file), 400, "0x80070057");
        assertError(bits.send("/m", Map.of("BITS-Packet-Type", "Fragment", "BITS-Session-Id", id,
                "Content-Range", "bytes 0-99/100", "Content-Encoding", "gzip"), file), 400, "0x80070057");
        assertError(bits.send("/m", Map.of("BITS-Packet-Type", "Close-Session"), new byte[0]), 400, "0x80070057");
        assertError(bits.send("/m", Map.of("BITS-Packet-Type", "Ping", "BITS-Host-Id", "x".repeat(5000)), new byte[0]),
                400, "0x80070057");
    }

    @Test
    void aFragmentWithoutContentLengthIsInvalidArgument() {
        String id = bits.session("/n");
        RawHttp.Reply r = RawHttp.send(server.port(), "BITS_POST /n HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\n"
                + "BITS-Session-Id: " + id + "\r\nContent-Range: bytes 0-4/5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
        assertEquals(400, r.status());
        assertEquals("0x80070057", r.header("BITS-Error-Code"));
        assertEquals("0", r.header("Content-Length"));
    }

    @Test
    void pingIsAnAckAndOtherMethodsAre405WithTheirOwnContentLength() {
        BitsClient.Ack p = bits.ping("/anything");
        assertEquals(200, p.status());
        assertEquals("Ack", p.header("BITS-Packet-Type"));
        assertEquals("0", p.header("Content-Length"));
        BitsClient.Ack get = bits.call("GET", "/anything", Map.of(), null);
        assertEquals(405, get.status());
        assertEquals("0", get.header("Content-Length"));
        assertEquals("BITS_POST", get.header("Allow"));
        assertEquals(405, bits.call("PUT", "/anything", Map.of(), new byte[3]).status(), "plain PUT is off by default");
    }

    @Test
    void closeBeforeTheLastFragmentDiscardsTheUpload() throws Exception {
        byte[] file = TestData.random(1000, 6);
        String id = bits.session("/early.bin");
        bits.fragment("/early.bin", id, file, 0, 499);
        assertEquals(200, bits.close("/early.bin", id).status());
        assertEquals(List.of(), visible());
        assertError(bits.fragment("/early.bin", id, file, 500, 999), 500, "0x8020001f");
    }

    @Test
    void cancelDeletesTheReceivedBytes() throws Exception {
        byte[] file = TestData.random(1000, 7);
        String id = bits.session("/gone.bin");
        bits.fragment("/gone.bin", id, file, 0, 999);
        assertEquals(200, bits.cancel("/gone.bin", id).status());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(UploadServer.STATE_DIRECTORY), s.map(p -> p.getFileName().toString()).toList());
        }
        assertError(bits.close("/gone.bin", id), 500, "0x8020001f");
    }

    @Test
    void anExistingFileIs409AccessDeniedAndStaysUntouched() throws Exception {
        Files.writeString(dir.resolve("taken.txt"), "mine");
        assertError(bits.create("/taken.txt"), 409, "0x80070005");
        // A file that appears while the session runs is not replaced either.
        byte[] file = TestData.random(100, 8);
        String id = bits.session("/late.txt");
        bits.fragment("/late.txt", id, file, 0, 99);
        Files.writeString(dir.resolve("late.txt"), "first");
        assertError(bits.close("/late.txt", id), 409, "0x80070005");
        assertEquals("mine", Files.readString(dir.resolve("taken.txt")));
        assertEquals("first", Files.readString(dir.resolve("late.txt")));
    }

    @Test
    void aUrlThatNamesADirectoryIsInvalidArgument() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        assertError(bits.create("/sub"), 400, "0x80070057");
        assertError(bits.create("/sub/"), 400, "0x80070057");
        assertError(bits.create("/"), 400, "0x80070057");
    }

    @Test
    void anEmptyFileIsOneFragmentOfNoBytes() throws Exception {
        String id = bits.session("/empty");
        BitsClient.Ack a = bits.send("/empty", Map.of("BITS-Packet-Type", "Fragment", "BITS-Session-Id", id,
                "Content-Range", "bytes */0"), new byte[0]);
        assertEquals(200, a.status(), a.toString());
        assertEquals(0, a.received());
        assertEquals(200, bits.close("/empty", id).status());
        assertEquals(0, Files.size(dir.resolve("empty")));
    }

    @Test
    void uploadsGoIntoExistingSubdirectoriesAndMissingOnesAre404() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        byte[] file = TestData.random(1234, 9);
        bits.upload("/a/b/f.bin", file, 1000);
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("a/b/f.bin")));
        assertError(bits.create("/nope/f.bin"), 404, "0x80190194");
        assertFalse(Files.exists(dir.resolve("nope")));
    }

    @Test
    void theMaximumFileSizeIsBgETooLarge() throws Exception {
        bits.disconnect();
        server.close();
        server = UploadServer.builder(dir).port(0).maxFileSize(1000).build().start();
        bits = new BitsClient(server.url());
        String id = bits.session("/big");
        BitsClient.Ack a = bits.send("/big", Map.of("BITS-Packet-Type", "Fragment", "BITS-Session-Id", id,
                "Content-Range", "bytes 0-9/1001"), new byte[10]);
        assertError(a, 500, "0x80200020");
        assertEquals(0, a.received());
    }
}
