package io.fulcrum.proxy.metrics;

/**
 * The {@code status_class} label of {@code fulcrum_requests_total}: {@code 1xx} .. {@code 5xx}. A status
 * outside 100..599 (never sent by Fulcrum, possible from a broken backend) counts in the nearest class.
 * Stateless.
 */
final class StatusClass {

    /** The labels, indexed by {@link #index}. */
    static final String[] LABELS = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private StatusClass() {
    }

    /** 0 for 1xx .. 4 for 5xx. */
    static int index(int status) {
        int c = status / 100;
        return c < 1 ? 0 : c > 5 ? 4 : c - 1;
    }
}
