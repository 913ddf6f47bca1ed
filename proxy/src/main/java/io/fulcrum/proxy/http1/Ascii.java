package io.fulcrum.proxy.http1;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Byte-level ASCII helpers for parsing heads without making strings. */
final class Ascii {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HT = '\t';

    /** RFC 9110 tchar: the bytes a header name may hold. */
    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private Ascii() {
    }

    static boolean isToken(byte b) {
        return TOKEN[b & 0xff];
    }

    static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    static boolean isOws(byte b) {
        return b == SP || b == HT;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long EACH_20 = 0x2020202020202020L;
    private static final long EACH_7F = 0x7f7f7f7f7f7f7f7fL;
    private static final long EACH_01 = 0x0101010101010101L;
    private static final long EACH_80 = 0x8080808080808080L;

    /**
     * The index of the first control byte (below 0x20: HT, CR and LF among them) or DEL in {@code a[from, to)},
     * or {@code to}. Eight bytes at a time (SWAR): a header value is mostly bytes that need no look, and a
     * byte at a time was the most of the head parsers' time. In a long read little-endian, the lowest flagged
     * byte of {@code (x - 0x20...) & ~x & 0x80...} is exactly the first byte below 0x20 (a borrow only
     * flags bytes above a real one), and the same with {@code x ^ 0x7f...} finds DEL; bytes of 0x80 and
     * above (obs-text) are never flagged.
     */
    static int firstControl(byte[] a, int from, int to) {
        int i = from;
        while (i + 8 <= to) {
            long x = (long) LONGS.get(a, i);
            long y = x ^ EACH_7F;
            long found = ((x - EACH_20) & ~x | (y - EACH_01) & ~y) & EACH_80;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            i += 8;
        }
        while (i < to) {
            byte b = a[i];
            if ((b >= 0 && b < 0x20) || b == 0x7f) {
                return i;
            }
            i++;
        }
        return to;
    }

    /** A byte a field value may not hold: controls other than HT, and DEL (RFC 9110 section 5.5). */
    static boolean isForbiddenInValue(byte b) {
        return (b < 0x20 && b != HT && b >= 0) || b == 0x7f;
    }

    /** Whether {@code a[start, start + lower.length)} equals {@code lower} ignoring ASCII case. */
    static boolean equalsLower(byte[] a, int start, int end, byte[] lower) {
        if (end - start != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            if (lower(a[start + i]) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean equalsIgnoreCase(byte[] a, int aStart, int aEnd, byte[] b, int bStart, int bEnd) {
        if (aEnd - aStart != bEnd - bStart) {
            return false;
        }
        for (int i = 0; i < aEnd - aStart; i++) {
            if (lower(a[aStart + i]) != lower(b[bStart + i])) {
                return false;
            }
        }
        return true;
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
