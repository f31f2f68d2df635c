package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import okhttp3.Headers;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;

/** The upload client's parts alone: reading acks, sizing fragments, applying a BITS-Host-Id. */
class BitsProtocolPartsTest {
    @Test
    void theReceivedRangeIsReadInEveryFormServersWriteIt() {
        assertEquals(1234, BitsAck.offset("1234"));
        assertEquals(1234, BitsAck.offset(" 1234 "));
        assertEquals(1234, BitsAck.offset("0-1233"));
        assertEquals(1234, BitsAck.offset("bytes 0-1233/5000"));
        assertEquals(1234, BitsAck.offset("bytes=1234"));
        assertEquals(0, BitsAck.offset("0"));
        assertEquals(-1, BitsAck.offset(null));
        assertEquals(-1, BitsAck.offset("soon"));
        assertEquals(-1, BitsAck.offset("-5"));
        assertEquals(-1, BitsAck.offset("7-9"), "a range not from 0 says nothing about what is held");
    }

    @Test
    void errorCodesAreHexWithOrWithout0xOrDecimal() {
        assertEquals(0x8020001FL, BitsAck.number("0x8020001F"));
        assertEquals(0x8020001FL, BitsAck.number("0X8020001f"));
        assertEquals(0x8020001FL, BitsAck.number("8020001F"));
        assertEquals(0x80070005L, BitsAck.number("80070005"), "eight digits are an HRESULT without 0x");
        assertEquals(-2145386465L, BitsAck.number("-2145386465"));
        assertEquals(5, BitsAck.number("5"));
        assertEquals(0, BitsAck.number("oops"));
        assertEquals(0, BitsAck.number(null));
    }

    @Test
    void anAckIsReadWhateverTheCaseOfItsNamesAndBothErrorSpellingsCount() {
        BitsAck legacy = BitsAck.of(500, Headers.of("bits-packet-type", "ACK", "bits-error", "0x8020001f",
                "bits-error-context", "7", "retry-after", "30"));
        assertTrue(legacy.isAck());
        assertTrue(legacy.sessionNotFound());
        assertEquals(ErrorContext.REMOTE_APPLICATION, legacy.errorContext());
        assertEquals(Duration.ofSeconds(30), legacy.retryAfter());
        BitsAck both = BitsAck.of(403, Headers.of("BITS-Error-Code", "0x80070005", "BITS-Error", "0x8020001F"));
        assertEquals(HResult.E_ACCESSDENIED, both.hresult(), "BITS-Error-Code wins");
        assertEquals(ErrorContext.REMOTE_FILE, both.errorContext());
        BitsAck bare = BitsAck.of(404, Headers.of());
        assertEquals(HResult.ofHttpStatus(404), bare.hresult());
        BitsAck created = BitsAck.of(201, Headers.of("BITS-Session-Id", " {abc} ", "BITS-Host-Id-Fallback-Timeout",
                "4294967295"));
        assertTrue(created.ok());
        assertEquals("{abc}", created.sessionId());
        assertNull(created.hostFallback(), "0xFFFFFFFF is INFINITE");
        assertFalse(BitsAck.of(200, Headers.of("BITS-Packet-Type", "Fragment")).isAck());
    }

    @Test
    void fragmentsGrowWithTheRateWithinTheirBoundsAndShrinkOn413() {
        FragmentSizer s = new FragmentSizer();
        assertEquals(FragmentSizer.INITIAL, s.next(Long.MAX_VALUE));
        assertEquals(100, s.next(100), "never more than what is left");
        s.acknowledged(FragmentSizer.INITIAL, 1_000_000);          // 1 MiB in 1 ms: a fast link
        assertEquals(16L * FragmentSizer.INITIAL, s.current(), "at most sixteenfold per fragment, past Windows' 13 MB "
                + "where two seconds carry more");
        s.acknowledged(16 << 20, 1_000_000);
        assertEquals(256 << 20, s.current());
        s.acknowledged(256 << 20, 100_000_000);                    // 256 MiB in 0.1 s
        assertEquals(FragmentSizer.MAX, s.current(), "at most 1 GiB");
        assertEquals(1 << 30, FragmentSizer.MAX);
        s.acknowledged(1 << 30, 1_000_000_000L);                   // 1 GiB/s: two seconds would be 2 GiB
        assertEquals(FragmentSizer.MAX, s.current());
        s.acknowledged(64 << 20, 1_000_000_000L);                  // 64 MiB/s: two seconds carry 128 MiB
        assertEquals(128 << 20, s.current(), "the rate shrinks it at once");
        s.acknowledged(FragmentSizer.WINDOWS_MAX, 60_000_000_000L); // 12 MiB in a minute: 200 KiB/s
        assertEquals(0, s.current() % FragmentSizer.ALIGN);
        assertTrue(s.current() <= 420 << 10 && s.current() >= 320 << 10, "about two seconds' worth: " + s.current());
        s.acknowledged(FragmentSizer.MIN, 1);
        assertTrue(s.current() > FragmentSizer.MIN, "a probe's ack does not size anything");
        s.acknowledged(1 << 20, 1_000_000_000_000L);
        assertEquals(FragmentSizer.FLOOR, s.current(), "a crawling link still sends 64 KiB");
        assertTrue(s.tooLarge(FragmentSizer.FLOOR));
        assertEquals(32 << 10, s.current());
        while (s.tooLarge(s.current())) {
            assertTrue(s.current() >= FragmentSizer.MIN);
        }
        assertEquals(FragmentSizer.MIN, s.current());
        assertFalse(s.tooLarge(FragmentSizer.MIN), "nothing below 5 KiB");
    }

    @Test
    void aServerThatRefusesMoreThanWindowsSendsGetsWindowsSize() {
        FragmentSizer refused = grown();
        assertTrue(refused.tooLarge(FragmentSizer.MAX));
        assertEquals(FragmentSizer.WINDOWS_MAX, refused.current(), "a 413 beyond Windows' size: Windows' size");
        FragmentSizer closed = grown();
        assertFalse(closed.connectionFailed(FragmentSizer.WINDOWS_MAX), "within Windows' size a reset is a reset");
        assertTrue(closed.connectionFailed(FragmentSizer.MAX));
        assertEquals(FragmentSizer.WINDOWS_MAX, closed.current());
        assertFalse(closed.connectionFailed(FragmentSizer.MAX), "once");
    }

    private static FragmentSizer grown() {
        FragmentSizer s = new FragmentSizer();
        for (int i = 0; i < 3; i++) {
            s.acknowledged(s.current(), 1_000_000);
        }
        assertEquals(FragmentSizer.MAX, s.current());
        return s;
    }

    @Test
    void aHostIdReplacesTheServerPartOfTheUrl() throws Exception {
        URI u = URI.create("https://origin.example:8443/up/load%20me.bin?x=1");
        assertEquals(URI.create("https://node7:8443/up/load%20me.bin?x=1"), HostIds.apply(u, "node7"));
        assertEquals(URI.create("https://10.0.0.7:9000/up/load%20me.bin?x=1"), HostIds.apply(u, "10.0.0.7:9000"));
        assertEquals(URI.create("https://[fe80::1]:8443/up/load%20me.bin?x=1"), HostIds.apply(u, "fe80::1"));
        assertEquals(URI.create("https://[fe80::1]:1/up/load%20me.bin?x=1"), HostIds.apply(u, "[fe80::1]:1"));
        assertEquals(u, HostIds.apply(u, null));
        for (String bad : new String[]{"node7:0", "node7:x", "evil.example/path", "a b", "[fe80::1", "", "-x"}) {
            TransferException e = assertThrows(TransferException.class, () -> HostIds.check(bad), bad);
            assertEquals(HResult.BG_E_INVALID_SERVER_RESPONSE, e.hresult());
        }
    }
}
