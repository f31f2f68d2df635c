package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;

/** How SMB remote names are read at AddFile: smb:// URLs, the two UNC spellings, what is refused and with which code. */
class SmbNamesTest {
    private final Transports transports = new Transports(List.of(new SmbTransport(1000, 1000), new FileTransport()));

    private static int code(Runnable r) {
        return assertThrows(BitsException.class, r::run).hresult();
    }

    @Test
    void backslashUncNameBecomesAnSmbUrlWithItsCharactersTakenLiterally() {
        URI uri = transports.parse("\\\\fileserver\\Public Share\\dir\\a b ü %41.iso");
        assertEquals("smb", uri.getScheme());
        assertEquals("fileserver", uri.getHost());
        assertEquals(-1, uri.getPort());
        assertEquals("/Public Share/dir/a b ü %41.iso", uri.getPath(), "no escape processing: %41 stays %41");
        SmbNames.Location loc = SmbNames.Location.of(uri);
        assertEquals("Public Share", loc.share());
        assertEquals("dir/a b ü %41.iso", loc.path());
        assertEquals("a b ü %41.iso", loc.name());
    }

    @Test
    void forwardSlashUncNameIsTheSame() {
        assertEquals(transports.parse("\\\\host\\share\\f.bin"), transports.parse("//host/share/f.bin"));
    }

    @Test
    void uncNameTakesAPortAfterAnAt() {
        URI uri = transports.parse("\\\\127.0.0.1@4450\\share\\f.bin");
        assertEquals("127.0.0.1", uri.getHost());
        assertEquals(4450, uri.getPort());
        assertEquals("\\\\127.0.0.1@4450\\share\\f.bin", SmbNames.Location.of(uri).unc());
    }

    @Test
    void threeSlashesAreALocalPathNotUnc() {
        assertFalse(SmbNames.isUnc("///tmp/x"));
        assertEquals("file", transports.parse("///tmp/x").getScheme());
        assertTrue(SmbNames.isUnc("//h/s/f"));
        assertFalse(SmbNames.isUnc("/tmp/x"));
    }

    @Test
    void smbUrlKeepsItsHostPortAndDecodedPath() {
        URI uri = transports.parse("smb://nas.example:1445/media/Movies/A%20B.mkv");
        SmbNames.Location loc = SmbNames.Location.of(uri);
        assertEquals("nas.example", loc.host());
        assertEquals(1445, loc.port());
        assertEquals("media", loc.share());
        assertEquals("Movies/A B.mkv", loc.path());
        assertEquals("Movies/", loc.directory());
    }

    @Test
    void aNameWithoutAFileIsRefusedAsInvalidArg() {
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("\\\\host\\share")));
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("\\\\host")));
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("smb://host/share/")));
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("smb://host/share/dir/")));
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("smb://host/")));
    }

    @Test
    void aWildcardIsRefusedInARemoteName() {
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("smb://host/share/*.bin")));
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("\\\\host\\share\\f?.bin")));
    }

    @Test
    void aQueryOrFragmentIsRefused() {
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("smb://host/share/f.bin?x=1")));
        assertEquals(HResult.E_INVALIDARG, code(() -> transports.parse("smb://host/share/f.bin#top")));
    }

    @Test
    void aBadHostOrPortIsAnInvalidUrl() {
        assertEquals(HResult.ERROR_WINHTTP_INVALID_URL, code(() -> transports.parse("smb:///share/f.bin")));
        assertEquals(HResult.ERROR_WINHTTP_INVALID_URL, code(() -> transports.parse("smb://host:70000/share/f.bin")));
    }

    @Test
    void aPasswordInTheUrlIsNeverInTheMessage() {
        BitsException e = assertThrows(BitsException.class,
                () -> transports.parse("smb://bob:Hunter2-Secret@host/share/*.bin"));
        assertFalse(e.getMessage().contains("Hunter2-Secret"), e.getMessage());
    }

    @Test
    void credentialsInTheUrlAreDecodedWithTheirDomain() {
        Credentials c = SmbNames.credentialsIn(URI.create("smb://CORP;alice:p%40ss%3Aword@host/share/f"));
        assertEquals("CORP\\alice", c.userName());
        assertEquals("p@ss:word", c.password());
        Credentials d = SmbNames.credentialsIn(URI.create("smb://CORP%5Cbob:x@host/share/f"));
        assertEquals("CORP\\bob", d.userName());
        assertEquals(List.of("CORP", "bob"), List.of(SmbNames.domainAndUser(d.userName())));
        assertNull(SmbNames.credentialsIn(URI.create("smb://host/share/f")));
        assertEquals(URI.create("smb://host/share/f"), SmbNames.withoutUserInfo(URI.create("smb://u:p@host/share/f")));
    }
}
