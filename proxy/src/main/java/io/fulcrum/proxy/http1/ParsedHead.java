package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request head and a response head share: the head's bytes (index 0 is the first byte of the
 * first line), where in them each header's name and value are, which headers are not forwarded
 * (hop-by-hop), and which lines are already in "name: value" CRLF form, so a run of them can be
 * copied as it stands. Holds one reference to the bytes. Event-loop confined.
 */
abstract class ParsedHead extends AbstractReferenceCounted {

    private final ByteBuf bytes;
    private final HeaderLines lines;
    private final int count;

    ParsedHead(ByteBuf bytes, HeaderLines lines) {
        this.bytes = bytes;
        this.lines = lines;
        this.count = lines.count();
    }

    ByteBuf bytes() {
        return bytes;
    }

    int headerCount() {
        return count;
    }

    int nameStart(int i) {
        return lines.nameStart(i);
    }

    int nameEnd(int i) {
        return lines.nameEnd(i);
    }

    int valueStart(int i) {
        return lines.valueStart(i);
    }

    int valueEnd(int i) {
        return lines.valueEnd(i);
    }

    /** Whether header i is left out when the head is forwarded. */
    boolean isDropped(int i) {
        return lines.isDropped(i);
    }

    /** Whether header i's line reads "name: value" CRLF and the next line starts right after it. */
    boolean isCanonical(int i) {
        return lines.isCanonical(i);
    }

    byte kind(int i) {
        return lines.kind(i);
    }

    /** The first value of the header {@code name} (any case), or null. Copies: not for every request. */
    public String header(String name) {
        for (int i = 0; i < count; i++) {
            if (nameEquals(i, name)) {
                return value(i);
            }
        }
        return null;
    }

    /** Every value of the header {@code name} (any case), in order. */
    public List<String> headers(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < count; i++) {
            if (nameEquals(i, name)) {
                values.add(value(i));
            }
        }
        return values;
    }

    private boolean nameEquals(int i, String name) {
        int start = nameStart(i);
        int len = nameEnd(i) - start;
        if (len != name.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (Ascii.lower(bytes.getByte(start + k)) != Ascii.lower((byte) name.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    String name(int i) {
        return text(nameStart(i), nameEnd(i));
    }

    String value(int i) {
        return text(valueStart(i), valueEnd(i));
    }

    String text(int start, int end) {
        return bytes.toString(start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    protected void deallocate() {
        bytes.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        bytes.touch(hint);
        return this;
    }
}
