package io.fulcrum.health;

/**
 * Rise/fall hysteresis of one target, HAProxy style: UP after {@code rise} consecutive passes, DOWN after
 * {@code fall} consecutive failures; a result the other way resets the run. Starts from a given status
 * (UP for config backends, UNKNOWN for runtime ones; from UNKNOWN, {@code rise} passes give UP and
 * {@code fall} failures give DOWN).
 *
 * <p>Ejection (passive outlier detection): {@link #eject} forces DOWN at once, and passes only count once
 * the ejection time has elapsed, so the target comes back after {@code rise} passes that all happen
 * after the ejection ends.
 *
 * <p>Pure and not thread-safe: time is passed in (nanoTime scale), the owner confines it to one thread
 * (the checker's loop).
 */
public final class RiseFallState {

    private HealthStatus status;
    private int passes;
    private int failures;
    private boolean ejected;
    private long ejectedUntil;

    public RiseFallState(HealthStatus initial) {
        this.status = initial;
    }

    public HealthStatus status() {
        return status;
    }

    /**
     * Records one probe result and returns the status after it.
     *
     * @param rise consecutive passes needed to become UP (settings may change between calls: a reload
     *             keeps the runs counted so far)
     * @param fall consecutive failures needed to become DOWN
     */
    public HealthStatus record(boolean passed, int rise, int fall, long nowNanos) {
        if (ejected && nowNanos - ejectedUntil >= 0) {
            ejected = false;
        }
        if (passed) {
            failures = 0;
            if (ejected) {
                passes = 0; // a pass during the ejection proves nothing: the backend was given no traffic
                return status;
            }
            passes++;
            if (status != HealthStatus.UP && passes >= rise) {
                status = HealthStatus.UP;
            }
        } else {
            passes = 0;
            failures++;
            if (status != HealthStatus.DOWN && failures >= fall) {
                status = HealthStatus.DOWN;
            }
        }
        return status;
    }

    /** Forces DOWN now; passes count again from {@code nowNanos + durationNanos}. */
    public void eject(long nowNanos, long durationNanos) {
        status = HealthStatus.DOWN;
        passes = 0;
        failures = 0;
        ejected = true;
        ejectedUntil = nowNanos + durationNanos;
    }

    /** Whether an ejection is still running at {@code nowNanos}. */
    public boolean isEjected(long nowNanos) {
        return ejected && nowNanos - ejectedUntil < 0;
    }

    /**
     * Ends an ejection for a target nobody probes (type none): it returns to {@code status}, since
     * no probe will ever bring it back.
     */
    public void restore(HealthStatus to) {
        ejected = false;
        passes = 0;
        failures = 0;
        status = to;
    }
}
