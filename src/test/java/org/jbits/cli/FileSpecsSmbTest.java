package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.testing.SambaServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's SMB sources against a real smbd: a wildcard in the last segment lists the share's directory. */
class FileSpecsSmbTest {
    private static SambaServer samba;

    @TempDir
    Path dest;

    @BeforeAll
    static void start() {
        samba = SambaServer.shared();
        for (String n : List.of("beta.bin", "Alpha.bin", "gamma.BIN", "alpha2.bin", "notes.txt")) {
            samba.put("share", "cli/" + n, new byte[]{1});
            samba.put("guest", "cli/" + n, new byte[]{1});
        }
        samba.put("share", "cli/folder.bin/inside.bin", new byte[]{1});
    }

    @Test
    void aWildcardInAnSmbUrlAddsOneFilePerMatchSortedAsNtfsListsThem() {
        String source = samba.userUrl("share", "cli/*.bin");
        List<FileSpecs.Spec> specs = FileSpecs.pair(List.of(source), dest.toString());
        String prefix = "smb://" + SambaServer.USER + ":" + SambaServer.PASSWORD + "@127.0.0.1:" + samba.port() + "/share/cli/";
        assertEquals(List.of(prefix + "Alpha.bin", prefix + "alpha2.bin", prefix + "beta.bin", prefix + "gamma.BIN"),
                specs.stream().map(FileSpecs.Spec::remote).toList(),
                "matched case-insensitively by the server, the directory left out, the URL's user info kept");
        assertEquals(dest.resolve("Alpha.bin").toString(), specs.get(0).local());
    }

    @Test
    void aWildcardInAUncNameGivesUncNames() {
        String source = "\\\\127.0.0.1@" + samba.port() + "\\guest\\cli\\a*.bin";
        List<FileSpecs.Spec> specs = FileSpecs.pair(List.of(source), dest.toString());
        assertEquals(List.of("\\\\127.0.0.1@" + samba.port() + "\\guest\\cli\\Alpha.bin",
                "\\\\127.0.0.1@" + samba.port() + "\\guest\\cli\\alpha2.bin"),
                specs.stream().map(FileSpecs.Spec::remote).toList());
        assertEquals(dest.resolve("alpha2.bin").toString(), specs.get(1).local());
    }

    @Test
    void aWildcardThatMatchesNothingIsAnErrorNamingTheCode() {
        BitsException e = assertThrows(BitsException.class,
                () -> FileSpecs.pair(List.of(samba.userUrl("share", "cli/*.iso")), dest.toString()));
        assertEquals(HResult.name(HResult.ERROR_FILE_NOT_FOUND), HResult.name(e.hresult()), e.getMessage());
        assertFalse(e.getMessage().contains(SambaServer.PASSWORD), e.getMessage());
    }

    @Test
    void aWildcardWithAWrongPasswordIsALogonFailure() {
        BitsException e = assertThrows(BitsException.class, () -> FileSpecs.pair(
                List.of(samba.urlWithCredentials("share", "cli/*.bin", SambaServer.USER, "Bad-Pw-9")), dest.toString()));
        assertEquals(HResult.name(HResult.ERROR_LOGON_FAILURE), HResult.name(e.hresult()), e.getMessage());
        assertFalse(e.getMessage().contains("Bad-Pw-9"), e.getMessage());
    }

    @Test
    void aWildcardBeforeTheLastSegmentIsRefused() {
        BitsException e = assertThrows(BitsException.class,
                () -> FileSpecs.pair(List.of(samba.userUrl("share", "c*/x.bin")), dest.toString()));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
    }

    @Test
    void anSmbSourceWithoutAWildcardPassesThroughAndNamesTheFile() {
        String unc = "\\\\fileserver\\share\\dir\\report 2026.pdf";
        List<FileSpecs.Spec> specs = FileSpecs.pair(List.of(unc), dest.toString());
        assertEquals(unc, specs.get(0).remote());
        assertEquals(dest.resolve("report 2026.pdf").toString(), specs.get(0).local());
        assertEquals("report 2026.pdf", FileSpecs.fileNameOf("//fileserver/share/dir/report 2026.pdf"));
    }
}
