package io.fulcrum.health.report;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A parsed HAProxy agent-check reply, e.g. {@code up 75%} or {@code drain}.
 *
 * @param weightPercent the backend's own weight as a percentage of its configured weight ({@code 75%})
 * @param state         the last state word of the reply, if any
 * @param receivedAtNanos when it was received, on the {@code System.nanoTime()} scale
 */
public record AgentReply(OptionalInt weightPercent, Optional<AgentState> state, long receivedAtNanos) {
}
