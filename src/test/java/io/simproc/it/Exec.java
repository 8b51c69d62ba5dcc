package io.simproc.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an external command with a time limit and captures its output. */
public final class Exec {
    /** Exit status, stdout and stderr of a finished command. */
    public record Result(int exit, String out, String err) {
        public Result assertOk(String what) {
            if (exit != 0) {
                throw new AssertionError(what + " exited " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            return this;
        }
    }

    private Exec() {
    }

    public static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        return run(command, timeoutSeconds, null);
    }

    public static Result run(List<String> command, int timeoutSeconds, String stdin)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String drain(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    /**
     * A bash snippet, for redirections like {@code echo abc > file}. Bash, not sh: dash's echo reports every write
     * error as "I/O error" (on Linux too), while bash prints the errno's text as users see it.
     */
    public static Result bash(String script, int timeoutSeconds) throws IOException, InterruptedException {
        return run(List.of("bash", "-c", script), timeoutSeconds);
    }
}
