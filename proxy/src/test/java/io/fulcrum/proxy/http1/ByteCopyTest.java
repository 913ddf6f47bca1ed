package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteCopyTest {

    private static final String LINES = "GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n";

    /** A read buffer of each kind, holding LINES after five other bytes. */
    private static ByteBuf read(int kind) {
        byte[] bytes = ("01234" + LINES).getBytes(StandardCharsets.ISO_8859_1);
        return switch (kind) {
            case 0 -> ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
            case 1 -> Unpooled.buffer(bytes.length).writeBytes(bytes);
            default -> Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(bytes, 0, 3),
                    Unpooled.wrappedBuffer(bytes, 3, bytes.length - 3));
        };
    }

    @Test
    void appendsAnyRangeOfAnyKindOfBufferToAnyOtherGrowingItAsNeeded() {
        for (int from = 0; from < 3; from++) {
            for (int to = 0; to < 2; to++) {
                ByteBuf src = read(from);
                ByteBuf out = to == 0 ? ByteBufAllocator.DEFAULT.ioBuffer(4) : Unpooled.buffer(4);
                try {
                    ByteBuf slice = src.slice(5, LINES.length());
                    out.writeByte('>');
                    for (int start = 0; start < LINES.length(); start += 7) {
                        ByteCopy.append(out, slice, start, Math.min(7, LINES.length() - start));
                    }
                    ByteCopy.append(out, slice, 3, 0);
                    assertEquals(">" + LINES, out.toString(StandardCharsets.ISO_8859_1), "from " + from + " to " + to);
                    assertEquals(0, slice.readerIndex(), "the source's indexes do not move");
                } finally {
                    src.release();
                    out.release();
                }
            }
        }
    }

    @Test
    void aRangeOutsideTheSourceIsRefusedAndNothingIsWritten() {
        ByteBuf src = read(0);
        ByteBuf out = ByteBufAllocator.DEFAULT.ioBuffer(64);
        try {
            ByteBuf slice = src.slice(5, LINES.length());
            assertThrows(IndexOutOfBoundsException.class, () -> ByteCopy.append(out, slice, 10, LINES.length()));
            assertThrows(IndexOutOfBoundsException.class, () -> ByteCopy.append(out, slice, -1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> ByteCopy.append(out, slice, 0, -1));
            assertEquals(0, out.writerIndex());
        } finally {
            src.release();
            out.release();
        }
    }
}
