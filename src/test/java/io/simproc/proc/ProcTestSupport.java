package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the proc, sysctl and kernel tests share: booting the default machine with a fixed seed, reading its files
 * through {@link ProcFs} as a client would, and the real 6.18 samples (test resources reference-6.18/).
 *
 * <p>{@link #shared()} is one booted machine for tests that only read; tests that write boot their own with
 * {@link #bootDefault()} so that no test sees another's changes.
 */
public final class ProcTestSupport {
    /** The seed every test machine boots with (ProcTreeCharacterisationTest's pinned files depend on it). */
    public static final long SEED = 20260101L;
    /** An ordinary user: uid and gid 1000. */
    public static final Credentials USER = new Credentials(1000, 1000, 4242);

    private static ProcFs shared;

    private ProcTestSupport() {
    }

    /** A freshly booted default machine (the embedded default profile, {@link #SEED}) and its proc tree. */
    public static ProcFs bootDefault() {
        Kernel k = Kernel.boot(MachineProfileLoader.loadDefault(), SEED);
        return new ProcFs(k, ProcTree.create(SysctlTable.create()));
    }

    /** One default machine for all tests that only read; never write to it. */
    public static synchronized ProcFs shared() {
        if (shared == null) {
            shared = bootDefault();
        }
        return shared;
    }

    /** The file at {@code path} (e.g. "/meminfo", "/sys/vm/min_free_kbytes"); fails if there is none. */
    public static ProcFile file(ProcFs fs, String path) {
        ProcEntry e = fs.lookup(path, Credentials.ROOT);
        assertNotNull(e, "no proc entry at " + path);
        assertTrue(e instanceof ProcFile, path + " is not a file: " + e);
        return (ProcFile) e;
    }

    /** The file's content as {@code who} reads it. */
    public static String read(ProcFs fs, String path, Credentials who) {
        return new String(fs.render(file(fs, path), who), StandardCharsets.UTF_8);
    }

    /** The file's content as root reads it. */
    public static String read(ProcFs fs, String path) {
        return read(fs, path, Credentials.ROOT);
    }

    /** One write(2) of {@code text} at file offset {@code offset} as root: bytes consumed or -errno. */
    public static int write(ProcFs fs, String path, String text, long offset) {
        return fs.write(file(fs, path), Credentials.ROOT, text.getBytes(StandardCharsets.US_ASCII), offset);
    }

    /** The lines of a text that must end with a newline, without their newlines (trailing spaces kept). */
    public static List<String> lines(String what, String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        if (!text.endsWith("\n")) {
            fail(what + " does not end with a newline; last line: "
                    + quote(text.substring(text.lastIndexOf('\n') + 1)));
        }
        return new ArrayList<>(Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1)));
    }

    /** A line in quotes with tabs shown as \t, so trailing spaces and tabs are visible in failure messages. */
    public static String quote(String line) {
        return "\"" + line.replace("\t", "\\t") + "\"";
    }

    /** Where the real 6.18 samples live on the test classpath (copied from ../shared/reference/samples). */
    private static final String SAMPLES = "/reference-6.18/";

    /**
     * A sample file's content, exactly as captured: from -Dsimproc.samples=DIR when set, else from the copy on the
     * test classpath, so a fresh clone tests against the same bytes wherever it is checked out.
     */
    public static String sample(String name) {
        String override = System.getProperty("simproc.samples");
        try {
            if (override != null) {
                return Files.readString(Path.of(override).resolve(name), StandardCharsets.UTF_8);
            }
            try (InputStream in = ProcTestSupport.class.getResourceAsStream(SAMPLES + name)) {
                if (in == null) {
                    fail("the 6.18 reference sample " + name + " is not on the test classpath under " + SAMPLES);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
