package org.jbits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** BitsLimits.checkText: a text with one meaning everywhere (no NUL, no lone surrogate). */
class BitsLimitsTextTest {
    @Test
    void ordinaryTextControlsAndSurrogatePairsPass() {
        for (String ok : new String[]{"", "nightly", "tab\tnew\nline\u001b[31m", "\ud83d\ude00 naïve", "\uffff"}) {
            assertEquals(ok, BitsLimits.checkText("display name", ok));
        }
        assertNull(BitsLimits.checkText("display name", null));
    }

    @Test
    void nulAndLoneSurrogatesAreRefusedNamingTheText() {
        for (String bad : new String[]{"a\u0000b", "\ud800", "x\udc00", "\ud83d\ud83d", "end\ud83d"}) {
            BitsException e = assertThrows(BitsException.class, () -> BitsLimits.checkText("display name", bad));
            assertEquals(HResult.E_INVALIDARG, e.hresult());
            assertTrue(e.detail().startsWith("the display name contains"), e.detail());
        }
    }
}
