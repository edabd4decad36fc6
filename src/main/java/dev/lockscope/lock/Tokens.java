package dev.lockscope.lock;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Acquisition tokens: 128 bits as 32 lower-case hex digits. Any thread.
 *
 * <p>64 bits drawn once per process from the OS's generator, then 64 bits of a SplitMix64 sequence whose start is
 * drawn the same way. Tokens must be unique, not secret (they are part of the claim's file name): within a process
 * the sequence never repeats, and two processes share a token only if both 64-bit draws collide. SecureRandom per
 * token (NativePRNG) cost a read of /dev/urandom and a SHA round per acquisition.
 */
final class Tokens {

    private static final long PREFIX;
    private static final AtomicLong SEQUENCE;

    static {
        long[] seed = seed();
        PREFIX = seed[0];
        SEQUENCE = new AtomicLong(seed[1]);
    }

    private Tokens() {
    }

    /** A token no other acquisition of any process has (see the class comment for how sure that is). */
    static String next() {
        long z = SEQUENCE.addAndGet(0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return HexFormat.of().toHexDigits(PREFIX) + HexFormat.of().toHexDigits(z);
    }

    /**
     * 128 bits from the kernel's generator. Read from /dev/urandom directly where there is one: setting
     * up a SecureRandom provider is about 10 ms of a CLI's start.
     */
    private static long[] seed() {
        try (InputStream in = new FileInputStream("/dev/urandom")) {
            byte[] b = in.readNBytes(16);
            if (b.length == 16) {
                ByteBuffer bb = ByteBuffer.wrap(b);
                return new long[] {bb.getLong(), bb.getLong()};
            }
        } catch (IOException | SecurityException e) {
            // no /dev/urandom here: use the platform's SecureRandom
        }
        SecureRandom r = new SecureRandom();
        return new long[] {r.nextLong(), r.nextLong()};
    }
}
