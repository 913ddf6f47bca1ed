package io.fulcrum.admin;

import java.util.Objects;

/**
 * A refusal from the daemon (or the admin server) that the API answers with an HTTP status and the
 * body {@code {"error": error, "detail": detail}}: a short, stable {@code error} that scripts may
 * match on, and a {@code detail} for the human reading it.
 *
 * <p>The statuses SPEC section 7 names: 400 bad body, 404 unknown pool or backend, 409 backend
 * exists, 422 invalid config. A failure to persist a change is a 500 ({@link #notSaved}): the
 * change must then not have been applied.
 */
public final class AdminException extends RuntimeException {

    private final int status;
    private final String error;
    private final String detail;

    public AdminException(int status, String error, String detail) {
        this(status, error, detail, null);
    }

    public AdminException(int status, String error, String detail, Throwable cause) {
        super(status + " " + error + ": " + detail, cause);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an admin error has a 4xx or 5xx status, not " + status);
        }
        this.status = status;
        this.error = Objects.requireNonNull(error, "error");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /** 400: the request body or a parameter is wrong. */
    public static AdminException badRequest(String detail) {
        return new AdminException(400, "bad request", detail);
    }

    /** 404: no pool of that name. */
    public static AdminException unknownPool(String pool) {
        return new AdminException(404, "unknown pool", "no pool named '" + pool + "'");
    }

    /** 404: the pool has no backend with that id. */
    public static AdminException unknownBackend(String pool, String id) {
        return new AdminException(404, "unknown backend", "pool '" + pool + "' has no backend '" + id + "'");
    }

    /** 409: adding a backend the pool already has. */
    public static AdminException backendExists(String pool, String id) {
        return new AdminException(409, "backend exists", "pool '" + pool + "' already has backend '" + id + "'");
    }

    /** 422: a config (or a runtime change) the daemon judged invalid. */
    public static AdminException invalid(String detail) {
        return new AdminException(422, "invalid config", detail);
    }

    /** 500: the change could not be written to the state file, so it was not applied. */
    public static AdminException notSaved(Throwable cause) {
        return new AdminException(500, "state not saved",
                "the change was not applied: " + cause.getMessage(), cause);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return detail;
    }
}
