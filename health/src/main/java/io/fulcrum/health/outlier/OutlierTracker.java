package io.fulcrum.health.outlier;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts one backend's consecutive failures from live traffic and decides when to eject it.
 *
 * <p>Thread-safe and lock-free: every event loop that carries traffic to the backend feeds it. A success
 * anywhere resets the run (with several loops "consecutive" is approximate, as in Envoy, which is fine:
 * a backend that fails most requests still reaches the threshold quickly). Exactly one caller wins the
 * ejection, through a compare-and-set on the ejection deadline; failures that arrive while the backend
 * is ejected (in-flight requests finishing) do not eject it again.
 *
 * <p>Ejection time = base × times ejected, capped at max (Envoy). The multiplier decays as Envoy's does
 * (minus one per base-ejection-time spent not ejected), computed lazily at the next ejection so no timer
 * is needed. The tracker only decides; the caller forces the backend down, normally with
 * {@code HealthChecker.eject(id, duration)}, and active probes bring it back.
 */
public final class OutlierTracker {

    private final LongSupplier nanoClock;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** End of the current (or last) ejection, nanoTime scale; {@code Long.MIN_VALUE} before the first. */
    private final AtomicLong ejectedUntil = new AtomicLong(Long.MIN_VALUE);
    /** Written only by the caller that won the CAS on {@link #ejectedUntil}. */
    private volatile int timesEjected;
    private volatile OutlierSettings settings;

    /** @param nanoClock {@code System::nanoTime} in production; a fake in tests */
    public OutlierTracker(OutlierSettings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
    }

    /** Any thread. Settings from a reload; the failure run and the ejection history are kept. */
    public void updateSettings(OutlierSettings settings) {
        this.settings = settings;
    }

    /** Any thread, on the request path: a response that is not a 5xx. */
    public void recordSuccess() {
        // Read first: the common case (no failures) then costs no write and no cache-line bounce.
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /**
     * Any thread: a connect failure or a 5xx answer.
     *
     * @return the ejection time when this very call ejected the backend (the caller then takes it out
     *         for that long), empty otherwise
     */
    public Optional<Duration> recordFailure() {
        OutlierSettings s = settings;
        if (!s.enabled()) {
            return Optional.empty();
        }
        int run = consecutiveFailures.incrementAndGet();
        if (run < s.consecutiveFailures()) {
            return Optional.empty();
        }
        long now = nanoClock.getAsLong();
        long until = ejectedUntil.get();
        if (until != Long.MIN_VALUE && now - until < 0) {
            return Optional.empty(); // already ejected
        }
        int times = decayed(timesEjected, until, now, s) + 1;
        long base = s.baseEjectionTime().toNanos();
        long duration = Math.min(base * times, s.maxEjectionTime().toNanos());
        if (!ejectedUntil.compareAndSet(until, now + duration)) {
            return Optional.empty(); // another loop ejected it at the same moment
        }
        timesEjected = times;
        consecutiveFailures.set(0);
        return Optional.of(Duration.ofNanos(duration));
    }

    /** Any thread. Whether the backend is inside an ejection this tracker decided. */
    public boolean isEjected() {
        long until = ejectedUntil.get();
        return until != Long.MIN_VALUE && nanoClock.getAsLong() - until < 0;
    }

    /** Any thread. The ejection multiplier as of the last ejection. */
    public int timesEjected() {
        return timesEjected;
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    private static int decayed(int times, long lastUntil, long now, OutlierSettings s) {
        if (times == 0 || lastUntil == Long.MIN_VALUE) {
            return times;
        }
        long healthyFor = now - lastUntil;
        long steps = healthyFor / s.baseEjectionTime().toNanos();
        return (int) Math.max(0, times - steps);
    }
}
