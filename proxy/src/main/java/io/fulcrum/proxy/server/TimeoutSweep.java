package io.fulcrum.proxy.server;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client-header and client-idle deadlines of every HTTP/1.1 client connection on one event loop,
 * checked by one periodic task that walks them, instead of a scheduled task per connection.
 *
 * <p>Why: a scheduled task per connection costs about 80 bytes on every idle keep-alive connection
 * (the task, its callback, a slot in the loop's timer queue) and a queue insertion each time it is
 * re-armed. Here a connection costs two links in an intrusive list (the links live in
 * {@link ClientHandler}), and one task per loop runs every {@link #PERIOD_MILLIS} ms while the loop
 * has connections: a timeout fires up to that much late. A walk costs a few nanoseconds per connection.
 *
 * <p>Event-loop confined: one instance per loop thread, reached with {@link #of}.
 */
final class TimeoutSweep {

    /** How often the deadlines are checked, so how late a client timeout may fire. */
    static final long PERIOD_MILLIS = 100;

    private static final FastThreadLocal<TimeoutSweep> PER_LOOP = new FastThreadLocal<>();

    private final EventExecutor loop;
    private ClientHandler head;
    private ScheduledFuture<?> task;

    private TimeoutSweep(EventExecutor loop) {
        this.loop = loop;
    }

    /** The sweep of {@code loop}; call on that loop. */
    static TimeoutSweep of(EventExecutor loop) {
        TimeoutSweep sweep = PER_LOOP.get();
        if (sweep == null) {
            sweep = new TimeoutSweep(loop);
            PER_LOOP.set(sweep);
        }
        return sweep;
    }

    /** Starts watching a connection's deadlines; it must not be watched already. */
    void add(ClientHandler c) {
        c.sweepPrev = null;
        c.sweepNext = head;
        if (head != null) {
            head.sweepPrev = c;
        }
        head = c;
        c.swept = true;
        if (task == null) {
            task = loop.scheduleAtFixedRate(this::sweep, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops watching a connection (closed, or became a tunnel); harmless when it is not watched. */
    void remove(ClientHandler c) {
        if (!c.swept) {
            return;
        }
        c.swept = false;
        if (c.sweepPrev != null) {
            c.sweepPrev.sweepNext = c.sweepNext;
        } else {
            head = c.sweepNext;
        }
        if (c.sweepNext != null) {
            c.sweepNext.sweepPrev = c.sweepPrev;
        }
        c.sweepPrev = null;
        c.sweepNext = null;
    }

    private void sweep() {
        if (head == null) {
            // Nothing to watch: no task until a connection comes.
            task.cancel(false);
            task = null;
            return;
        }
        long now = System.nanoTime();
        ClientHandler c = head;
        while (c != null) {
            // Read first: checking may close the connection and unlink it.
            ClientHandler next = c.sweepNext;
            c.checkTimeouts(now);
            c = next;
        }
    }
}
