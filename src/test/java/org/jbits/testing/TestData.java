package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Test content: reproducible random bytes and SHA-256 digests. */
public final class TestData {
    private TestData() {
    }

    /** {@code size} pseudo-random bytes; the same seed gives the same bytes. */
    public static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The hex SHA-256 of {@code data}. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hex SHA-256 of a file's content, read in 1 MiB pieces (a file of any size). */
    public static String sha256(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code size} reproducible pseudo-random bytes to {@code file} (of any size); returns their SHA-256. */
    public static String writeRandom(Path file, long size, long seed) {
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            byte[] buf = new byte[1 << 20];
            java.nio.ByteBuffer longs = java.nio.ByteBuffer.wrap(buf);
            for (long done = 0; done < size; ) {
                longs.clear();
                while (longs.remaining() >= 8) {
                    longs.putLong(r.nextLong());
                }
                int n = (int) Math.min(buf.length, size - done);
                out.write(buf, 0, n);
                d.update(buf, 0, n);
                done += n;
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
