package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSpecsTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectoryDestinationTakesTheDecodedFileNameOfTheUrl() {
        var specs = FileSpecs.pair(List.of("http://h/a/b%20c.iso?x=1"), tmp.toString());
        assertEquals(List.of(new FileSpecs.Spec("http://h/a/b%20c.iso?x=1", tmp.resolve("b c.iso").toString())), specs);
    }

    @Test
    void aUrlWithoutAFileNameNeedsAFileDestination() {
        BitsException e = assertThrows(BitsException.class, () -> FileSpecs.pair(List.of("http://h/"), tmp.toString()));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
    }

    @Test
    void severalSourcesNeedAnExistingDirectory() {
        BitsException e = assertThrows(BitsException.class,
                () -> FileSpecs.pair(List.of("http://h/a", "http://h/b"), tmp.resolve("f").toString()));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
    }

    @Test
    void relativeDestinationsAreTheCallersAndMissingOnesAreRefused() {
        // Relative to this process's working directory (Start-BitsTransfer's rule), where rel/ does not exist.
        BitsException rel = assertThrows(BitsException.class, () -> FileSpecs.destination("no-such-rel-dir/f"));
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, rel.hresult());
        assertTrue(rel.detail().contains(Path.of("").toAbsolutePath().resolve("no-such-rel-dir").toString()),
                rel.detail());
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, assertThrows(BitsException.class,
                () -> FileSpecs.destination(tmp.resolve("no/such/f").toString())).hresult());
    }

    @Test
    void aWildcardInTheLastSegmentExpandsToTheMatchingFilesInOrder() throws Exception {
        Files.writeString(tmp.resolve("b.log"), "b");
        Files.writeString(tmp.resolve("a.log"), "a");
        Files.writeString(tmp.resolve("c.txt"), "c");
        assertEquals(List.of(tmp.resolve("a.log").toString(), tmp.resolve("b.log").toString()),
                FileSpecs.expandSource(tmp.resolve("*.log").toString()));
        assertEquals(HResult.ERROR_FILE_NOT_FOUND, assertThrows(BitsException.class,
                () -> FileSpecs.expandSource(tmp.resolve("*.zip").toString())).hresult());
        assertEquals(HResult.E_INVALIDARG, assertThrows(BitsException.class,
                () -> FileSpecs.expandSource(tmp.resolve("*").resolve("x.log").toString())).hresult());
    }

    @Test
    void csvRowsAreReadWithQuotesAndAHeaderInAnyCase() throws Exception {
        Path csv = tmp.resolve("f.csv");
        Files.writeString(csv, "source,DESTINATION\n\"http://h/a,b\", " + tmp.resolve("x") + "\nhttp://h/c," + tmp + "\n");
        assertEquals(List.of(new FileSpecs.Spec("http://h/a,b", tmp.resolve("x").toString()),
                new FileSpecs.Spec("http://h/c", tmp.resolve("c").toString())), FileSpecs.fromCsv(csv));
        assertEquals(List.of("a", "b \"q\"", ""), FileSpecs.splitCsv("a,\"b \"\"q\"\"\","));
    }

    @Test
    void anUnsupportedSchemeIsNamed() {
        assertEquals(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, assertThrows(BitsException.class,
                () -> FileSpecs.expandSource("mailto:someone")).hresult());
    }

    private static int code(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(BitsException.class, call).hresult();
    }

    @Test
    void aDestinationEndingInASlashMustBeAnExistingDirectory() throws Exception {
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, code(() -> FileSpecs.pair(List.of("http://h/a.bin"), tmp + "/newdir/")));
        assertFalse(Files.exists(tmp.resolve("newdir")));
        Files.writeString(tmp.resolve("file"), "x");
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, code(() -> FileSpecs.pair(List.of("http://h/a.bin"), tmp + "/file/")),
                "a trailing slash after a file is not a directory, as open(2) says (ENOTDIR)");
        Files.createDirectory(tmp.resolve("dir"));
        assertEquals(List.of(new FileSpecs.Spec("http://h/a.bin", tmp.resolve("dir/a.bin").toString())),
                FileSpecs.pair(List.of("http://h/a.bin"), tmp + "/dir/"));
        assertEquals(List.of(new FileSpecs.Spec("http://h/a.bin", tmp.resolve("dir/a.bin").toString())),
                FileSpecs.pair(List.of("http://h/a.bin"), tmp + "/dir/."));
    }

    @Test
    void dotDotThroughAMissingDirectoryIsRefusedForDestinationsAndLocalSources() throws Exception {
        Files.writeString(tmp.resolve("f"), "x");
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, code(() -> FileSpecs.destination(tmp + "/nosuch/../out")));
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, code(() -> FileSpecs.expandSource(tmp + "/nosuch/../f")));
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, code(() -> FileSpecs.expandSource(tmp + "/f/../f")),
                "a file is not a directory to go through");
        Files.createDirectory(tmp.resolve("sub"));
        assertEquals(tmp.toRealPath().resolve("out"), FileSpecs.destination(tmp + "/sub/../out"));
        assertEquals(List.of(tmp.toRealPath().resolve("f").toString()), FileSpecs.expandSource(tmp + "/sub/../f"));
    }

    @Test
    void dotDotAfterASymbolicLinkGoesToTheParentOfItsTargetAsTheKernelDoes() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("real/deep"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        Files.writeString(tmp.resolve("real/f"), "the file under real/");
        // The kernel: link/.. is real/, not tmp/ (which cutting the text would give).
        assertEquals(tmp.resolve("real").toRealPath().resolve("out"), FileSpecs.destination(link + "/../out"));
        assertEquals(List.of(tmp.resolve("real/f").toRealPath().toString()), FileSpecs.expandSource(link + "/../f"));
        assertEquals(HResult.ERROR_FILE_NOT_FOUND, code(() -> FileSpecs.expandSource(tmp + "/link/../../f")),
                "link/../.. is tmp/, which holds no f");
        // Without "..", the spelling the user gave is kept (the link is not replaced by its target).
        assertEquals(link.resolve("out"), FileSpecs.destination(link + "/out"));
    }

    @Test
    void aUrlWithALineBreakOrControlCharacterIsAnInvalidUrlNotALocalPath() {
        assertEquals(HResult.ERROR_WINHTTP_INVALID_URL, code(() -> FileSpecs.expandSource("http://h/a\nb")));
        assertEquals(HResult.ERROR_WINHTTP_INVALID_URL, code(() -> FileSpecs.expandSource("http://h/a.bin\r")));
        assertEquals(HResult.ERROR_WINHTTP_INVALID_URL, code(() -> FileSpecs.expandSource("https://h/a\tb")));
        assertEquals(HResult.ERROR_WINHTTP_INVALID_URL, code(() -> FileSpecs.pair(List.of("http://h/a\n"), tmp.resolve("x").toString())));
    }

    @Test
    void aFileNameDecodedFromTheUrlWithControlCharactersIsRefused() {
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of("http://h/a%0Ab"), tmp.toString())));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of("http://h/a%00b"), tmp.toString())));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of("http://h/%E2%80%AEtxt.exe"), tmp.toString())));
    }

    @Test
    void csvWithAByteOrderMarkCrlfAndQuotedHeadersIsRead() throws Exception {
        Path csv = tmp.resolve("excel.csv");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = ("\"Source\",\"Destination\"\r\n\"http://h/a\",\"" + tmp.resolve("a") + "\"\r\n").getBytes(StandardCharsets.UTF_8);
        Files.write(csv, concat(bom, body));
        assertEquals(List.of(new FileSpecs.Spec("http://h/a", tmp.resolve("a").toString())), FileSpecs.fromCsv(csv));
    }

    @Test
    void csvFromPowerShellWithATypeLineOrUtf16IsRead() throws Exception {
        Path typed = tmp.resolve("typed.csv");
        Files.writeString(typed, "#TYPE System.Management.Automation.PSCustomObject\r\n\"Source\",\"Destination\"\r\n"
                + "\"http://h/a\",\"" + tmp + "\"\r\n");
        assertEquals(List.of(new FileSpecs.Spec("http://h/a", tmp.resolve("a").toString())), FileSpecs.fromCsv(typed));
        Path utf16 = tmp.resolve("utf16.csv");
        Files.write(utf16, concat(new byte[]{(byte) 0xFF, (byte) 0xFE},
                ("Source,Destination\r\nhttp://h/b," + tmp + "\r\n").getBytes(StandardCharsets.UTF_16LE)));
        assertEquals(List.of(new FileSpecs.Spec("http://h/b", tmp.resolve("b").toString())), FileSpecs.fromCsv(utf16));
    }

    @Test
    void aQuotedCsvFieldMayHoldALineBreakAndLineNumbersNameTheRow() throws Exception {
        Path csv = tmp.resolve("f.csv");
        Files.writeString(csv, "Source,Destination,Note\nhttp://h/a," + tmp + ",\"two\nlines\"\n\nhttp://h/b,/no/such/dir/b,x\n");
        BitsException e = assertThrows(BitsException.class, () -> FileSpecs.fromCsv(csv));
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, e.hresult());
        assertTrue(e.detail().contains("line 5"), e.detail());
    }

    @Test
    void csvProblemsAreNamed() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.csv"), "");
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.fromCsv(empty)));
        Path header = Files.writeString(tmp.resolve("header.csv"), "Source,Destination\r\n");
        assertEquals(HResult.BG_E_EMPTY, code(() -> FileSpecs.fromCsv(header)));
        Path semi = Files.writeString(tmp.resolve("semi.csv"), "Source;Destination\nhttp://h/a;" + tmp + "\n");
        BitsException e = assertThrows(BitsException.class, () -> FileSpecs.fromCsv(semi));
        assertTrue(e.detail().contains("';'"), e.detail());
        Path latin1 = tmp.resolve("latin1.csv");
        Files.write(latin1, ("Source,Destination\nhttp://h/caf\u00e9," + tmp + "\n").getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.fromCsv(latin1)));
        Path blank = Files.writeString(tmp.resolve("blank.csv"), "Source,Destination\nhttp://h/a,\n");
        assertTrue(assertThrows(BitsException.class, () -> FileSpecs.fromCsv(blank)).detail().contains("Destination is empty"));
        assertEquals(HResult.ERROR_FILE_NOT_FOUND, code(() -> FileSpecs.fromCsv(tmp.resolve("missing.csv"))));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.fromCsv(tmp)));
    }

    @Test
    void twoFilesLandingOnOneLocalNameAreRefused() throws Exception {
        Files.writeString(tmp.resolve("a.bin"), "local");
        Path dest = Files.createDirectory(tmp.resolve("dest"));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of("http://h/a.bin", "http://other/x/a.bin"), dest.toString())));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of("http://h/a.bin", tmp.resolve("a.bin").toString()), dest.toString())));
        Path link = Files.createSymbolicLink(tmp.resolve("alias"), dest);
        Path csv = Files.writeString(tmp.resolve("dup.csv"), "Source,Destination\nhttp://h/1," + dest.resolve("x")
                + "\nhttp://h/2," + link.resolve("x") + "\n");
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.fromCsv(csv)), "a symbolic link does not hide the clash");
    }

    @Test
    void directoriesDevicesAndTheFileItselfAreRefusedAsSourceOrDestination() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.expandSource(dir.toString())));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.expandSource(dir + "/")));
        Path f = Files.writeString(tmp.resolve("f"), "x");
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of(f.toString()), tmp.toString())), "onto itself");
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of(f.toString()), f.toString())), "onto itself");
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.destination(fifo.toString())));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.expandSource(fifo.toString())));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.expandSource("")));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.destination("")));
    }

    @Test
    void aUrlGivenAsTheDestinationOfADownloadIsNamedAsTheWrongOrder() {
        BitsException e = assertThrows(BitsException.class, () -> FileSpecs.pair(List.of(tmp.toString()), "http://h/a"));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        assertTrue(e.detail().contains("is a URL"), e.detail());
    }

    @Test
    void anUploadPairsItsOneLocalFileWithTheUrl() throws Exception {
        Path f = Files.writeString(tmp.resolve("up.txt"), "x");
        assertEquals(List.of(new FileSpecs.Spec("http://h/upload/up.txt", f.toString())),
                FileSpecs.pairUpload(List.of(f.toString()), "http://h/upload/up.txt"));
        assertEquals(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, code(() -> FileSpecs.pairUpload(List.of(f.toString()), tmp.toString())));
        assertEquals(HResult.BG_E_TOO_MANY_FILES, code(() -> FileSpecs.pairUpload(List.of(f.toString(), f.toString()), "http://h/u")));
    }

    @Test
    void aWildcardMatchesOnlyStarAndQuestionMarkAndSkipsDotFilesAsAShellDoes() throws Exception {
        Files.writeString(tmp.resolve("a.log"), "a");
        Files.writeString(tmp.resolve(".hidden.log"), "h");
        Files.writeString(tmp.resolve("[x].log"), "x");
        assertEquals(List.of(tmp.resolve("[x].log").toString(), tmp.resolve("a.log").toString()),
                FileSpecs.expandSource(tmp.resolve("*.log").toString()));
        assertEquals(List.of(tmp.resolve(".hidden.log").toString()), FileSpecs.expandSource(tmp.resolve(".*.log").toString()));
        assertEquals(List.of(tmp.resolve("[x].log").toString()), FileSpecs.expandSource(tmp.resolve("[?].log").toString()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aFileNameLongerThanTheFileSystemAllowsIsRefusedBeforeTheJobIsMade() {
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of("http://h/a"), tmp.resolve("a".repeat(256)).toString())));
        assertEquals(HResult.E_INVALIDARG, code(() -> FileSpecs.pair(List.of("http://h/" + "\u00e9".repeat(128)), tmp.toString())),
                "255 bytes, not characters");
        assertEquals(tmp.resolve("a".repeat(255)).toString(),
                FileSpecs.pair(List.of("http://h/a"), tmp.resolve("a".repeat(255)).toString()).get(0).local());
    }

    @Test
    void aQuotedTildeIsNamedAsTheReasonADestinationIsRelative() {
        BitsException e = assertThrows(BitsException.class, () -> FileSpecs.destination("~/downloads/f"));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        assertTrue(e.detail().contains("expands ~ only when it is not quoted"), e.detail());
    }
}
