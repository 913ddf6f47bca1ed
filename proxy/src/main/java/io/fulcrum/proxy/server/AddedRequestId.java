package io.fulcrum.proxy.server;

import io.fulcrum.proxy.http1.HeaderBuilder;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The X-Request-Id Fulcrum adds to a request that came without one: 128 random bits, written as 32
 * lower-case hex digits, unique enough to follow one request through logs. One per client connection,
 * {@link #renew renewed} for each request that needs one: the digits go straight into the forwarded
 * head, and text is made only when something asks for it (the access log), so a request carries no
 * String for it.
 */
final class AddedRequestId implements CharSequence {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private long hi;
    private long lo;

    /** New random bits, for the next request. */
    AddedRequestId renew() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        hi = r.nextLong();
        lo = r.nextLong();
        return this;
    }

    /** Appends the 32 digits. */
    void writeTo(HeaderBuilder b) {
        b.hex(hi).hex(lo);
    }

    @Override
    public int length() {
        return 32;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= 32) {
            throw new IndexOutOfBoundsException(index);
        }
        long bits = index < 16 ? hi : lo;
        return HEX[(int) (bits >>> (60 - 4 * (index & 15))) & 0xf];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().subSequence(start, end);
    }

    @Override
    public String toString() {
        char[] out = new char[32];
        for (int i = 0; i < 32; i++) {
            out[i] = charAt(i);
        }
        return new String(out);
    }
}
