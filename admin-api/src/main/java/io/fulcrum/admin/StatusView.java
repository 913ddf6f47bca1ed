package io.fulcrum.admin;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@code GET /api/v1/status} shows.
 *
 * @param version          the daemon's version
 * @param uptime           since the daemon started
 * @param configGeneration 1 for the config read at start, +1 for every reload that was applied
 * @param lastReload       the last reload's outcome, {@link LastReload#NONE} if none
 */
public record StatusView(String version, Duration uptime, long configGeneration, LastReload lastReload) {

    public StatusView {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(uptime, "uptime");
        Objects.requireNonNull(lastReload, "lastReload");
    }
}
