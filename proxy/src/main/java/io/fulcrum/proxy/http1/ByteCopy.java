package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Copies bytes of a head from the buffer they came in to the one being written. Netty's
 * {@code writeBytes(ByteBuf, int, int)} from a slice of a pooled direct read made a
 * {@link java.nio.ByteBuffer} view of the source for every call (the adaptive allocator copies through
 * one); between two buffers with memory addresses this is one memory copy, no object.
 */
final class ByteCopy {

    private ByteCopy() {
    }

    /** Writes {@code src[index, index + length)} at {@code out}'s writer index, as {@code out.writeBytes} does. */
    static void append(ByteBuf out, ByteBuf src, int index, int length) {
        if (index < 0 || length < 0 || index > src.capacity() - length) {
            // Raw memory may be read below: a bad range must never reach it.
            throw new IndexOutOfBoundsException("index " + index + ", length " + length + ", capacity "
                    + src.capacity());
        }
        out.ensureWritable(length);
        if (!out.hasMemoryAddress() || !src.hasMemoryAddress()) {
            out.writeBytes(src, index, length);
            return;
        }
        int at = out.writerIndex();
        PlatformDependent.copyMemory(src.memoryAddress() + index, out.memoryAddress() + at, length);
        out.writerIndex(at + length);
    }
}
