package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jbits.AuthScheme;
import org.jbits.AuthTarget;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobState;
import org.jbits.SecurityFlags;
import org.jbits.testing.Await;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Credentials, custom headers, security flags and client certificates (reference §1.4: Job2::SetCredentials,
 * IBackgroundCopyJobHttpOptions, HttpOptions3), the same cases on every backend: the portable engine and Windows'
 * own BITS (under Wine where there is no Windows).
 */
class HttpOptionsConformanceTest extends ConformanceTestBase {

    private void assertTransferredWith(BitsJob job, String name) throws Exception {
        job.resume();
        assertEquals(JobState.TRANSFERRED, awaitState(job, JobState.TRANSFERRED, JobState.ERROR), () -> Await.describe(job));
        job.complete();
        assertArrayEquals(ConformanceServer.content(name, SMALL), Files.readAllBytes(Path.of(local(name))), name);
    }

    private void assertFailsWith(BitsJob job, String code) {
        job.resume();
        assertEquals(JobState.ERROR, awaitState(job, JobState.ERROR, JobState.TRANSFERRED), () -> Await.describe(job));
        JobError e = job.error().orElseThrow();
        assertEquals(code, e.errorName(), () -> Await.describe(job));
        assertEquals(ErrorContext.REMOTE_FILE, e.context(), "the error context");
    }

    @Test
    @DisplayName("server-basic-credentials-answer-the-401")
    void basicCredentialsAnswerTheChallenge() throws Exception {
        BitsJob without = download("no-credentials");
        without.addFile(server.basicUrl("none.bin", SMALL), local("none.bin"));
        assertFailsWith(without, "BG_E_HTTP_ERROR_401");

        BitsJob with = download("credentials");
        with.addFile(server.basicUrl("basic.bin", SMALL), local("basic.bin"));
        with.setCredentials(AuthTarget.SERVER, AuthScheme.BASIC, ConformanceServer.BASIC_USER,
                ConformanceServer.BASIC_PASSWORD);
        assertTransferredWith(with, "basic.bin");
    }

    @Test
    @DisplayName("wrong-or-removed-credentials-fail-BG_E_HTTP_ERROR_401")
    void wrongAndRemovedCredentialsFail() {
        BitsJob wrong = download("wrong-credentials");
        wrong.addFile(server.basicUrl("wrong.bin", SMALL), local("wrong.bin"));
        wrong.setCredentials(AuthTarget.SERVER, AuthScheme.BASIC, ConformanceServer.BASIC_USER, "not-the-password");
        assertFailsWith(wrong, "BG_E_HTTP_ERROR_401");

        BitsJob removed = download("removed-credentials");
        removed.addFile(server.basicUrl("removed.bin", SMALL), local("removed.bin"));
        removed.setCredentials(AuthTarget.SERVER, AuthScheme.BASIC, ConformanceServer.BASIC_USER,
                ConformanceServer.BASIC_PASSWORD);
        removed.removeCredentials(AuthTarget.SERVER, AuthScheme.BASIC);
        removed.removeCredentials(AuthTarget.PROXY, AuthScheme.NTLM);
        assertFailsWith(removed, "BG_E_HTTP_ERROR_401");
    }

    @Test
    @DisplayName("set-credentials-over-limits-fails-BG_E_USERNAME_TOO_LARGE-BG_E_PASSWORD_TOO_LARGE")
    void credentialLimits() {
        BitsJob job = download("credential-limits");
        assertBitsError(HResult.BG_E_USERNAME_TOO_LARGE, () -> job.setCredentials(AuthTarget.SERVER, AuthScheme.BASIC,
                "u".repeat(514), "p"), "SetCredentials with a 514-character user name");
        assertBitsError(HResult.BG_E_PASSWORD_TOO_LARGE, () -> job.setCredentials(AuthTarget.SERVER, AuthScheme.BASIC,
                "u", "p".repeat(257)), "SetCredentials with a 257-character password");
        assertBitsError(HResult.BG_E_INVALID_AUTH_TARGET, () -> job.setCredentials(null, AuthScheme.BASIC, "u", "p"),
                "SetCredentials without a target");
    }

    @Test
    @DisplayName("custom-headers-sent-read-back-and-removed")
    @WineDeviation("a 403 from the server completes Wine's download as Transferred with 0 bytes: its qmgr does not fail"
            + " a file on an HTTP error status (seen in CI: the job without the header ended TRANSFERRED, 0/-1 bytes)")
    void customHeaders() throws Exception {
        BitsJob without = download("no-header");
        without.addFile(server.headerUrl("none.bin", SMALL), local("none.bin"));
        assertFailsWith(without, "BG_E_HTTP_ERROR_403");

        BitsJob job = download("header");
        assertNull(job.customHeaders(), "a new job has no custom headers (S_FALSE)");
        job.setCustomHeaders(ConformanceServer.HEADER + "\r\nX-Second: 2\r\n");
        assertEquals(ConformanceServer.HEADER + "\r\nX-Second: 2\r\n", job.customHeaders(), "GetCustomHeaders");
        job.addFile(server.headerUrl("header.bin", SMALL), local("header.bin"));
        assertTransferredWith(job, "header.bin");

        BitsJob removed = download("header-removed");
        removed.setCustomHeaders(ConformanceServer.HEADER + "\r\n");
        removed.setCustomHeaders(null);
        assertNull(removed.customHeaders(), "SetCustomHeaders(NULL) removes them");
    }

    @Test
    @DisplayName("custom-headers-over-16384-chars-fail-BG_E_STRING_TOO_LONG")
    void customHeadersLimit() {
        BitsJob job = download("header-limit");
        String line = "X-Long: " + "v".repeat(16_384 - 8 - 2 - 1) + "\r\n";
        assertEquals(16_383, line.length());
        job.setCustomHeaders(line);
        assertBitsError(HResult.BG_E_STRING_TOO_LONG, () -> job.setCustomHeaders("X-Long: " + "v".repeat(16_400) + "\r\n"),
                "SetCustomHeaders with 16,410 characters");
        assertEquals(line, job.customHeaders(), "the refused headers changed nothing");
    }

    @Test
    @DisplayName("write-only-custom-headers-read-back-E_ACCESSDENIED")
    void writeOnlyHeaders() throws Exception {
        requires(Capability.WRITE_ONLY_HEADERS);
        BitsJob job = download("write-only");
        job.setCustomHeaders(ConformanceServer.HEADER + "\r\n");
        job.makeCustomHeadersWriteOnly();
        assertBitsError(HResult.E_ACCESSDENIED, job::customHeaders, "GetCustomHeaders after MakeCustomHeadersWriteOnly");
        job.addFile(server.headerUrl("write-only.bin", SMALL), local("write-only.bin"));
        assertTransferredWith(job, "write-only.bin");
    }

    @Test
    @DisplayName("security-flags-default-0-read-back-and-undefined-bits-E_INVALIDARG")
    void securityFlags() {
        BitsJob job = download("security-flags");
        assertEquals(0, job.securityFlags(), "GetSecurityFlags of a new job");
        int flags = SecurityFlags.IGNORE_UNKNOWN_CA | SecurityFlags.IGNORE_CERT_DATE_INVALID
                | SecurityFlags.REDIRECT_POLICY_DISALLOW;
        job.setSecurityFlags(flags);
        assertEquals(flags, job.securityFlags(), "GetSecurityFlags after SetSecurityFlags");
        assertBitsError(HResult.E_INVALIDARG, () -> job.setSecurityFlags(0x10000), "SetSecurityFlags(0x10000)");
        assertEquals(flags, job.securityFlags(), "the refused flags changed nothing");
    }

    @Test
    @DisplayName("remove-client-certificate-without-one-is-S_OK")
    void removeClientCertificateWithoutOne() {
        requires(Capability.CLIENT_CERTIFICATE);
        BitsJob job = download("no-client-certificate");
        job.removeClientCertificate();
        assertNull(job.clientCertificateSubject(), "a job without a client certificate has no subject");
    }
}
