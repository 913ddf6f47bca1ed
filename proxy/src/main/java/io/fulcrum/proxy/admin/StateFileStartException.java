package io.fulcrum.proxy.admin;

/**
 * The state file could not be read or is corrupt, so the daemon does not start: starting without the
 * changes operators made through the admin API would silently undo them. The message names the file
 * and is fit to print as it is.
 */
public final class StateFileStartException extends RuntimeException {

    public StateFileStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
