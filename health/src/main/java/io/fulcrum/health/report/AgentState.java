package io.fulcrum.health.report;

/**
 * The state words of HAProxy's agent-check protocol.
 *
 * <ul>
 *   <li>{@code UP}: the backend says it is up (clears an earlier {@code DOWN});</li>
 *   <li>{@code DOWN}: the backend says it is down ({@code down}, {@code fail} and {@code stopped} all mean
 *       this, as in HAProxy); it stays down until the agent says {@code up};</li>
 *   <li>{@code DRAIN}: finish current work, take no new requests (HAProxy sets weight 0);</li>
 *   <li>{@code MAINT}: maintenance, take nothing;</li>
 *   <li>{@code READY}: leave {@code DRAIN}/{@code MAINT}, back to normal.</li>
 * </ul>
 */
public enum AgentState {
    UP, DOWN, DRAIN, MAINT, READY
}
