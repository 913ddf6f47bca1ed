package io.fulcrum.proxy.backend;

import io.fulcrum.proxy.clock.ReadClock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Live counters of one backend, written from every event loop without locks: one atomic per
 * request start and end (plus one CAS for the latency estimate at the end). Strategies read them to
 * pick (in-flight, latency), the admin API shows them.
 *
 * <h2>Peak-EWMA latency</h2>
 * The estimate Finagle and linkerd balance on: an exponentially weighted moving average of response
 * times that jumps straight up to any slower sample (the "peak") and decays back with time constant
 * {@link #DECAY_NANOS}. The weight of the old estimate depends on the time since the last sample, not
 * on the number of samples, so a busy and an idle backend forget at the same pace:
 * <pre>
 *   sample ≥ estimate:  estimate = sample
 *   sample &lt; estimate:  w = exp(-(now - lastSample) / τ);  estimate = estimate·w + sample·(1-w)
 *   reading:            estimate · exp(-(now - lastSample) / τ)
 * </pre>
 * Worked example with τ = 10 s: samples 10 ms, then 100 ms → 100 ms (peak). A 10 ms sample 1 s later:
 * w = e^-0.1 = 0.905 → 0.905·100 + 0.095·10 = 91.4 ms. Read 10 s after that without new samples →
 * 91.4·e^-1 = 33.6 ms: a backend nobody picks because it was slow looks cheaper with time and gets
 * probed again with real traffic. A failed request never lowers the estimate (a backend that refuses
 * connections fails fast and must not look fast).
 */
public final class BackendStats {

    /** τ of the latency estimate: 10 s, Finagle's and linkerd's default. */
    public static final long DECAY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** What {@link #latencyEstimateNanos(long)} returns before the first sample. */
    public static final double NO_ESTIMATE = -1;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongSupplier nanoClock;
    /** The estimate in nanoseconds as double bits; negative until the first sample. */
    private final AtomicLong estimateBits = new AtomicLong(Double.doubleToRawLongBits(NO_ESTIMATE));
    /** When the estimate was last updated, in {@link #nanoClock} time. Racy by design, see below. */
    private volatile long estimateStamp;

    /** Stats on {@link ReadClock#now()}: {@link System#nanoTime()}, read once per socket read on the request path. */
    public BackendStats() {
        this(ReadClock::now);
    }

    /** @param nanoClock monotonic nanoseconds; tests pass a fake one */
    public BackendStats(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** A request was sent to (or is about to be sent to) this backend. Any thread. */
    /**
     * Starts a request if the backend has fewer than {@code max} in flight (HAProxy's {@code maxconn});
     * {@code max} 0 = no limit. One CAS loop, no lock.
     *
     * @return false (nothing counted) when the backend is full
     */
    public boolean tryStart(int max) {
        if (max <= 0) {
            requestStarted();
            return true;
        }
        for (;;) {
            int n = inFlight.get();
            if (n >= max) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                requests.increment();
                return true;
            }
        }
    }

    /**
     * A request ends and a queued one takes its place on this backend at once: in-flight stays the
     * same, so no newcomer can jump the queue in between.
     */
    public void requestHandedOver(long latencyNanos, boolean failed) {
        observeLatency(latencyNanos, failed, nanoClock.getAsLong());
        if (failed) {
            failures.increment();
        }
        requests.increment();
    }

    /** Undoes a {@link #tryStart} whose slot went unused. */
    public void cancelStart() {
        inFlight.decrementAndGet();
        requests.decrement();
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
        requests.increment();
    }

    /**
     * The request ended: its response completed, or it failed. Any thread; lock-free.
     *
     * @param latencyNanos time from start to the end of the response head, or to the failure
     * @param failed       connect failure, reset, timeout or 5xx answer
     */
    public void requestEnded(long latencyNanos, boolean failed) {
        requestEnded(latencyNanos, failed, nanoClock.getAsLong());
    }

    /** As {@link #requestEnded(long, boolean)}, at an explicit time of {@link #nanoClock} (tests). */
    public void requestEnded(long latencyNanos, boolean failed, long nowNanos) {
        inFlight.decrementAndGet();
        if (failed) {
            failures.increment();
        }
        observeLatency(latencyNanos, failed, nowNanos);
    }

    /**
     * Folds one response time into the peak-EWMA estimate. One CAS loop, no lock. The stamp is written
     * after the CAS without being part of it: two threads ending requests at the same instant may leave
     * the stamp of either, which moves the decay by nanoseconds — not worth a lock or an allocation.
     */
    private void observeLatency(long latencyNanos, boolean failed, long nowNanos) {
        double sample = Math.max(0, latencyNanos);
        for (;;) {
            long bits = estimateBits.get();
            double current = Double.longBitsToDouble(bits);
            double next;
            if (current < 0 || sample >= current) {
                next = sample;
            } else if (failed) {
                next = current;
            } else {
                double w = decayWeight(nowNanos - estimateStamp);
                next = current * w + sample * (1 - w);
            }
            if (estimateBits.compareAndSet(bits, Double.doubleToRawLongBits(next))) {
                estimateStamp = nowNanos;
                return;
            }
        }
    }

    /**
     * The peak-EWMA response time in nanoseconds, decayed to {@code nowNanos}, or {@link #NO_ESTIMATE}
     * before the first response. Any thread; two volatile reads, no write.
     */
    public double latencyEstimateNanos(long nowNanos) {
        double current = Double.longBitsToDouble(estimateBits.get());
        if (current < 0) {
            return NO_ESTIMATE;
        }
        return current * decayWeight(nowNanos - estimateStamp);
    }

    /** {@link #latencyEstimateNanos(long)} now. */
    public double latencyEstimateNanos() {
        return latencyEstimateNanos(nanoClock.getAsLong());
    }

    private static double decayWeight(long elapsedNanos) {
        return elapsedNanos <= 0 ? 1.0 : Math.exp(-(double) elapsedNanos / DECAY_NANOS);
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
