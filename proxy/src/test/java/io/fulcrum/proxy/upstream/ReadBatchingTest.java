package io.fulcrum.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The read-loop decisions of client and backend connections, driven as Netty's read loop drives them. */
class ReadBatchingTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ChannelConfig config = channel.config();

    @AfterEach
    void tearDown() {
        assertFalse(channel.finishAndReleaseAll());
    }

    private static RecvByteBufAllocator.ExtendedHandle handle(int maxBatch) {
        return (RecvByteBufAllocator.ExtendedHandle)
                new ReadBatching(512, 16 * 1024, 128 * 1024, maxBatch).newHandle();
    }

    /** One read of the loop: the buffer offered, and what the socket gave. */
    private static void read(RecvByteBufAllocator.Handle h, int got) {
        h.attemptedBytesRead(h.guess());
        h.lastBytesRead(got);
        if (got > 0) {
            h.incMessagesRead(1);
        }
    }

    @Test
    void keepsReadingWhileReadsFillTheirBufferEvenWithAutoReadOff() {
        config.setAutoRead(false);
        RecvByteBufAllocator.ExtendedHandle h = handle(256 * 1024);
        h.reset(config);
        read(h, h.guess());
        assertTrue(h.continueReading(), "a full buffer means the socket may hold more");
        read(h, 250);
        assertFalse(h.continueReading(), "a short read drained the socket: no read just to meet EAGAIN");
    }

    @Test
    void stopsAtTheBatchLimitSoThatBackpressureIsLookedAtAgain() {
        int limit = 40 * 1024;
        RecvByteBufAllocator.ExtendedHandle h = handle(limit);
        h.reset(config);
        int total = 0;
        int reads = 0;
        do {
            int before = total;
            assertTrue(before < limit, "read on past the batch limit: " + before);
            total += h.guess();
            read(h, h.guess());                      // every read fills its buffer: the socket always has more
            reads++;
        } while (h.continueReading());
        assertTrue(total >= limit, "stopped early, after " + total);
        assertTrue(reads > 1, "one read only");
        h.readComplete();
        h.reset(config);
        h.attemptedBytesRead(1024);
        h.lastBytesRead(1024);
        assertTrue(h.continueReading(), "the batch count starts again with the next read()");
    }

    @Test
    void nothingReadOrEndOfStreamStopsTheLoop() {
        RecvByteBufAllocator.ExtendedHandle h = handle(256 * 1024);
        h.reset(config);
        read(h, 0);
        assertFalse(h.continueReading());
        h.reset(config);
        read(h, -1);
        assertFalse(h.continueReading());
    }

    /** Client connections (no batch) decide as Netty's adaptive handle does. */
    @Test
    void withoutABatchOneReadPerReadCallWhileAutoReadIsOffAndNettysRuleWhileOn() {
        RecvByteBufAllocator.ExtendedHandle h = handle(0);
        config.setAutoRead(false);
        h.reset(config);
        read(h, h.guess());
        assertFalse(h.continueReading(), "auto-read off: the next read waits for the next read()");

        config.setAutoRead(true);                       // an HTTP/2 connection reads freely
        h.reset(config);
        int reads = 0;
        do {
            read(h, h.guess());
            reads++;
        } while (h.continueReading() && reads < 100);
        assertEquals(16, reads, "full reads go on up to Netty's 16 messages per wake-up");
        h.reset(config);
        read(h, 10);
        assertFalse(h.continueReading(), "a short read drained the socket");
        h.reset(config);
        read(h, h.guess());
        assertTrue(h.continueReading(() -> true));
        assertFalse(h.continueReading(() -> false), "the transport says the socket is drained");
    }

    @Test
    void buffersGrowForLargeAnswersUpToTheLimitAndShrinkForSmallOnes() {
        RecvByteBufAllocator.ExtendedHandle h = handle(Integer.MAX_VALUE);
        assertEquals(16 * 1024, h.guess());
        for (int i = 0; i < 8; i++) {
            h.reset(config);
            read(h, h.guess());
            read(h, 100);
            h.readComplete();
        }
        assertEquals(128 * 1024, h.guess());
        ByteBuf buf = h.allocate(UnpooledByteBufAllocator.DEFAULT);
        assertEquals(128 * 1024, buf.capacity());
        buf.release();
        for (int i = 0; i < 40; i++) {
            h.reset(config);
            read(h, 100);
            h.readComplete();
        }
        assertTrue(h.guess() <= 1024, "guess after small answers: " + h.guess());
    }
}
