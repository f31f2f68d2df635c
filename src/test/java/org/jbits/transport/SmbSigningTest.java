package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Properties;
import jcifs.CIFSContext;
import jcifs.config.PropertyConfiguration;
import jcifs.context.BaseContext;
import jcifs.smb.JbitsBulkIo;
import jcifs.smb.NtlmPasswordAuthenticator;
import jcifs.smb.SmbFile;
import org.jbits.testing.SambaServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;

/**
 * The SMB data path's signing against real smbds: unsigned bulk requests where the server does not require signing
 * (the shared test server, Samba's default), signed ones where it does ({@code server signing = mandatory}, which
 * drops an unsigned request, so a download or write that failed to sign would fail here), and a client configured to
 * require signing signs whatever the server says. Unsigned, the data goes in multi-credit requests of 1 MiB on jbits'
 * connections; signed, and on a plain jcifs-ng connection, in requests of a credit's worth (64 KiB).
 */
class SmbSigningTest {
    private static TransferContext user() {
        return TransferContext.builder()
                .serverCredentials(new Credentials(Credentials.Scheme.NTLM, SambaServer.USER, SambaServer.PASSWORD))
                .build();
    }

    static CIFSContext context(boolean enforce) throws Exception {
        return context(enforce, true);
    }

    /** A context on jbits' configuration; its connections take multi-credit requests when {@code multiCredit}. */
    static CIFSContext context(boolean enforce, boolean multiCredit) throws Exception {
        Properties p = new Properties();
        p.setProperty("jcifs.smb.client.minVersion", "SMB202");
        p.setProperty("jcifs.smb.client.maxVersion", "SMB311");
        p.setProperty("jcifs.smb.client.useSMB2Negotiation", "true");
        p.setProperty("jcifs.resolveOrder", "DNS");
        p.setProperty("jcifs.smb.client.signingEnforced", Boolean.toString(enforce));
        SmbTransport.BulkConfiguration config = new SmbTransport.BulkConfiguration(new PropertyConfiguration(p));
        return (multiCredit ? JbitsBulkIo.context(config) : new BaseContext(config))
                .withCredentials(new NtlmPasswordAuthenticator("", SambaServer.USER, SambaServer.PASSWORD));
    }

    /** Writes {@code content} through the bulk path and reads it back through it; whether the requests were signed. */
    private static boolean roundTrip(SambaServer samba, String name, byte[] content, boolean enforce)
            throws Exception {
        return roundTrip(samba, name, content, enforce, true);
    }

    private static boolean roundTrip(SambaServer samba, String name, byte[] content, boolean enforce,
            boolean multiCredit) throws Exception {
        CIFSContext cifs = context(enforce, multiCredit);
        String url = "smb://127.0.0.1:" + samba.port() + "/share/" + name;
        boolean signedWrite;
        try (SmbFile f = new SmbFile(url, cifs); JbitsBulkIo out = JbitsBulkIo.openForWriting(f, 0)) {
            signedWrite = out.signed();
            out.write(0, content, 0, content.length);
            assertEquals(multiCredit && !signedWrite ? JbitsBulkIo.MAX_IO : JbitsBulkIo.MAX_SINGLE_WRITE,
                    out.maxWrite(), "Samba takes unsigned 1 MiB writes from a client that charges for them");
        }
        assertArrayEquals(content, Files.readAllBytes(samba.dir("share").resolve(name)));
        byte[] back = new byte[content.length];
        try (SmbFile f = new SmbFile(url, cifs); JbitsBulkIo in = JbitsBulkIo.openForReading(f)) {
            assertEquals(signedWrite, in.signed());
            int io = multiCredit && !signedWrite ? JbitsBulkIo.MAX_IO : JbitsBulkIo.CREDIT_BYTES;
            int got = 0;
            while (got < back.length) {
                int n = in.read(got, back, got, Math.min(io, back.length - got));
                assertTrue(n > 0, "read " + n + " at " + got);
                got += n;
            }
            assertEquals(-1, in.read(back.length, new byte[16], 0, 16));
            assertEquals(io, in.maxRead(), "Samba takes unsigned 1 MiB reads from a client that charges for them");
        }
        assertArrayEquals(content, back);
        return signedWrite;
    }

    @Test
    void sendsTheDataUnsignedWhereTheServerDoesNotRequireSigning() throws Exception {
        byte[] content = TestData.random(3 * JbitsBulkIo.MAX_IO + 1234, 41);
        assertFalse(roundTrip(SambaServer.shared(), "bulk-unsigned.bin", content, false));
    }

    @Test
    void aConnectionWithoutMultiCreditRequestsMovesTheDataInRequestsOf64KiB() throws Exception {
        byte[] content = TestData.random(3 * JbitsBulkIo.CREDIT_BYTES + 1234, 45);
        assertFalse(roundTrip(SambaServer.shared(), "bulk-single-credit.bin", content, false, false));
    }

    @Test
    void aServerThatRefusesLargeRequestsGetsRequestsOf64KiB() throws Exception {
        // smbd with "smb2 max read/write = 65536" still offers LARGE_MTU and answers a 1 MiB request with
        // STATUS_INVALID_PARAMETER: the handle goes on with a credit's worth per request, and nothing is lost.
        SambaServer samba = SambaServer.smallRequests();
        byte[] content = TestData.random(3 * JbitsBulkIo.MAX_IO + 1234, 46);
        CIFSContext cifs = context(false, true);
        String url = "smb://127.0.0.1:" + samba.port() + "/share/bulk-small.bin";
        try (SmbFile f = new SmbFile(url, cifs); JbitsBulkIo out = JbitsBulkIo.openForWriting(f, 0)) {
            assertEquals(JbitsBulkIo.MAX_IO, out.maxWrite(), "asked for 1 MiB first");
            out.write(0, content, 0, content.length);
            assertEquals(JbitsBulkIo.MAX_SINGLE_WRITE, out.maxWrite(), "refused, then 64 KiB");
        }
        assertArrayEquals(content, Files.readAllBytes(samba.dir("share").resolve("bulk-small.bin")));
        byte[] back = new byte[content.length];
        try (SmbFile f = new SmbFile(url, cifs); JbitsBulkIo in = JbitsBulkIo.openForReading(f)) {
            int got = 0;
            while (got < back.length) {
                int n = in.read(got, back, got, Math.min(in.maxRead(), back.length - got));
                assertTrue(n > 0, "read " + n + " at " + got);
                got += n;
            }
            assertEquals(JbitsBulkIo.CREDIT_BYTES, in.maxRead(), "refused, then 64 KiB");
        }
        assertArrayEquals(content, back);
    }

    @Test
    void signsTheDataWhereTheServerRequiresIt() throws Exception {
        byte[] content = TestData.random(3 * JbitsBulkIo.MAX_IO + 1234, 42);
        assertTrue(roundTrip(SambaServer.signingRequired(), "bulk-signed.bin", content, false));
    }

    @Test
    void signsTheDataWhenTheClientRequiresItOfAServerThatDoesNot() throws Exception {
        byte[] content = TestData.random(2 * JbitsBulkIo.MAX_IO + 77, 43);
        assertTrue(roundTrip(SambaServer.shared(), "bulk-enforced.bin", content, true));
    }

    @Test
    void downloadsThroughTheTransportFromAServerThatRequiresSigning() throws Exception {
        SambaServer samba = SambaServer.signingRequired();
        byte[] content = TestData.random(5_000_003, 44);
        samba.put("share", "t/transport-signed.bin", content);
        SmbTransportTest.MemoryTarget target = new SmbTransportTest.MemoryTarget();
        new SmbTransport(5_000, 10_000).download(samba.url("share", "t/transport-signed.bin"), target, user());
        assertTrue(target.finished);
        assertArrayEquals(content, target.bytes());
    }
}
