package io.fulcrum.proxy.lb;

/**
 * A 64-bit hash that is the same in every run and on every host, so a key keeps its backend across
 * restarts and across several Fulcrum instances behind one DNS name (String.hashCode is only 32 bits
 * and clusters; a seeded hash would move every key at each restart).
 *
 * <p>FNV-1a over the input, then the SplitMix64 finaliser so close inputs ("a#1", "a#2") land far
 * apart on the ring. Pure functions: any thread, no allocation.
 */
final class StableHash {

    static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private StableHash() {
    }

    /** Folds one 16-bit char into a running FNV-1a state (both bytes, low first). */
    static long addChar(long state, char c) {
        state = (state ^ (c & 0xff)) * FNV_PRIME;
        return (state ^ (c >>> 8)) * FNV_PRIME;
    }

    static long addByte(long state, byte b) {
        return (state ^ (b & 0xff)) * FNV_PRIME;
    }

    /** Folds {@code s[from, to)} into a running state. */
    static long addChars(long state, CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            state = addChar(state, s.charAt(i));
        }
        return state;
    }

    static long hash(CharSequence s) {
        return mix(addChars(FNV_OFFSET, s, 0, s.length()));
    }

    /** SplitMix64's finaliser: every input bit flips about half the output bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
