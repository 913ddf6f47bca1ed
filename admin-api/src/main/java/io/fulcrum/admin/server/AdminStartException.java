package io.fulcrum.admin.server;

/**
 * The admin API cannot start: a non-loopback bind without a token, or the address cannot be bound.
 * The message is written for the operator (the daemon prints it and exits 1).
 */
public final class AdminStartException extends RuntimeException {

    public AdminStartException(String message) {
        super(message);
    }

    public AdminStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
