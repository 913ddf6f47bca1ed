package io.fulcrum.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of SPEC section 2: commands, exit codes, messages on stderr without stack traces. */
class MainTest {

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void versionPrintsTheVersion() {
        assertEquals(0, run("version"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("fulcrum "));
    }

    @Test
    void badUsageIsExit2WithTheUsage() {
        assertEquals(2, run());
        assertEquals(2, run("launch"));
        assertEquals(2, run("check"));
        assertEquals(2, run("run", "--config"));
        assertEquals(2, run("run", "--verbose"));
        assertTrue(err().contains("usage: fulcrum run"), err());
    }

    @Test
    void checkAcceptsTheShippedConfig() {
        assertEquals(0, run("check", "--config", "../conf/fulcrum.conf"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(": ok"));
    }

    @Test
    void checkPrintsEveryErrorWithFileAndLineAndExits1() throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, """
                fulcrum {
                  listeners = [ { name = web, bind = "127.0.0.1:8080", routes = [ { pool = wbe } ] } ]
                  pools {
                    web {
                      strategy = fastest
                      backends = [ { address = "127.0.0.1:9001", weight = 0 } ]
                    }
                  }
                }
                """);
        assertEquals(1, run("check", "--config", bad.toString()));
        String e = err();
        assertTrue(e.contains("bad.conf:2:"), e);
        assertTrue(e.contains("bad.conf:5:"), e);
        assertTrue(e.contains("bad.conf:6:"), e);
        assertTrue(e.contains("configuration is invalid (3 errors)"), e);
        assertFalse(e.contains("\tat "), "no stack trace without --debug: " + e);
    }

    @Test
    void aFailedStartIsExit1WithOneLine() throws Exception {
        Path missing = dir.resolve("missing.conf");
        assertEquals(1, run("run", "--config", missing.toString()));
        assertFalse(err().contains("\tat "), err());
    }
}
