package io.fulcrum.health;

import io.fulcrum.health.report.AgentReply;
import io.fulcrum.health.report.LoadReport;

/**
 * What a {@link HealthChecker} tells the owner of a target.
 *
 * <p>Threading: every method is called on the checker's own event loop, one call at a time, never on a
 * traffic loop. Implementations must return quickly and must not block (publish to a volatile field,
 * rebuild a snapshot); an exception is logged and otherwise ignored.
 */
public interface HealthListener {

    /** The target's status changed. Only called on transitions (rise/fall reached, ejection, agent down/up). */
    void onStatusChange(String targetId, HealthStatus from, HealthStatus to);

    /** An http probe answer carried an {@code endpoint-load-metrics} header (every one, passing or not). */
    default void onLoadReport(String targetId, LoadReport report) {
    }

    /** The agent check answered with a well-formed reply (every one). */
    default void onAgentReply(String targetId, AgentReply reply) {
    }
}
