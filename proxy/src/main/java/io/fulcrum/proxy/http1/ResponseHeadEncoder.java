package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes a backend's {@link ResponseHead} for an HTTP/1.1 client (SPEC section 6): the status line
 * as HTTP/1.1 with the backend's status and reason, every header line that is not hop-by-hop copied
 * from the bytes that came (runs of lines already in "name: value" CRLF form in one copy), then the
 * proxy's own framing and connection headers. Most backends' heads need none of that: those go on as
 * they came ({@link ResponseHead#verbatim}), the head's own bytes with no copy, as HAProxy forwards a
 * head it does not edit.
 */
public final class ResponseHeadEncoder {

    private static final byte[] HTTP_1_1 = Ascii.bytes("HTTP/1.1 ");
    private static final byte[] COLON_SP = Ascii.bytes(": ");
    private static final byte[] CRLF = Ascii.bytes("\r\n");
    private static final byte[] CHUNKED = Ascii.bytes("transfer-encoding: chunked\r\n");
    private static final byte[] CLOSE = Ascii.bytes("connection: close\r\n");
    private static final byte[] KEEP_ALIVE = Ascii.bytes("connection: keep-alive\r\n");

    private ResponseHeadEncoder() {
    }

    /**
     * @param close     the client connection ends after this response: say {@code Connection: close}
     * @param keepAlive say {@code Connection: keep-alive} (to an HTTP/1.0 client that keeps its connection)
     * @param chunked   the proxy re-frames a close-delimited body as chunked: say so
     * @return a buffer holding the head, for the caller to write (and so release)
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ResponseHead head, boolean close, boolean keepAlive,
                                 boolean chunked) {
        return encode(alloc, head, close, keepAlive, chunked, 0);
    }

    /** Whether the head goes to the client as it came with these flags (see {@link ResponseHead#verbatim}). */
    public static boolean asItCame(ResponseHead head, boolean close, boolean keepAlive, boolean chunked) {
        return head.verbatim() && !close && !keepAlive && !chunked;
    }

    /**
     * As {@link #encode(ByteBufAllocator, ResponseHead, boolean, boolean, boolean)}, leaving {@code room}
     * bytes free after the head (for a small body). A head that needs no change ({@link ResponseHead#verbatim},
     * and none of the three flags) is not written again: its own bytes are returned, retained, with no room.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ResponseHead head, boolean close, boolean keepAlive,
                                 boolean chunked, int room) {
        ByteBuf src = head.bytes();
        if (asItCame(head, close, keepAlive, chunked)) {
            return head.retainedVerbatimHead();
        }
        ByteBuf out = alloc.ioBuffer(head.headLength() + 64 + room);
        out.writeBytes(HTTP_1_1);
        // "200 OK": the status digits and the reason as they came.
        int statusEnd = head.reasonEnd() > head.reasonStart() ? head.reasonEnd() : 12;
        ByteCopy.append(out, src, 9, statusEnd - 9);
        out.writeBytes(CRLF);
        int count = head.headerCount();
        int i = 0;
        while (i < count) {
            if (head.isDropped(i)) {
                i++;
                continue;
            }
            if (head.isCanonical(i)) {
                // A run of kept lines as they stand: one copy from the first name to the last CRLF.
                int first = i;
                while (i + 1 < count && !head.isDropped(i + 1) && head.isCanonical(i + 1)
                        && head.nameStart(i + 1) == head.valueEnd(i) + 2) {
                    i++;
                }
                int from = head.nameStart(first);
                ByteCopy.append(out, src, from, head.valueEnd(i) + 2 - from);
            } else {
                ByteCopy.append(out, src, head.nameStart(i), head.nameEnd(i) - head.nameStart(i));
                out.writeBytes(COLON_SP);
                ByteCopy.append(out, src, head.valueStart(i), head.valueEnd(i) - head.valueStart(i));
                out.writeBytes(CRLF);
            }
            i++;
        }
        if (chunked) {
            out.writeBytes(CHUNKED);
        }
        if (close) {
            out.writeBytes(CLOSE);
        } else if (keepAlive) {
            out.writeBytes(KEEP_ALIVE);
        }
        out.writeBytes(CRLF);
        return out;
    }
}
