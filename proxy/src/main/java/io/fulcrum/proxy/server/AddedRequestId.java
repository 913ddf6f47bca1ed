package io.fulcrum.proxy.server;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The X-Request-Id Fulcrum adds to a request that came without one: 128 random bits, written as 32
 * lower-case hex digits, unique enough to follow one request through logs. One per client connection,
 * {@link #renew renewed} for each request that needs one: as a CharSequence its digits go straight into
 * the forwarded head ({@code HeaderBuilder.text}), and a String is made only when something asks for
 * one (the access log).
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
