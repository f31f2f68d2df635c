package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A private certificate authority made by {@code openssl} in a temporary directory, and certificates it signs: for a
 * server on 127.0.0.1 (good, expired, for another host, for client authentication only) and for a client (also as
 * a PKCS#12 file with a password). One per JVM ({@link #shared()}): making keys costs a second or two.
 */
public final class TestCa {
    public static final String CLIENT_PASSWORD = "p12-Pw3";
    private static TestCa shared;

    private final Path dir;

    private TestCa(Path dir) {
        this.dir = dir;
    }

    /** The JVM's CA with every certificate made. */
    public static synchronized TestCa shared() {
        if (shared == null) {
            try {
                shared = new TestCa(Files.createTempDirectory("jbits-ca-")).make();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** The CA's certificate (PEM). */
    public Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    /** {@code NAME.pem} and {@code NAME.key} of a server certificate: good, expired, otherhost, clientusage. */
    public Path certificate(String name) {
        return dir.resolve(name + ".pem");
    }

    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    /** The client certificate as PKCS#12 with {@link #CLIENT_PASSWORD}. */
    public Path clientPkcs12() {
        return dir.resolve("client.p12");
    }

    private TestCa make() throws IOException {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", s("ca.key"), "-out", s("ca.pem"),
                "-days", "3", "-subj", "/CN=jbits test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        server("good", "IP:127.0.0.1", "serverAuth", "-days", "2");
        server("otherhost", "DNS:other.example", "serverAuth", "-days", "2");
        server("clientusage", "IP:127.0.0.1", "clientAuth", "-days", "2");
        expired();
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", s("client.key"), "-out", s("client.csr"),
                "-subj", "/CN=jbits test client");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        openssl("x509", "-req", "-in", s("client.csr"), "-CA", s("ca.pem"), "-CAkey", s("ca.key"),
                "-CAcreateserial", "-out", s("client.pem"), "-days", "2", "-extfile", s("client.ext"));
        openssl("pkcs12", "-export", "-in", s("client.pem"), "-inkey", s("client.key"), "-out", s("client.p12"),
                "-passout", "pass:" + CLIENT_PASSWORD, "-name", "client");
        return this;
    }

    private void server(String name, String san, String usage, String... validity) throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", s(name + ".key"), "-out", s(name + ".csr"),
                "-subj", "/CN=" + name);
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\nextendedKeyUsage=" + usage
                + "\nkeyUsage=digitalSignature,keyEncipherment\n");
        List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", s(name + ".csr"), "-CA", s("ca.pem"),
                "-CAkey", s("ca.key"), "-CAcreateserial", "-out", s(name + ".pem"), "-extfile", s(name + ".ext")));
        args.addAll(List.of(validity));
        openssl(args.toArray(new String[0]));
    }

    /** Valid for one day in 2020: {@code openssl ca} sets the dates ({@code x509 -req} cannot before OpenSSL 3.4). */
    private void expired() throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", s("expired.key"), "-out", s("expired.csr"),
                "-subj", "/CN=expired");
        Files.writeString(dir.resolve("expired.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "1000\n");
        Files.writeString(dir.resolve("ca.cnf"), """
                [ca]
                default_ca = local
                [local]
                database = %1$s/index.txt
                new_certs_dir = %1$s
                serial = %1$s/serial
                default_md = sha256
                policy = any
                unique_subject = no
                [any]
                commonName = supplied
                """.formatted(dir));
        openssl("ca", "-batch", "-notext", "-config", s("ca.cnf"), "-cert", s("ca.pem"), "-keyfile", s("ca.key"),
                "-in", s("expired.csr"), "-out", s("expired.pem"), "-startdate", "20200101000000Z",
                "-enddate", "20200102000000Z", "-extfile", s("expired.ext"));
    }

    private String s(String name) {
        return dir.resolve(name).toString();
    }

    private static void openssl(String... args) {
        List<String> c = new ArrayList<>();
        c.add("openssl");
        c.addAll(List.of(args));
        Daemons.run(c);
    }
}
