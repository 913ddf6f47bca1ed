package io.fulcrum.proxy.http1;

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
