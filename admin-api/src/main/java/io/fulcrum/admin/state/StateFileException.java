package io.fulcrum.admin.state;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The state file could not be read, is corrupt, or could not be written. The message names the
 * file, so the daemon can print it as it is and stop (SPEC: a corrupt or unreadable state file stops
 * the start; it is never silently dropped).
 */
public final class StateFileException extends IOException {

    private final Path file;

    StateFileException(Path file, String problem, Throwable cause) {
        super("state file " + file.toAbsolutePath() + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
