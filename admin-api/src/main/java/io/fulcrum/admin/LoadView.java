package io.fulcrum.admin;

import java.time.Instant;

/**
 * The last load report a backend sent (ORCA header or agent check). Every field is null when the
 * backend never reported, or when only some fields were reported (an agent check gives no
 * connection count, for example).
 *
 * @param cpuUtilization 0.0..1.0 (may exceed 1.0 when a backend reports so), or null
 * @param connections    the backend's own connection count, or null
 * @param reportedAt     when the report was read, or null
 */
public record LoadView(Double cpuUtilization, Integer connections, Instant reportedAt) {

    /** No report yet. */
    public static final LoadView NONE = new LoadView(null, null, null);
}
