package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes a {@link RequestHead} on to a backend: the request line as it came, every header line that
 * is not hop-by-hop and not of a kind the caller rewrites (runs of lines already in "name: value"
 * CRLF form in one copy); the caller adds its own lines ({@link HeaderBuilder}) and the blank line.
 */
public final class RequestHeadEncoder {

    private static final byte[] COLON_SP = Ascii.bytes(": ");
    private static final byte[] CRLF = Ascii.bytes("\r\n");

    private RequestHeadEncoder() {
    }

    /**
     * @param skipKinds  bit {@code 1 << kind} set for each {@link RequestHead.Kind} left out
     * @param extraBytes room to leave for the headers the caller adds
     * @return a new buffer holding the request line and the kept header lines
     */
    public static ByteBuf start(ByteBufAllocator alloc, RequestHead head, int skipKinds, int extraBytes) {
        ByteBuf src = head.bytes();
        ByteBuf out = alloc.ioBuffer(src.readableBytes() + extraBytes);
        ByteCopy.append(out, src, src.readerIndex(), head.lineEnd());
        out.writeBytes(CRLF);
        int base = src.readerIndex();
        int count = head.headerCount();
        int i = 0;
        while (i < count) {
            if (skipped(head, i, skipKinds)) {
                i++;
                continue;
            }
            if (head.isCanonical(i)) {
                int first = i;
                while (i + 1 < count && !skipped(head, i + 1, skipKinds) && head.isCanonical(i + 1)
                        && head.nameStart(i + 1) == head.valueEnd(i) + 2) {
                    i++;
                }
                int from = head.nameStart(first);
                ByteCopy.append(out, src, base + from, head.valueEnd(i) + 2 - from);
            } else {
                ByteCopy.append(out, src, base + head.nameStart(i), head.nameEnd(i) - head.nameStart(i));
                out.writeBytes(COLON_SP);
                ByteCopy.append(out, src, base + head.valueStart(i), head.valueEnd(i) - head.valueStart(i));
                out.writeBytes(CRLF);
            }
            i++;
        }
        return out;
    }

    private static boolean skipped(RequestHead head, int i, int skipKinds) {
        return head.isDropped(i) || (skipKinds & (1 << head.kind(i))) != 0;
    }

    /** Ends the head (the blank line). */
    public static void end(ByteBuf out) {
        out.writeBytes(CRLF);
    }
}
