package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbits.BitsException;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;

/** smb:// URLs become the UNC names Windows' BITS takes; what a UNC name cannot say is refused. */
class UncNamesTest {

    @Test
    void smbUrlsBecomeUncNamesDecoded() {
        assertEquals("\\\\fileserver\\share\\dir\\a file.bin", UncNames.forBits("smb://fileserver/share/dir/a%20file.bin"));
        assertEquals("\\\\10.0.0.5\\data\\x.iso", UncNames.forBits("SMB://10.0.0.5:445/data/x.iso"));
        assertEquals("\\\\h\\s\\caf\u00e9.txt", UncNames.forBits("smb://h/s/caf%C3%A9.txt"));
        assertEquals("\\\\fe80--1s4.ipv6-literal.net\\s\\f", UncNames.forBits("smb://[fe80::1%254]/s/f"));
    }

    @Test
    void otherNamesGoToBitsAsTheyAre() {
        for (String s : new String[] {"http://h/x", "https://h/a%20b", "\\\\h\\s\\f", "C:\\x.txt", "file:///tmp/x"}) {
            assertEquals(s, UncNames.forBits(s));
        }
        assertEquals(null, UncNames.forBits(null));
    }

    @Test
    void whatAUncNameCannotSayIsRefusedWithoutRepeatingSecrets() {
        String[] bad = {
            "smb://h:1445/s/f", "smb://user:s3cret@h/s/f", "smb://h/s/f?x=1", "smb://h/s/f#frag",
            "smb://h/share", "smb://h/share/", "smb://h/", "smb:///s/f", "smb://h/s/dir/", "smb://h/s/a%5Cb",
            "smb://h/s/a b"
        };
        for (String s : bad) {
            BitsException e = assertThrows(BitsException.class, () -> UncNames.forBits(s), s);
            assertEquals(HResult.E_INVALIDARG, e.hresult(), s);
            assertFalse(e.getMessage().contains("s3cret") || e.getMessage().contains("user:"), e.getMessage());
            assertTrue(e.getMessage().contains("the SMB name"), e.getMessage());
        }
    }
}
