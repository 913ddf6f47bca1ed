package io.fulcrum.proxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files named by a config (TLS certificates and keys, the token file, the state file, the access log),
 * resolved against the folder of the config file so a config and its files move together.
 */
final class ConfigFiles {

    private final Path baseDir;

    ConfigFiles(Path baseDir) {
        this.baseDir = baseDir.toAbsolutePath().normalize();
    }

    Path resolve(String path) {
        return baseDir.resolve(path).normalize();
    }

    /**
     * Reads a small text file; null after recording why it cannot be read. Bytes are read as
     * ISO-8859-1 so a stray binary byte cannot fail the read: callers only look for ASCII markers.
     */
    static String readText(Path file, Section at, String key) {
        if (!Files.exists(file)) {
            at.error(key, "file not found: " + file);
            return null;
        }
        if (!Files.isRegularFile(file)) {
            at.error(key, "not a regular file: " + file);
            return null;
        }
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException e) {
            at.error(key, "cannot read " + file + ": " + e.getMessage());
            return null;
        }
    }
}
