package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void relativeAndMissingDestinationsAreRefused() {
        assertEquals(HResult.E_INVALIDARG, assertThrows(BitsException.class,
                () -> FileSpecs.destination("rel/f")).hresult());
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
}
