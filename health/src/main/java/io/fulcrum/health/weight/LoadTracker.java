package io.fulcrum.health.weight;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.health.report.AgentReply;
import io.fulcrum.health.report.LoadReport;
import java.util.function.LongSupplier;

/**
 * One backend's load history: smooths its reports (EWMA), remembers its agent percentage and when it came
 * up (slow start), and turns all that into an effective weight through {@link DynamicWeight}.
 *
 * <p>Threading: off the request path. Methods are {@code synchronized} (cheap, uncontended), so the
 * proxy may feed it from the health checker's loop (where reports arrive) and ask for the weight from
 * another thread; it should publish the result in a volatile field for the request path to read.
 *
 * <p>The EWMA is time-based, {@code α = 1 − exp(−Δt / smoothing)}, so a late or early report counts for
 * what its gap is worth. The first report seeds the average (there is no history to blend with).
 */
public final class LoadTracker {

    private final LongSupplier nanoClock;
    private WeightSettings settings;

    private LoadReport lastReport;
    private double cpu = Double.NaN;
    private double connections = Double.NaN;
    private double reportedErrorRate = Double.NaN;
    private double observedErrorRate = Double.NaN;
    private long lastObservedRequests = -1;
    private long lastObservedFailures;
    private long lastObservedAt;
    private int inFlight;
    private int agentPercent = -1;
    /** When the backend last became UP (slow start); {@code Long.MIN_VALUE} = no ramp pending. */
    private long upSince = Long.MIN_VALUE;

    /**
     * @param nanoClock {@code System::nanoTime} in production, a fake in tests; the same scale as
     *                  {@link LoadReport#receivedAtNanos()}
     */
    public LoadTracker(WeightSettings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
    }

    public synchronized void updateSettings(WeightSettings settings) {
        this.settings = settings;
    }

    /** A load report arrived (from {@code HealthListener.onLoadReport}). */
    public synchronized void onReport(LoadReport r) {
        long now = r.receivedAtNanos();
        double a = lastReport == null ? 1 : alpha(now - lastReport.receivedAtNanos());
        cpu = blend(cpu, r.cpuUtilization(), a);
        connections = blend(connections, r.connections().isPresent() ? r.connections().getAsLong() : Double.NaN, a);
        double err = Double.NaN;
        if (!Double.isNaN(r.eps()) && !Double.isNaN(r.rpsFractional()) && r.rpsFractional() > 0) {
            err = Math.min(1, r.eps() / r.rpsFractional());
        }
        reportedErrorRate = blend(reportedErrorRate, err, a);
        lastReport = r;
    }

    /** An agent reply arrived: its {@code N%}, when present, scales the configured weight until the next one. */
    public synchronized void onAgentReply(AgentReply reply) {
        if (reply.weightPercent().isPresent()) {
            agentPercent = reply.weightPercent().getAsInt();
        }
    }

    /**
     * The backend's health changed. Becoming UP starts the slow-start ramp (from {@code to == UP} with
     * {@code from != UP}); a backend that starts UP from the config file does not ramp (it is assumed to be
     * serving already, as HAProxy assumes at start).
     */
    public synchronized void onHealthChange(HealthStatus from, HealthStatus to) {
        if (to == HealthStatus.UP && from != HealthStatus.UP) {
            upSince = nanoClock.getAsLong();
        }
    }

    /**
     * The proxy's own view, from its counters (cumulative totals; the tracker takes the differences).
     * Call it on a steady beat, e.g. once per probe interval, and before {@link #effectiveWeight}.
     */
    public synchronized void observe(int inFlightNow, long requestsTotal, long failuresTotal) {
        long now = nanoClock.getAsLong();
        inFlight = Math.max(0, inFlightNow);
        if (lastObservedRequests >= 0) {
            long requests = requestsTotal - lastObservedRequests;
            long failures = failuresTotal - lastObservedFailures;
            if (requests > 0) {
                double rate = Math.min(1, Math.max(0, failures / (double) requests));
                observedErrorRate = blend(observedErrorRate, rate, alpha(now - lastObservedAt));
            }
        }
        lastObservedRequests = requestsTotal;
        lastObservedFailures = failuresTotal;
        lastObservedAt = now;
    }

    /** The weight to publish, now. */
    public synchronized int effectiveWeight(int configuredWeight) {
        return DynamicWeight.effectiveWeight(inputs(configuredWeight), settings);
    }

    /** What {@link #effectiveWeight} is computed from, for tests and for a TRACE line. */
    public synchronized WeightInputs inputs(int configuredWeight) {
        long now = nanoClock.getAsLong();
        double trust = lastReport == null ? 0
                : DynamicWeight.reportTrust(now - lastReport.receivedAtNanos(), settings.probeInterval().toNanos());
        double ramp = upSince == Long.MIN_VALUE ? 1
                : DynamicWeight.slowStartRamp(now - upSince, settings.slowStart().toNanos(), settings.slowStartInitial());
        if (ramp >= 1) {
            upSince = Long.MIN_VALUE;
        }
        return new WeightInputs(configuredWeight, agentPercent, cpu, connections, inFlight, reportedErrorRate,
                observedErrorRate, trust, ramp);
    }

    /** The last report as received (not smoothed), or null: for the admin API's {@code load} object. */
    public synchronized LoadReport lastReport() {
        return lastReport;
    }

    /** Smoothed CPU utilization, NaN if never reported: for {@code fulcrum_backend_cpu_utilization}. */
    public synchronized double smoothedCpu() {
        return cpu;
    }

    private double alpha(long dtNanos) {
        if (dtNanos <= 0) {
            return 0;
        }
        return 1 - Math.exp(-dtNanos / (double) settings.smoothing().toNanos());
    }

    private static double blend(double old, double sample, double a) {
        if (Double.isNaN(sample)) {
            return old;
        }
        return Double.isNaN(old) ? sample : old + a * (sample - old);
    }
}
