package io.fulcrum.proxy.http1;

import java.util.Arrays;

/**
 * Reads Connection header values (RFC 9110 section 7.6.1): the tokens {@code close},
 * {@code keep-alive} and {@code upgrade} as flags, and every other token as the name of a header that
 * is hop-by-hop for this message. One per parser, reused from head to head. Event-loop confined.
 */
final class ConnectionTokens {

    static final int CLOSE = 1;
    static final int KEEP_ALIVE = 2;
    static final int UPGRADE = 4;

    private static final byte[] CLOSE_TOKEN = Ascii.bytes("close");
    private static final byte[] KEEP_ALIVE_TOKEN = Ascii.bytes("keep-alive");
    private static final byte[] UPGRADE_TOKEN = Ascii.bytes("upgrade");

    /** Named headers: start and end offsets into the head's bytes, in pairs. */
    private int[] named = new int[8];
    private int count;

    /** Forgets the previous head's names. */
    void reset() {
        count = 0;
    }

    /** Reads one Connection value, {@code a[start, end)}; returns its flags and keeps the names it lists. */
    int read(byte[] a, int start, int end) {
        int flags = 0;
        int i = start;
        while (i <= end) {
            int comma = i;
            while (comma < end && a[comma] != ',') {
                comma++;
            }
            int s = i;
            int e = comma;
            while (s < e && Ascii.isOws(a[s])) {
                s++;
            }
            while (e > s && Ascii.isOws(a[e - 1])) {
                e--;
            }
            if (e > s) {
                if (Ascii.equalsLower(a, s, e, CLOSE_TOKEN)) {
                    flags |= CLOSE;
                } else if (Ascii.equalsLower(a, s, e, KEEP_ALIVE_TOKEN)) {
                    flags |= KEEP_ALIVE;
                } else if (Ascii.equalsLower(a, s, e, UPGRADE_TOKEN)) {
                    flags |= UPGRADE;
                } else {
                    if (count * 2 == named.length) {
                        named = Arrays.copyOf(named, named.length * 2);
                    }
                    named[count * 2] = s;
                    named[count * 2 + 1] = e;
                    count++;
                }
            }
            i = comma + 1;
        }
        return flags;
    }

    /** Whether any Connection value named another header. */
    boolean namesAny() {
        return count > 0;
    }

    /** Whether a Connection value named the header called {@code a[start, end)}. */
    boolean names(byte[] a, int start, int end) {
        for (int t = 0; t < count; t++) {
            if (Ascii.equalsIgnoreCase(a, start, end, a, named[t * 2], named[t * 2 + 1])) {
                return true;
            }
        }
        return false;
    }
}
