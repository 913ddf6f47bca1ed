package io.fulcrum.proxy.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The read clock on an event-loop thread (a FastThreadLocalThread) and elsewhere. */
class ReadClockTest {

    /** Runs {@code body} on a thread of the kind Netty's event loops run on; rethrows what it threw. */
    private static void onLoopThread(Runnable body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new FastThreadLocalThread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join(10_000);
        if (failure.get() instanceof AssertionError a) {
            throw a;
        }
        if (failure.get() != null) {
            throw new Exception(failure.get());
        }
    }

    private static void pauseAMillisecond() {
        long until = System.nanoTime() + 1_000_000;
        while (System.nanoTime() < until) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    @Test
    void insideAReadEveryCallGetsTheReadingTakenWhenItBegan() throws Exception {
        onLoopThread(() -> {
            long before = System.nanoTime();
            ReadClock read = ReadClock.begin();
            try {
                long first = ReadClock.now();
                assertTrue(first >= before);
                pauseAMillisecond();
                assertEquals(first, ReadClock.now());
            } finally {
                read.end();
            }
        });
    }

    @Test
    void outsideAReadItIsTheClock() throws Exception {
        onLoopThread(() -> {
            ReadClock.begin().end();
            long a = ReadClock.now();
            pauseAMillisecond();
            long b = ReadClock.now();
            assertTrue(b - a >= 1_000_000, "the clock advanced by " + (b - a) + " ns");
        });
    }

    @Test
    void aReadSetOffInsideAnotherTakesItsOwnReadingAndTheOuterOneStaysOpenUntilItEnds() throws Exception {
        onLoopThread(() -> {
            ReadClock outer = ReadClock.begin();
            long first = ReadClock.now();
            pauseAMillisecond();
            ReadClock inner = ReadClock.begin();
            long second = ReadClock.now();
            assertTrue(second - first >= 1_000_000);
            inner.end();
            pauseAMillisecond();
            // The outer read is still being handled: still no clock read.
            assertEquals(second, ReadClock.now());
            outer.end();
            assertTrue(ReadClock.now() - second >= 1_000_000);
        });
    }

    @Test
    void onOtherThreadsItIsAlwaysTheClock() {
        // Not an event loop (the test's own thread): no reading is ever kept, even between begin and end.
        ReadClock read = ReadClock.begin();
        try {
            long a = ReadClock.now();
            pauseAMillisecond();
            assertTrue(ReadClock.now() - a >= 1_000_000);
        } finally {
            read.end();
        }
    }
}
