package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HttpTransport's header parsing and its mapping of HTTP statuses to BITS errors. */
class HttpTransportTest {
    private static final URI SOURCE = URI.create("http://example.test/file.bin");

    private static Response response(int code, String... headers) {
        Response.Builder b = new Response.Builder().request(new Request.Builder().url(SOURCE.toString()).build())
                .protocol(Protocol.HTTP_1_1).code(code).message("status " + code);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.addHeader(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    @Test
    void parsesContentRange() {
        assertArrayEquals(new long[]{0, 99, 100}, HttpTransport.parseContentRange("bytes 0-99/100"));
        assertArrayEquals(new long[]{1048576, 4194303, 4194304},
                HttpTransport.parseContentRange(" bytes 1048576-4194303/4194304 "));
        assertArrayEquals(new long[]{100, 199, -1}, HttpTransport.parseContentRange("bytes 100-199/*"));
    }

    @Test
    void rejectsContentRangeItCannotUse() {
        assertNull(HttpTransport.parseContentRange(null));
        assertNull(HttpTransport.parseContentRange("bytes */100"), "the form of a 416, not of a 206");
        assertNull(HttpTransport.parseContentRange("items 0-9/10"));
        assertNull(HttpTransport.parseContentRange("bytes 0-99"));
    }

    @Test
    void parsesRetryAfterSeconds() {
        assertEquals(Duration.ofSeconds(7), HttpTransport.parseRetryAfter("7"));
        assertEquals(Duration.ofSeconds(120), HttpTransport.parseRetryAfter(" 120 "));
        assertEquals(Duration.ZERO, HttpTransport.parseRetryAfter("-5"));
    }

    @Test
    void parsesRetryAfterDates() {
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        Duration d = HttpTransport.parseRetryAfter(inAMinute);
        assertTrue(d.toSeconds() >= 55 && d.toSeconds() <= 60, d.toString());
        assertEquals(Duration.ZERO, HttpTransport.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), "a past date: now");
    }

    @Test
    void ignoresRetryAfterItCannotRead() {
        assertNull(HttpTransport.parseRetryAfter(null));
        assertNull(HttpTransport.parseRetryAfter(" "));
        assertNull(HttpTransport.parseRetryAfter("soon"));
    }

    @Test
    void prefersAStrongEtagAsValidator() {
        assertEquals("\"abc\"", HttpTransport.validatorOf(response(200, "ETag", "\"abc\"",
                "Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")));
    }

    @Test
    void fallsBackToLastModifiedForWeakOrMissingEtags() {
        String lm = "Wed, 21 Oct 2015 07:28:00 GMT";
        assertEquals(lm, HttpTransport.validatorOf(response(200, "ETag", "W/\"abc\"", "Last-Modified", lm)),
                "a weak ETag may not be used with If-Range");
        assertEquals(lm, HttpTransport.validatorOf(response(200, "Last-Modified", lm)));
        assertNull(HttpTransport.validatorOf(response(200)));
    }

    @Test
    void notFoundIsFatalOnTheRemoteFile() {
        TransferException e = HttpTransport.statusError(response(404), SOURCE);
        assertFalse(e.isTransient());
        assertEquals(0x80190194, e.hresult());
        assertEquals("BG_E_HTTP_ERROR_404", HResult.name(e.hresult()));
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
        assertTrue(e.getMessage().contains(SOURCE.toString()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 405, 410, 416})
    void clientErrorsAreFatal(int code) {
        TransferException e = HttpTransport.statusError(response(code, "Retry-After", "7"), SOURCE);
        assertFalse(e.isTransient(), code + " is fatal");
        assertEquals(HResult.ofHttpStatus(code), e.hresult());
        assertNull(e.retryAfter(), "a fatal error is not retried, whatever Retry-After says");
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void serverErrorsTimeoutsAndThrottlingAreTransient(int code) {
        TransferException e = HttpTransport.statusError(response(code, "Retry-After", "7"), SOURCE);
        assertTrue(e.isTransient(), code + " is retried");
        assertEquals(HResult.ofHttpStatus(code), e.hresult());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
        assertEquals(Duration.ofSeconds(7), e.retryAfter());
    }

    /** What each network failure becomes: BITS' code, in GeneralTransport, transient unless retrying cannot help. */
    @Test
    void networkFailuresMapToBitsErrors() {
        record Case(IOException failure, int hresult, boolean transientError) {
        }
        List<Case> cases = List.of(
                new Case(new UnknownHostException("example.test"), HResult.ERROR_WINHTTP_NAME_NOT_RESOLVED, true),
                new Case(new ConnectException("Connection refused"), HResult.BG_E_CONNECT_FAILURE, true),
                new Case(new NoRouteToHostException("No route to host"), HResult.BG_E_CONNECT_FAILURE, true),
                new Case(new SocketTimeoutException("Read timed out"), HResult.ERROR_WINHTTP_TIMEOUT, true),
                new Case(new SocketException("Connection reset"), HResult.BG_E_CONNECTION_CLOSED, true),
                new Case(new EOFException("\\n not found: limit=0"), HResult.BG_E_CONNECTION_CLOSED, true),
                new Case(new SSLHandshakeException("PKIX path building failed"), HResult.ERROR_WINHTTP_SECURE_FAILURE, false));
        for (Case c : cases) {
            TransferException e = HttpTransport.networkError(c.failure(), SOURCE);
            String what = c.failure().toString();
            assertEquals(HResult.name(c.hresult()), HResult.name(e.hresult()), what);
            assertEquals(ErrorContext.GENERAL_TRANSPORT, e.context(), what);
            assertEquals(c.transientError(), e.isTransient(), what);
            assertTrue(e.getMessage().contains("example.test"), "names the server: " + e.getMessage());
            assertSame(c.failure(), e.getCause(), what);
        }
    }
}
