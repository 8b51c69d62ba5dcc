package io.simproc.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A simproc daemon mounted on a temporary directory for an integration test: started from the built jar exactly as
 * a user starts it (its /proc at DIR, its /sys at DIR-sys), waited for until its files answer, and always unmounted
 * on {@link #close()} (and by a JVM shutdown hook if a test run is interrupted), so that no mount outlives the test.
 *
 * <p>Most of these daemons live for seconds and simulate little: they run with the JIT's first tier only
 * ({@code -XX:TieredStopAtLevel=1}), which serves them with about half the CPU time of the full JIT, whose
 * optimising compilations they would not live to pay back (docs/TESTING.md, the time budget). A daemon that
 * simulates for many seconds of CPU time (a long advance of a large machine, a high {@code --speed} under readers)
 * is started with {@link #startSimulating}, with the full JIT.
 */
public final class MountedMachine implements AutoCloseable {
    /** The JVM option of a short-lived daemon (for simproc-up: {@code SIMPROC_JAVA_OPTS}). */
    static final String FIRST_TIER_ONLY = "-XX:TieredStopAtLevel=1";
    private final Path dir;
    private final Process daemon;
    private final Path log;
    private final Thread safetyNet;

    private MountedMachine(Path dir, Process daemon, Path log) {
        this.dir = dir;
        this.daemon = daemon;
        this.log = log;
        this.safetyNet = new Thread(() -> {
            unmount(dir);
            unmount(sysDir(dir));
        }, "unmount-" + dir.getFileName());
        Runtime.getRuntime().addShutdownHook(safetyNet);
    }

    public static Path jar() {
        return Path.of(System.getProperty("simproc.jar", "target/simproc.jar")).toAbsolutePath();
    }

    public static Path basedir() {
        return Path.of(System.getProperty("simproc.basedir", ".")).toAbsolutePath();
    }

    /** Mount a machine: {@code args} are passed to {@code simproc mount DIR}. */
    public static MountedMachine start(String... args) throws IOException, InterruptedException {
        return mount(List.of("java", "-Xmx1g", FIRST_TIER_ONLY), args);
    }

    /** {@link #start}, for a daemon that will simulate for many seconds of CPU time: with the full JIT. */
    public static MountedMachine startSimulating(String... args) throws IOException, InterruptedException {
        return mount(List.of("java", "-Xmx1g"), args);
    }

    private static MountedMachine mount(List<String> java, String... args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("simproc-it-");
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(List.of("-jar", jar().toString(), "mount", dir.toString()));
        cmd.addAll(List.of(args));
        return launch(dir, cmd);
    }

    /**
     * Mount with a test-side main class instead of {@code simproc mount} (a daemon with a deliberately broken
     * part): {@code java -cp TEST-CLASSES:JAR mainClass DIR args...}.
     */
    public static MountedMachine startMain(String mainClass, String... args) throws IOException,
            InterruptedException {
        Path dir = Files.createTempDirectory("simproc-it-");
        String cp = Path.of(System.getProperty("simproc.testClasses", "target/test-classes")).toAbsolutePath()
                + java.io.File.pathSeparator + jar();
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx1g", FIRST_TIER_ONLY, "-cp", cp, mainClass,
                dir.toString()));
        cmd.addAll(List.of(args));
        return launch(dir, cmd);
    }

    private static MountedMachine launch(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("simproc-it-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        MountedMachine m = new MountedMachine(dir, p, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                m.close();
                throw new IllegalStateException(String.join(" ", cmd) + " exited early:\n" + Files.readString(log));
            }
            if (isMounted(dir) && answers(dir)) {
                return m;
            }
            Thread.sleep(100);
        }
        m.close();
        throw new IllegalStateException("simproc mount did not answer within 60 s:\n" + Files.readString(log));
    }

    public Path dir() {
        return dir;
    }

    /** Where the daemon mounted the machine's /sys: DIR-sys. */
    public Path sysDir() {
        return sysDir(dir);
    }

    static Path sysDir(Path dir) {
        return dir.resolveSibling(dir.getFileName() + "-sys");
    }

    public Process daemon() {
        return daemon;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /**
     * Read a file of the mounted tree as cat does: open, read with a large buffer until end of file, close. (Not
     * Files.readString: its first read asks for one byte, and a /proc/sys file, on Linux as here, then reports end
     * of file at offset 1.)
     */
    public String read(String path) throws IOException {
        return catFile(dir.resolve(path));
    }

    static String catFile(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[128 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Run a command with this mount bound over /proc (mount-scripts/simproc-exec). */
    /** {@code simproc ctl DIR args...} against this mount (two minutes at most). */
    public Exec.Result ctl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar().toString(), "ctl", dir.toString()));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, 120);
    }

    public Exec.Result exec(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(basedir().resolve("mount-scripts/simproc-exec").toString(),
                dir.toString(), "--"));
        cmd.addAll(List.of(command));
        return Exec.run(cmd, 60);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        unmount(dir);
        if (!daemon.waitFor(15, TimeUnit.SECONDS)) {
            daemon.destroyForcibly();
            daemon.waitFor(5, TimeUnit.SECONDS);
            unmount(dir);
        }
        if (isMounted(sysDir())) {
            unmount(sysDir());
        }
        try {
            Runtime.getRuntime().removeShutdownHook(safetyNet);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run; nothing to remove
        }
        Files.deleteIfExists(dir);
        Files.deleteIfExists(sysDir());
        Path etc = dir.resolveSibling(dir.getFileName() + "-etc");
        Files.deleteIfExists(etc.resolve("passwd"));
        Files.deleteIfExists(etc.resolve("group"));
        Files.deleteIfExists(etc);
        Files.deleteIfExists(log);
    }

    static void unmount(Path dir) {
        try {
            Exec.run(List.of("fusermount", "-u", dir.toString()), 15);
            if (isMounted(dir)) {
                Exec.run(List.of("fusermount", "-u", "-z", dir.toString()), 15);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot unmount " + dir, e);
        }
    }

    private static boolean answers(Path dir) {
        try {
            return !catFile(dir.resolve("meminfo")).isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isMounted(Path dir) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            if (line.split(" ")[1].equals(dir.toString())) {
                return true;
            }
        }
        return false;
    }
}
