package io.fulcrum.proxy.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fulcrum run --config FILE} in a child JVM on the test classpath, to kill it like a crash
 * would. Its log (stderr) is read line by line on a reader thread; the admin port is taken from the
 * admin server's "listening on" line, so the child binds port 0 like every other test.
 */
final class ChildDaemon implements AutoCloseable {

    private static final Pattern ADMIN = Pattern.compile("admin API listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer output = new StringBuffer();

    ChildDaemon(Path config) throws IOException {
        this(config, List.of());
    }

    /** @param launcher words before the java command, such as {@code nohup} */
    ChildDaemon(Path config, List<String> launcher) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(launcher);
        command.addAll(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.fulcrum.proxy.cli.Main", "run", "--config",
                config.toString()));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.append(line).append('\n');
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The child was killed: its pipe is gone, which is the point.
            }
        }, "child-daemon-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits for the admin API to listen and returns its port. */
    int adminPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                Matcher m = ADMIN.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            } else if (!process.isAlive()) {
                throw new AssertionError("the child daemon exited with " + process.exitValue() + ":\n" + output);
            }
        }
        throw new AssertionError("the child daemon did not start its admin API:\n" + output);
    }

    /** Waits for the child to exit on its own and returns its exit code. */
    int exitCode() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the child daemon did not exit:\n" + output);
        }
        return process.exitValue();
    }

    String output() {
        return output.toString();
    }

    /** Sends a signal by name (HUP, TERM) with kill(1), as systemctl reload / stop would. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** SIGKILL: no shutdown hook, no graceful stop, as a crash or an OOM kill. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
