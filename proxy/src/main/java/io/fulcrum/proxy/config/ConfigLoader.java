package io.fulcrum.proxy.config;

import java.nio.file.Path;

/** Reads and validates a HOCON config file into a {@link FulcrumConfig}. (Being written.) */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Parses and validates {@code file}; every problem found is reported at once, each with file:line. */
    public static FulcrumConfig load(Path file) throws InvalidConfigException {
        throw new UnsupportedOperationException("not yet");
    }
}
