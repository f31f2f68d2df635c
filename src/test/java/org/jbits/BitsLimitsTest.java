package org.jbits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The cost-flags check both backends apply before a mask reaches the job (reference §5.2). */
class BitsLimitsTest {

    @Test
    void everyNamedPolicyAndEveryMaskOfDefinedBitsPasses() {
        for (TransferPolicy p : TransferPolicy.values()) {
            assertEquals(p.flags(), BitsLimits.checkCostFlags(p.flags()), p.toString());
        }
        int allCostStates = 0;
        for (CostState s : CostState.values()) {
            allCostStates |= s.bit();
        }
        assertEquals(BitsLimits.COST_FLAGS_DEFINED, allCostStates | BitsLimits.COST_OPTION_IGNORE_CONGESTION,
                "the defined bits are the cost states and IGNORE_CONGESTION");
        assertEquals(0x21, BitsLimits.checkCostFlags(0x21), "a custom mask without IGNORE_CONGESTION");
        assertEquals(0, BitsLimits.checkCostFlags(0), "no network at all is still a mask BITS keeps");
    }

    @Test
    void aBitBitsDoesNotDefineFailsWithE_INVALIDARGNamingIt() {
        BitsException reserved = assertThrows(BitsException.class, () -> BitsLimits.checkCostFlags(0xC00000FF));
        assertEquals(HResult.E_INVALIDARG, reserved.hresult());
        assertTrue(reserved.getMessage().contains("0x40000000"), reserved.getMessage());
        BitsException low = assertThrows(BitsException.class, () -> BitsLimits.checkCostFlags(0x101));
        assertTrue(low.getMessage().contains("0x00000100"), low.getMessage());
    }
}
