package org.jbits.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.jbits.file.SafeDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pieces the handler is built from, alone: paths, ranges, packet headers, the journal. */
class ProtocolPartsTest {
    @TempDir(factory = OnTheBuildDisk.class)
    Path dir;

    @Test
    void aPathIsSplitIntoDirectoriesAndANameDecodedOnce() throws Exception {
        UploadPath p = UploadPath.parse("/a/b%20c/n%25ame.txt");
        assertEquals(List.of("a", "b c"), p.directories());
        assertEquals("n%ame.txt", p.name());
        assertEquals(p, UploadPath.ofDisplay(p.display()));
        assertEquals(UploadPath.parse("/caf%C3%A9"), UploadPath.ofDisplay("café"));
    }

    @Test
    void pathsThatCouldLeaveTheDirectoryAreInvalid() {
        for (String bad : List.of("..", "/..", "/a/..", "/a/../b", "/%2e%2E", "/a%2fb", "/a%2Fb", "/a%5cb", "/a%5Cb",
                "/a\\b", "//a", "/a//b", "/a/", "/", "/%00", "/a%00b", "/.x", "/a/.b", "/a/./b", "/%", "/%4", "/%g0",
                "/%ff", "/\u0001", "/" + "x".repeat(256), "/a".repeat(33), "relative")) {
            BitsError e = assertThrows(BitsError.class, () -> UploadPath.parse(bad), bad);
            assertEquals(400, e.status, bad);
        }
    }

    @Test
    void contentRangesAreReadLiberallyAndCheckedStrictly() throws Exception {
        assertEquals(new ContentRange(0, 99, 100), ContentRange.parse("bytes 0-99/100"));
        assertEquals(new ContentRange(5, 9, 10), ContentRange.parse("  Bytes=5 - 9 / 10 "));
        assertEquals(new ContentRange(0, -1, 0), ContentRange.parse("bytes */0"));
        for (String bad : List.of("", "bytes", "bytes 0-99", "bits 0-9/10", "bytes 9-0/10", "bytes 0-10/10",
                "bytes */10", "bytes 0-9/*", "bytes +1-9/10", "bytes 0-9/99999999999999999999")) {
            assertThrows(BitsError.class, () -> ContentRange.parse(bad), bad);
        }
    }

    @Test
    void packetTypesAndSessionIdsAreCanonical() throws Exception {
        assertEquals(Packet.Type.CREATE_SESSION, Packet.Type.of(" create-SESSION "));
        assertEquals(Packet.Type.CLOSE_SESSION, Packet.Type.of("CLOSE_SESSION"));
        assertNull(Packet.Type.of("Ack"));
        String id = "{0A1B2C3D-0000-4000-8000-00000000000F}";
        assertEquals(id.toLowerCase(), Packet.canonicalId(id));
        assertEquals(id.toLowerCase(), Packet.canonicalId(id.substring(1, id.length() - 1)));
        assertEquals("not-a-guid", Packet.canonicalId("not-a-guid"));
    }

    @Test
    void aTornOrCorruptTailOfAJournalIsDroppedAndCutOff() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            SessionJournal j = SessionJournal.create(d, "s.journal", "first");
            j.append("second", true);
            j.release();
            Path f = dir.resolve("s.journal");
            long good = Files.size(f);
            Files.write(f, "third|00000000\nfourth".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
            assertEquals(List.of("first", "second"), SessionJournal.read(d, "s.journal"));
            assertEquals(good, Files.size(f), "cut back to the last valid record");
            j.append("third", false);
            j.release();
            assertEquals(List.of("first", "second", "third"), SessionJournal.read(d, "s.journal"));
            j.rewrite(List.of("only"));
            assertEquals(List.of("only"), SessionJournal.read(d, "s.journal"));
        }
    }

    @Test
    void aReplyRangeIsOneSatisfiableRangeOrTheWholeFile() {
        assertArrayEquals(new long[]{10, 99}, ReplyServer.parseRange("bytes=10-", 100));
        assertArrayEquals(new long[]{10, 20}, ReplyServer.parseRange("bytes=10-20", 100));
        assertArrayEquals(new long[]{90, 99}, ReplyServer.parseRange("bytes=-10", 100));
        assertArrayEquals(new long[]{0, 99}, ReplyServer.parseRange("bytes=0-1000", 100));
        assertArrayEquals(new long[0], ReplyServer.parseRange("bytes=100-", 100));
        assertNull(ReplyServer.parseRange("bytes=0-1,5-6", 100), "several ranges: the whole file");
        assertNull(ReplyServer.parseRange("items=0-1", 100));
    }
}
