package io.fulcrum.proxy.upstream;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How a backend connection reads: buffers sized to what the connection has been receiving (Netty's
 * adaptive sizing, up to {@code maxBufferBytes}), and, within one {@code read()}, further reads while
 * each one filled its buffer, up to {@code maxBatchBytes}.
 *
 * <p>Why: backend channels do not auto-read (the next read waits for the client to be writable), and
 * Netty then reads exactly one buffer per {@code read()}. A response a little larger than one buffer
 * (a 64 KiB body and its head) took two read calls, two flushes and so two {@code writev}s to the
 * client; in one batch it takes one flush. Backpressure stays: a batch is bounded, and the next one
 * is asked for only once the client channel is writable again.
 *
 * <p>Threading: {@link #newHandle()} is called once per channel; a handle is confined to its
 * channel's event loop.
 */
final class ResponseReadBatching implements RecvByteBufAllocator {

    private final AdaptiveRecvByteBufAllocator sizes;
    private final int maxBatchBytes;

    /**
     * @param minBufferBytes smallest buffer, for connections that receive small answers
     * @param maxBufferBytes largest buffer; a read filling it grows the next guess up to this
     * @param maxBatchBytes  bytes read at most per {@code read()} before the client side is asked again
     */
    ResponseReadBatching(int minBufferBytes, int initialBufferBytes, int maxBufferBytes, int maxBatchBytes) {
        this.sizes = new AdaptiveRecvByteBufAllocator(minBufferBytes, initialBufferBytes, maxBufferBytes);
        this.maxBatchBytes = maxBatchBytes;
    }

    @Override
    public Handle newHandle() {
        return new BatchHandle((ExtendedHandle) sizes.newHandle(), maxBatchBytes);
    }

    /** Keeps reading while the socket probably holds more: the last read filled its buffer. */
    private static final class BatchHandle extends DelegatingHandle implements ExtendedHandle {
        private final int maxBatchBytes;
        private int batchBytes;

        BatchHandle(ExtendedHandle delegate, int maxBatchBytes) {
            super(delegate);
            this.maxBatchBytes = maxBatchBytes;
        }

        @Override
        public void reset(ChannelConfig config) {
            batchBytes = 0;
            super.reset(config);
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes > 0) {
                batchBytes += bytes;
            }
            super.lastBytesRead(bytes);
        }

        @Override
        public boolean continueReading() {
            return continueReading(null);
        }

        /**
         * Ignores auto-read on purpose (the delegate would stop after one read when it is off): the
         * batch is the unit of backpressure here. A short read means the socket is drained, so no
         * read is spent just to meet EAGAIN.
         */
        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) {
            int last = lastBytesRead();
            return last > 0 && last == attemptedBytesRead() && batchBytes < maxBatchBytes;
        }
    }
}
