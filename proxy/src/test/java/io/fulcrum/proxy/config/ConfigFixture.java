package io.fulcrum.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Writes config text to a folder and loads it, for tests that assert exact {@code FILE:LINE} messages. */
final class ConfigFixture {

    private final Path dir;
    private final Map<String, String> env;

    ConfigFixture(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    Path write(String name, String text) {
        try {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FulcrumConfig load(String text) throws InvalidConfigException {
        return ConfigLoader.load(write("f.conf", text), env);
    }

    List<String> errors(String text) {
        return assertThrows(InvalidConfigException.class, () -> load(text)).errors();
    }

    /** The load fails with exactly these problems, each given as "LINE: path: message" in f.conf. */
    void assertErrors(String text, String... expected) {
        String file = dir.resolve("f.conf").toString();
        assertEquals(Arrays.stream(expected).map(e -> file + ":" + e).toList(), errors(text));
    }

    String path(String name) {
        return dir.resolve(name).toString();
    }

    /**
     * A valid config with one listener "web" routing to pool "web" with one backend, into which a
     * test splices its lines: {@code pool} goes inside pool web from line 12 on (after, so overriding,
     * its backends), and {@code top}, after the pools block, from line 14 + (lines of pool) on.
     * <pre>
     * 1 fulcrum {
     * 2   listeners = [
     * 3     {
     * 4       name = web
     * 5       bind = "127.0.0.1:8080"
     * 6       routes = [ { pool = web } ]
     * 7     }
     * 8   ]
     * 9   pools {
     * 10    web {
     * 11      backends = [ { address = "127.0.0.1:9001" } ]
     * </pre>
     */
    static String base(String pool, String top) {
        return """
                fulcrum {
                  listeners = [
                    {
                      name = web
                      bind = "127.0.0.1:8080"
                      routes = [ { pool = web } ]
                    }
                  ]
                  pools {
                    web {
                      backends = [ { address = "127.0.0.1:9001" } ]
                """ + pool + """
                    }
                  }
                """ + top + """
                }
                """;
    }
}
