package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
    /**
     * The socket read this head was sliced from, when its free capacity past the bytes read may hold the
     * head as it is forwarded (see {@link #output}); null otherwise, or once used. Not a reference of its
     * own: {@link #bytes} keeps it alive.
     */
    private ByteBuf room;
    private int roomStart;

    ParsedHead(ByteBuf bytes, HeaderLines lines) {
        this.bytes = bytes;
        this.lines = lines;
        this.count = lines.count();
    }

    ByteBuf bytes() {
        return bytes;
    }

    /**
     * Offers the free capacity of the read buffer this head was just sliced from (as the head's only
     * holder besides the buffer itself), for {@link #output}. Called by the parser, only for a buffer that
     * nothing will write to any more: a socket read's own buffer, never a cumulation the parser keeps
     * appending to. A buffer that something else already holds a slice of (a pipelined request before
     * this one, which may have claimed the room) is not offered.
     */
    final void offerRoom(ByteBuf read) {
        if (read.refCnt() == 2) {
            room = read;
            roomStart = read.writerIndex();
        }
    }

    /**
     * An empty buffer of {@code capacity} bytes to write the forwarded head into: the free capacity past
     * the bytes of the read this head came from, when it was offered and is large enough, else a new
     * buffer. Writing the forwarded head behind the received one saves an allocation and its release
     * per head: a socket read's buffer is sized for the reads the connection gets (1 KiB at least), and a
     * head of a few hundred bytes leaves room for its rewritten copy. The room is used once.
     */
    ByteBuf output(ByteBufAllocator alloc, int capacity) {
        ByteBuf read = room;
        room = null;
        if (read != null && read.capacity() - roomStart >= capacity) {
            return read.retainedSlice(roomStart, capacity).writerIndex(0);
        }
        return alloc.ioBuffer(capacity);
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
