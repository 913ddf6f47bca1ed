package io.fulcrum.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code conf/jvm.options} is what the launcher, the Docker image and the benchmarks start the JVM
 * with; a typo in it (an unknown {@code -XX} flag) would stop the daemon from starting at all, so the
 * JVM running these tests is asked to start with exactly those flags.
 */
class JvmOptionsFileTest {

    private static final Path OPTIONS = Path.of("..", "conf", "jvm.options");

    /** The flags as bin/fulcrum reads them: trimmed lines, without blanks and # comments. */
    static List<String> readFlags(Path file) throws IOException {
        List<String> flags = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String flag = line.strip();
            if (!flag.isEmpty() && !flag.startsWith("#")) {
                flags.add(flag);
            }
        }
        return flags;
    }

    @Test
    void everyLineIsOneFlag() throws IOException {
        List<String> flags = readFlags(OPTIONS);
        assertFalse(flags.isEmpty(), "no flags in " + OPTIONS);
        for (String flag : flags) {
            assertTrue(flag.startsWith("-") && !flag.contains(" "), "not one JVM flag: '" + flag + "'");
        }
        // The heap the docs and the benchmarks describe.
        assertTrue(flags.contains("-Xmx512m") && flags.contains("-XX:+UseParallelGC"), flags.toString());
    }

    @Test
    void theJvmStartsWithThem() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(readFlags(OPTIONS));
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(java.waitFor(60, TimeUnit.SECONDS), "java -version did not finish");
        assertEquals(0, java.exitValue(), output);
        assertFalse(output.contains("Unrecognized") || output.contains("Ignoring") || output.contains("Error"),
                output);
    }
}
