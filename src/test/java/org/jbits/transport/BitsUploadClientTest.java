package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.server.UploadServer;
import org.jbits.testing.CountingProxy;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BITS upload client against jbits' own upload server, in-process, over real sockets, with a counting proxy
 * between them: what reaches the server is counted there. Each client run is one attempt of the engine; a new
 * client on the same {@link MemoryUploadSource} is the attempt after a restart, with what the store recorded.
 */
class BitsUploadClientTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;
    private Path uploads;
    private UploadServer server;
    private CountingProxy proxy;
    private final HttpTransport http = new HttpTransport(5000, 10000);

    @BeforeEach
    void start() throws Exception {
        uploads = Files.createDirectories(Path.of("target", "tmp")).resolve("client-" + System.nanoTime());
        Files.createDirectories(uploads);
        server = UploadServer.builder(uploads).port(0).build().start();
        proxy = CountingProxy.start(server.address());
    }

    @AfterEach
    void stop() {
        proxy.close();
        server.close();
    }

    /**
     * That the server holds {@code content} under {@code name}, compared by digest: the file is not read into a second
     * array (up to 100 MiB here; with the content, two such arrays in a 512 MiB heap failed for want of contiguous
     * space in one CI run).
     */
    private void assertArrived(byte[] content, String name) {
        assertEquals(TestData.sha256(content), TestData.sha256(uploads.resolve(name)), name + " arrived byte-identical");
    }

    /** The local file of an upload: in memory here, read through {@link UploadSource#read}. */
    MemoryUploadSource source(byte[] content, boolean withReply) {
        return new MemoryUploadSource(content, withReply);
    }

    private static TransferContext context() {
        return TransferContext.builder().build();
    }

    /** A context whose pacer stops the transfer once {@code bytes} were sent in this attempt. */
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

    @Test
    void uploadsInGrowingFragmentsAndClosesTheSession() throws Exception {
        byte[] content = TestData.random((int) (40 * MIB + 12345), 1);
        MemoryUploadSource source = source(content, false);
        http.upload(proxy.url("/whole.bin"), source, context());

        assertTrue(source.isUploaded(), source.events().toString());
        assertArrived(content, "whole.bin");
        List<CountingProxy.Packet> packets = proxy.packets();
        assertEquals("Create-Session", packets.get(0).type());
        assertEquals("Close-Session", packets.get(packets.size() - 1).type());
        List<CountingProxy.Packet> fragments = proxy.fragments();
        assertEquals(FragmentSizer.INITIAL, fragments.get(0).declaredLength(), "the first fragment is 1 MiB");
        assertTrue(fragments.stream().anyMatch(f -> f.declaredLength() > FragmentSizer.INITIAL),
                "fragments grow on a fast link: " + fragments);
        assertTrue(fragments.stream().allMatch(f -> f.declaredLength() <= FragmentSizer.MAX), fragments.toString());
        assertTrue(fragments.stream().anyMatch(f -> f.declaredLength() > FragmentSizer.WINDOWS_MAX),
                "past Windows' size on loopback: " + fragments);
        assertEquals(0, proxy.resentBytes());
        assertEquals(content.length, proxy.fragmentBytes());
        assertEquals(0, server.openSessions(), "Close-Session ended the session");
    }

    @Test
    void aStoppedUploadResumesWithAPingAndAProbeAndSendsNothingTwiceButTheProbe() throws Exception {
        byte[] content = TestData.random((int) (32 * MIB), 2);
        MemoryUploadSource source = source(content, false);
        http.upload(proxy.url("/stopped.bin"), source, stoppingAfter(9 * MIB));
        assertFalse(source.isUploaded());
        long recorded = source.acknowledged();
        assertTrue(recorded > 0 && recorded < content.length, "acknowledged " + recorded);
        assertEquals(-1, indexOfType(proxy.packets(), "Ping"), "no Ping before a session with no Host-Id");

        http.upload(proxy.url("/stopped.bin"), source, context());
        assertTrue(source.isUploaded(), source.events().toString());
        assertArrived(content, "stopped.bin");
        List<CountingProxy.Packet> all = proxy.packets();
        // The stopped fragment is recorded when its connection ends, which may be after the first attempt returned,
        // even after the resume's Ping: the resume is what follows the Ping but that one fragment cut short.
        List<CountingProxy.Packet> cut = all.stream().filter(p -> p.isFragment()
                && (p.status() == -1 || p.forwarded() < p.declaredLength())).toList();
        assertTrue(cut.size() <= 1, "at most the stopped fragment was cut short: " + all);
        List<CountingProxy.Packet> resumed = all.subList(indexOfType(all, "Ping"), all.size()).stream()
                .filter(p -> !cut.contains(p)).toList();
        assertEquals(1, resumed.stream().filter(p -> "Ping".equals(p.type())).count(), "one Ping: " + all);
        CountingProxy.Packet probe = resumed.get(1);
        assertEquals("Fragment", probe.type());
        assertEquals(recorded, probe.first(), "the probe asks at the recorded offset");
        assertEquals(FragmentSizer.MIN, probe.declaredLength(), "the probe is 5 KiB");
        // What the cut fragment got through may reach the server after the resume's probe (the proxy's upstream
        // connection drains on its own) and so overlap the resumed fragments; nothing else may be sent twice.
        long cutThrough = cut.stream().mapToLong(p -> Math.max(0, p.forwarded())).sum();
        assertTrue(proxy.resentBytes() <= FragmentSizer.MIN + cutThrough, "re-sent " + proxy.resentBytes()
                + " bytes, of which the cut fragment's " + cutThrough + ": " + all);
    }

    @Test
    void acknowledgementsLostWithTheClientCostAtMostTheProbe() throws Exception {
        byte[] content = TestData.random((int) (40 * MIB), 3);
        MemoryUploadSource source = source(content, false);
        // Past the 1 MiB and 16 MiB fragments, in the third.
        http.upload(proxy.url("/lost.bin"), source, stoppingAfter(20 * MIB));
        long recorded = source.acknowledged();
        assertTrue(recorded > 4 * MIB, "acknowledged " + recorded);
        // As if the agent died before its last records reached the store: it knows of less than the server holds.
        source.acknowledgedUpTo(recorded - 3 * MIB - 17);

        http.upload(proxy.url("/lost.bin"), source, context());
        assertTrue(source.isUploaded());
        assertArrived(content, "lost.bin");
        assertTrue(proxy.resentBytes() <= FragmentSizer.MIN, "the probe's ack said where to go on; re-sent "
                + proxy.resentBytes() + " bytes");
    }

    @Test
    void aServerThatRestartedMidUploadIsTakenAtItsWord() throws Exception {
        byte[] content = TestData.random((int) (30 * MIB), 4);
        MemoryUploadSource source = source(content, false);
        http.upload(proxy.url("/restart.bin"), source, stoppingAfter(10 * MIB));
        server.close();
        server = UploadServer.builder(uploads).port(0).build().start();
        proxy.target(server.address());
        assertEquals(1, server.openSessions(), "the session survived the restart");

        http.upload(proxy.url("/restart.bin"), source, context());
        assertTrue(source.isUploaded());
        assertArrived(content, "restart.bin");
    }

    @Test
    void theServerSayingItHoldsLessIsBelieved() throws Exception {
        byte[] content = TestData.random((int) (8 * MIB), 5);
        MemoryUploadSource source = source(content, false);
        http.upload(proxy.url("/less.bin"), source, stoppingAfter(3 * MIB));
        long recorded = source.acknowledged();
        // As if the client's record were ahead of the server (a server that lost bytes): the 416 says where it is.
        long held = server.openSessions() == 1 ? recorded : -1;
        source.acknowledgedUpTo(content.length - 1234567);
        http.upload(proxy.url("/less.bin"), source, context());
        assertTrue(source.isUploaded());
        assertArrived(content, "less.bin");
        assertTrue(proxy.packets().stream().anyMatch(p -> p.status() == 416), proxy.packets().toString());
        assertTrue(source.events().stream().anyMatch(e -> e.startsWith("ack ") && Long.parseLong(e.substring(4)) >= held
                && Long.parseLong(e.substring(4)) < content.length - 1234567), "the server's smaller offset was recorded: "
                + source.events());
    }

    @Test
    void aConnectionCutMidFragmentIsAskedAgainAtOnceWithAProbe() throws Exception {
        byte[] content = TestData.random((int) (12 * MIB), 8);
        MemoryUploadSource source = source(content, false);
        proxy.cutNextFragmentAfter(300_000);
        http.upload(proxy.url("/cut.bin"), source, context());

        assertTrue(source.isUploaded(), "the same attempt went on after the cut: " + source.events());
        assertArrived(content, "cut.bin");
        List<CountingProxy.Packet> fragments = proxy.fragments();
        assertEquals(-1, fragments.get(0).status(), "the first fragment was cut: " + fragments);
        assertEquals(300_000, fragments.get(0).forwarded());
        assertEquals(0, fragments.get(1).first(), "asked again at the recorded offset");
        assertEquals(FragmentSizer.MIN, fragments.get(1).declaredLength(), "as a probe");
        assertEquals("300000", fragments.get(1).received(), "the server kept what reached it");
        assertEquals(FragmentSizer.MIN, proxy.resentBytes(), "only the probe went twice");
    }

    @Test
    void basicCredentialsAnswerTheFirstChallengeAndGoWithTheLaterPacketsSoNoBodyIsSentTwice() throws Exception {
        server.close();
        server = UploadServer.builder(uploads).port(0).basicAuth(java.util.Map.of("alice", "s3cret")).build().start();
        proxy.target(server.address());
        byte[] content = TestData.random((int) (6 * MIB), 9);
        MemoryUploadSource source = source(content, false);
        TransferContext ctx = context().withServerCredentials(
                new Credentials(Credentials.Scheme.BASIC, "alice", "s3cret"));
        http.upload(proxy.url("/auth.bin"), source, ctx);

        assertArrived(content, "auth.bin");
        List<CountingProxy.Packet> refused = proxy.packets().stream().filter(p -> p.status() == 401).toList();
        assertEquals(1, refused.size(), "one challenge: " + proxy.packets());
        assertEquals("Create-Session", refused.get(0).type());
        assertEquals(content.length, proxy.fragmentBytes(), "every fragment body went once");

        TransferException e = assertThrows(TransferException.class, () -> http.upload(proxy.url("/wrong.bin"),
                source(content, false), context().withServerCredentials(
                        new Credentials(Credentials.Scheme.BASIC, "alice", "Wr0ngPassw0rd"))));
        assertEquals(HResult.E_ACCESSDENIED, e.hresult(), e.getMessage());
        assertFalse(e.getMessage().contains("Wr0ngPassw0rd"), "no password in the message: " + e.getMessage());
    }

    @Test
    void aServerThatClosesTheConnectionOnFragmentsBeyondWindowsSizeGetsWindowsSize() throws Exception {
        byte[] content = TestData.random((int) (100 * MIB), 10);
        MemoryUploadSource source = source(content, false);
        proxy.refuseFragmentsOver(13_000_000);
        http.upload(proxy.url("/windows.bin"), source, context());

        assertTrue(source.isUploaded());
        assertArrived(content, "windows.bin");
        List<CountingProxy.Packet> fragments = proxy.fragments();
        int refused = -1;
        for (int i = 0; i < fragments.size(); i++) {
            if (fragments.get(i).status() == -1) {
                refused = i;
                break;
            }
        }
        assertTrue(refused > 0, "a fragment beyond Windows' size was sent and refused: " + fragments);
        assertTrue(fragments.subList(refused + 1, fragments.size()).stream()
                .allMatch(f -> f.declaredLength() <= FragmentSizer.WINDOWS_MAX), "then at most 12 MiB: " + fragments);
        assertEquals(1, fragments.stream().filter(f -> f.status() == -1).count(), "refused once: " + fragments);
    }

    @Test
    void anEmptyFileIsOneFragmentOfNoBytes() throws Exception {
        MemoryUploadSource source = source(new byte[0], false);
        http.upload(proxy.url("/empty.bin"), source, context());
        assertTrue(source.isUploaded(), source.events().toString());
        assertEquals(0, Files.size(uploads.resolve("empty.bin")));
        assertEquals("bytes */0", proxy.fragments().get(0).contentRange());
    }

    @Test
    void aFileChangedMidUploadFailsWithLocalFileChangedAndCancelsTheSession() throws Exception {
        byte[] content = TestData.random((int) (8 * MIB), 6);
        MemoryUploadSource source = source(content, false);
        http.upload(proxy.url("/changed.bin"), source, stoppingAfter(2 * MIB));
        assertEquals(1, server.openSessions());
        source.content = content.clone();
        TransferException e = assertThrows(TransferException.class,
                () -> http.upload(proxy.url("/changed.bin"), source, context()));
        assertEquals(HResult.BG_E_LOCAL_FILE_CHANGED, e.hresult());
        assertEquals(ErrorContext.LOCAL_FILE, e.context());
        assertFalse(e.isTransient());
        assertNotNull(source.events().stream().filter(s -> s.startsWith("lost")).findFirst().orElse(null));
        assertTrue(proxy.packets().stream().anyMatch(p -> "Cancel-Session".equals(p.type())), proxy.packets().toString());
        assertEquals(0, server.openSessions(), "the server discarded the mixed upload");
        assertFalse(Files.exists(uploads.resolve("changed.bin")));

        // Resumed, the job uploads the file as it is now, in a new session from byte 0.
        http.upload(proxy.url("/changed.bin"), source, context());
        assertArrived(source.content, "changed.bin");
    }

    @Test
    void uploadReplyFetchesTheReplyBeforeCloseSession() throws Exception {
        server.close();
        Path cmd = tmp.resolve("reply.sh");
        Files.writeString(cmd, "#!/bin/sh\nset -e\n{ printf 'got '; wc -c < \"$BITS_REQUEST_DATAFILE_NAME\"; } > "
                + "\"$BITS_RESPONSE_DATAFILE_NAME\"\n");
        Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwx------"));
        server = UploadServer.builder(uploads).port(0).notifyCommand(List.of(cmd.toString())).build().start();
        proxy.target(server.address());
        byte[] content = TestData.random(3_000_000, 7);
        MemoryUploadSource source = source(content, true);
        http.upload(proxy.url("/reply.bin"), source, context());

        assertTrue(source.isUploaded());
        assertEquals("got 3000000", new String(source.reply.bytes(), StandardCharsets.US_ASCII).trim());
        List<CountingProxy.Packet> packets = proxy.packets();
        int get = indexOf(packets, "GET");
        int close = indexOfType(packets, "Close-Session");
        assertTrue(get >= 0 && get < close, "the reply is fetched before Close-Session: " + packets);
    }

    private static int indexOf(List<CountingProxy.Packet> packets, String method) {
        for (int i = 0; i < packets.size(); i++) {
            if (packets.get(i).method().equals(method)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfType(List<CountingProxy.Packet> packets, String type) {
        for (int i = 0; i < packets.size(); i++) {
            if (type.equals(packets.get(i).type())) {
                return i;
            }
        }
        return -1;
    }
}
