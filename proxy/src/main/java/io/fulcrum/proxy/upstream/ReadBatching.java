package io.fulcrum.proxy.upstream;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How a connection reads, client or backend: buffers sized to what the connection has been receiving
 * (Netty's adaptive sizing, up to {@code maxBufferBytes}), and, within one {@code read()}, further
 * reads while each one filled its buffer, up to {@code maxBatchBytes} (0: Netty's own rule, which
 * reads one buffer per {@code read()} while auto-read is off).
 *
 * <p>Why batches on backend connections: they do not auto-read (the next read waits for the client to
 * be writable), and Netty then reads exactly one buffer per {@code read()}. A response a little larger
 * than one buffer (a 64 KiB body and its head) took two read calls, two flushes and so two
 * {@code writev}s to the client; in one batch it takes one flush. Backpressure stays: a batch is
 * bounded, and the next one is asked for only once the client channel is writable again. Client
 * connections keep Netty's rule (batch 0): one buffer per {@code read()}, and, on an HTTP/2 connection
 * (which auto-reads), up to 16 per wake-up.
 *
 * <p>Why client connections use this class too ({@link Transport#clientReads()}), not Netty's
 * {@code AdaptiveRecvByteBufAllocator}: one handle class on every channel of an event loop keeps the
 * JIT's type checks in Netty's read path true for every channel. With two classes, C2 compiled
 * {@code epollInReady} (every connection's read) with a check for the client handle alone, seen
 * hundreds of thousands of times; the first backend connection opened after that (the pool growing
 * under a burst) failed the check, and the event loop ran its reads deoptimized until C2 compiled them
 * again on the loop's own core — in one paced benchmark run a 4.3 ms safepoint and six stalled 20 ms
 * slots (bench/README.md, "2026-12-02, 19:12", and "2026-12-03").
 *
 * <p>Threading: {@link #newHandle()} is called once per channel; a handle is confined to its
 * channel's event loop.
 */
final class ReadBatching implements RecvByteBufAllocator {

    private final AdaptiveRecvByteBufAllocator sizes;
    private final int maxBatchBytes;

    /**
     * @param minBufferBytes smallest buffer, for connections that receive small answers
     * @param maxBufferBytes largest buffer; a read filling it grows the next guess up to this
     * @param maxBatchBytes  bytes read at most per {@code read()} before the other side is asked again;
     *                       0 = Netty's rule (see above)
     */
    ReadBatching(int minBufferBytes, int initialBufferBytes, int maxBufferBytes, int maxBatchBytes) {
        this.sizes = new AdaptiveRecvByteBufAllocator(minBufferBytes, initialBufferBytes, maxBufferBytes);
        // What a socket channel's config gives an allocator it knows (it does not see through this one).
        sizes.maxMessagesPerRead(16);
        this.maxBatchBytes = maxBatchBytes;
    }

    @Override
    public Handle newHandle() {
        return new BatchHandle((ExtendedHandle) sizes.newHandle(), maxBatchBytes);
    }

    /**
     * Keeps reading while the socket probably holds more: the last read filled its buffer. With no
     * batch, decides as Netty's adaptive handle does.
     */
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
            return maxBatchBytes == 0 ? super.continueReading() : batchAllowsMore();
        }

        /**
         * With a batch, ignores auto-read on purpose (the delegate would stop after one read when it
         * is off): the batch is the unit of backpressure here. A short read means the socket is
         * drained, so no read is spent just to meet EAGAIN.
         */
        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) {
            return maxBatchBytes == 0
                    ? ((ExtendedHandle) delegate()).continueReading(maybeMoreData)
                    : batchAllowsMore();
        }

        private boolean batchAllowsMore() {
            int last = lastBytesRead();
            return last > 0 && last == attemptedBytesRead() && batchBytes < maxBatchBytes;
        }
    }
}
