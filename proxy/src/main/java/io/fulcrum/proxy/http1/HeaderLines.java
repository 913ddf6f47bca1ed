package io.fulcrum.proxy.http1;

import java.util.Arrays;

/**
 * The header lines of one head, as a parser finds them: for each, four offsets into the head's bytes
 * (name start and end, value start and end), whether it is forwarded, whether its line is already in
 * "name: value" CRLF form, and which header the proxy takes it for (requests only). A new one per head;
 * the head keeps it.
 */
final class HeaderLines {

    static final int SLOTS = 4;

    private int[] offsets = new int[12 * SLOTS];
    private byte[] kinds = new byte[12];
    private long[] dropped = new long[1];
    private long[] canonical = new long[1];
    private int count;

    /** Adds a line; returns its index. */
    int add(int nameStart, int nameEnd, int valueStart, int valueEnd, boolean canonicalLine) {
        if (count == kinds.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
            kinds = Arrays.copyOf(kinds, kinds.length * 2);
        }
        if ((count >>> 6) == dropped.length) {
            dropped = Arrays.copyOf(dropped, dropped.length + 1);
            canonical = Arrays.copyOf(canonical, canonical.length + 1);
        }
        int o = count * SLOTS;
        offsets[o] = nameStart;
        offsets[o + 1] = nameEnd;
        offsets[o + 2] = valueStart;
        offsets[o + 3] = valueEnd;
        if (canonicalLine) {
            canonical[count >>> 6] |= 1L << count;
        }
        return count++;
    }

    /** Header i is not forwarded. */
    void drop(int i) {
        dropped[i >>> 6] |= 1L << i;
    }

    void kind(int i, byte kind) {
        kinds[i] = kind;
    }

    int count() {
        return count;
    }

    int nameStart(int i) {
        return offsets[i * SLOTS];
    }

    int nameEnd(int i) {
        return offsets[i * SLOTS + 1];
    }

    int valueStart(int i) {
        return offsets[i * SLOTS + 2];
    }

    int valueEnd(int i) {
        return offsets[i * SLOTS + 3];
    }

    byte kind(int i) {
        return kinds[i];
    }

    boolean isDropped(int i) {
        return (dropped[i >>> 6] & (1L << i)) != 0;
    }

    boolean isCanonical(int i) {
        return (canonical[i >>> 6] & (1L << i)) != 0;
    }
}
