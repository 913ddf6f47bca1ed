package io.fulcrum.health;

/** What the probes say of a target. UNKNOWN until enough probes ran to decide (rise or fall). */
public enum HealthStatus {
    UNKNOWN, UP, DOWN
}
