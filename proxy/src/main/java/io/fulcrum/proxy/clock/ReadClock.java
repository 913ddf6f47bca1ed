package io.fulcrum.proxy.clock;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * The time of the socket read being handled: one clock reading per read, shared by everything that the
 * read sets off on its event loop (the request's arrival and start, the pooled connection's age, the
 * response deadline; at the other end the response's latency, its duration and the connection's return
 * to the pool). NGINX ({@code ngx_time_update}) and HAProxy ({@code now_ms}) read the clock once per
 * event-loop iteration for the same reason: a request read it about nine times, and at a few tens of
 * nanoseconds each that was 3 % of the event loop's user time in the profile of issue 7.
 *
 * <p>Outside a read (timers, scheduled tasks, other threads) {@link #now} reads the clock. Inside one
 * it returns the reading taken when the read began, microseconds ago: the error is far below anything
 * that is timed with it (timeouts, latencies for balancing and metrics).
 *
 * <p>Threading: a read begins and ends on one thread; each event loop has its own instance.
 */
public final class ReadClock {

    private static final FastThreadLocal<ReadClock> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected ReadClock initialValue() {
            return new ReadClock();
        }
    };

    private long now;
    /** Reads under way on this thread (one, or more when a read's handling sets off another inline). */
    private int depth;

    private ReadClock() {
    }

    /**
     * A socket read begins on this thread: reads the clock once. Pair with {@link #end} in a finally.
     *
     * @return this thread's clock, to end the read on
     */
    public static ReadClock begin() {
        ReadClock c = PER_THREAD.get();
        c.now = System.nanoTime();
        c.depth++;
        return c;
    }

    /** The read begun by {@link #begin} is handled. */
    public void end() {
        depth--;
    }

    /**
     * Monotonic nanoseconds, as {@link System#nanoTime}: the reading of the read being handled on this
     * event loop, else the clock's.
     */
    public static long now() {
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            ReadClock c = PER_THREAD.get();
            if (c.depth > 0) {
                return c.now;
            }
        }
        return System.nanoTime();
    }
}
