package io.fulcrum.proxy.daemon;

import java.time.Instant;
import java.util.List;

/**
 * The config generation in force and how the last reload went (for /api/v1/status and metrics).
 *
 * @param generation 1 at start, +1 per applied reload
 * @param lastAt     when the last reload was tried; null if none was
 * @param lastOk     whether it was applied
 * @param lastErrors why it was rejected (file:line messages); empty when applied
 */
public record ReloadStatus(long generation, Instant lastAt, boolean lastOk, List<String> lastErrors) {
}
