package io.fulcrum.proxy.backend;

/** A drain ended before the backend was idle: it was re-enabled, disabled or removed meanwhile. */
public final class DrainInterruptedException extends RuntimeException {

    private final transient Backend backend;

    public DrainInterruptedException(Backend backend, AdminState state) {
        super("drain of " + backend.id() + " ended: backend is now " + (backend.isRemoved() ? "removed" : state.word()),
                null, false, false);
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }
}
