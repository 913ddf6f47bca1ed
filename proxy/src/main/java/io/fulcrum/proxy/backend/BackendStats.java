package io.fulcrum.proxy.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one backend, written from every event loop without locks: one atomic per
 * request start and end. Strategies read them to pick (in-flight), the admin API shows them.
 */
public final class BackendStats {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();

    /** A request was sent to (or is about to be sent to) this backend. Any thread. */
    public void requestStarted() {
        inFlight.incrementAndGet();
        requests.increment();
    }

    /**
     * The request ended: its response completed, or it failed.
     *
     * @param latencyNanos time from start to the end of the response head, or to the failure
     * @param failed       connect failure, reset, timeout or 5xx answer
     */
    public void requestEnded(long latencyNanos, boolean failed) {
        inFlight.decrementAndGet();
        if (failed) {
            failures.increment();
        }
    }

    public void connectionOpened() {
        activeConnections.incrementAndGet();
    }

    public void connectionClosed() {
        activeConnections.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int activeConnections() {
        return activeConnections.get();
    }

    public long requests() {
        return requests.sum();
    }

    public long failures() {
        return failures.sum();
    }
}
