package io.fulcrum.health;

/**
 * What one http or tcp probe found.
 *
 * @param passed     the probe passed
 * @param detail     why it failed (or the status line), for the transition log
 * @param loadHeader the raw {@code endpoint-load-metrics} header of an http answer, or null
 */
record ProbeResult(boolean passed, String detail, String loadHeader) {

    static ProbeResult fail(String detail) {
        return new ProbeResult(false, detail, null);
    }
}
