package io.simproc.control;

import io.simproc.config.ConfigException;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTreeDigest;
import io.simproc.uapi.Credentials;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A saved machine: its profile (as text), seed, boot epoch, the journal of every input it received with the simulated
 * instant each took effect, the simulated time it was saved at, whether its clock was paused then, and the digest of
 * its whole /proc and /sys trees at that time.
 * The simulation is deterministic, so replaying the journal on a fresh boot of the same profile and seed rebuilds
 * the same state; the digest proves it did, and a restore that does not reproduce it is refused.
 *
 * <p>The file is text: a magic line, one line per field and journal entry (strings in base64), the digest, and a last
 * line with the SHA-256 of everything before it, so a torn or edited file is recognised before anything is loaded.
 */
public record Checkpoint(long seed, long jiffies, long bootEpoch, boolean paused, MachineSource machine,
        List<Journal.Entry> entries, String digest) {
    static final String MAGIC = "simproc-checkpoint 1";

    /** What the daemon's machine is now, under one read lock (the journal only grows under the write lock). */
    public static Checkpoint capture(Daemon d) {
        boolean paused = d.simulation().paused();
        return d.kernel().read(k -> new Checkpoint(k.seed(), k.jiffies(), k.bootEpoch(), paused, d.journal().machine(),
                d.journal().entries(), digest(d)));
    }

    /** Write it to {@code file} atomically: a temporary file beside it, flushed to disk, then renamed over it. */
    public void save(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(encode().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    String encode() {
        StringBuilder sb = new StringBuilder(MAGIC).append('\n');
        sb.append("seed ").append(seed).append('\n');
        sb.append("jiffies ").append(jiffies).append('\n');
        sb.append("boot-epoch ").append(bootEpoch).append('\n');
        sb.append("paused ").append(paused ? 1 : 0).append('\n');
        sb.append("machine ").append(machine.kind()).append(' ').append(b64(machine.file())).append(' ')
                .append(b64(machine.text())).append(' ').append(b64(machine.dir())).append('\n');
        for (Journal.Entry e : entries) {
            if (e instanceof Journal.Write w) {
                Credentials c = w.who();
                sb.append(w.tree() == Journal.Tree.SYS ? "write-sys " : "write ").append(w.jiffies()).append(' ').append(c.uid()).append(' ').append(c.gid())
                        .append(' ').append(c.pid()).append(' ').append(c.nsPid()).append(' ').append(w.offset())
                        .append(' ').append(b64(w.path())).append(' ')
                        .append('b').append(Base64.getEncoder().encodeToString(w.data())).append('\n');
            } else if (e instanceof Journal.DirOp o) {
                Credentials c = o.who();
                sb.append(o.mkdir() ? "mkdir" : "rmdir").append(o.tree() == Journal.Tree.SYS ? "-sys " : " ")
                        .append(o.jiffies()).append(' ').append(c.uid()).append(' ').append(c.gid()).append(' ')
                        .append(c.pid()).append(' ').append(c.nsPid()).append(' ').append(o.mode()).append(' ')
                        .append(b64(o.path())).append('\n');
            } else if (e instanceof Journal.ScenarioInput s) {
                sb.append("scenario ").append(s.jiffies()).append(' ').append(s.atMount() ? "mount" : "now")
                        .append(' ').append(b64(s.source().file())).append(' ').append(b64(s.source().text()))
                        .append(' ').append(b64(s.source().dir())).append('\n');
            }
        }
        sb.append("digest ").append(digest).append('\n');
        String sum = sha256(sb.toString());
        return sb.append("sha256 ").append(sum).append('\n').toString();
    }

    /** Read and check a checkpoint file; a foreign, torn or edited one is refused with a ConfigException. */
    public static Checkpoint read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, 0, "cannot read checkpoint: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException(file.toString(), 1, 1, "not a simproc checkpoint (not text)");
        }
        return decode(file.toString(), text);
    }

    static Checkpoint decode(String name, String text) {
        if (!text.startsWith(MAGIC + "\n")) {
            throw new ConfigException(name, 1, 1, "not a simproc checkpoint (expected '" + MAGIC + "' on line 1)");
        }
        int last = text.lastIndexOf("sha256 ");
        if (last < 0 || !text.endsWith("\n") || !text.substring(last + 7, text.length() - 1).equals(
                sha256(text.substring(0, last)))) {
            throw new ConfigException(name, 0, 0, "checkpoint is truncated or damaged (its checksum does not match);"
                    + " nothing was loaded");
        }
        String[] lines = text.substring(0, last).split("\n");
        try {
            long seed = Long.parseLong(field(lines[1], "seed"));
            long jiffies = Long.parseLong(field(lines[2], "jiffies"));
            long bootEpoch = Long.parseLong(field(lines[3], "boot-epoch"));
            int i = 4;
            boolean paused = false;
            if (lines[i].startsWith("paused ")) {
                String v = field(lines[i++], "paused");
                if (!v.equals("0") && !v.equals("1")) {
                    throw new IllegalArgumentException("paused must be 0 or 1, got '" + v + "'");
                }
                paused = v.equals("1");
            }
            String[] m = field(lines[i++], "machine").split(" ");
            MachineSource machine = new MachineSource(MachineSource.Kind.valueOf(m[0]), unb64(m[1]), unb64(m[2]),
                    unb64(m[3]));
            List<Journal.Entry> entries = new ArrayList<>();
            for (; i < lines.length && !lines[i].startsWith("digest "); i++) {
                String[] f = lines[i].split(" ");
                if (f[0].equals("write") || f[0].equals("write-sys")) {
                    entries.add(new Journal.Write(Long.parseLong(f[1]), unb64(f[7]), new Credentials(
                            Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                            Integer.parseInt(f[5])), Base64.getDecoder().decode(f[8].substring(1)),
                            Long.parseLong(f[6]), f[0].equals("write") ? Journal.Tree.PROC : Journal.Tree.SYS));
                } else if (f[0].matches("(mkdir|rmdir)(-sys)?")) {
                    entries.add(new Journal.DirOp(Long.parseLong(f[1]), unb64(f[7]), new Credentials(
                            Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                            Integer.parseInt(f[5])), f[0].startsWith("mkdir"), Integer.parseInt(f[6]),
                            f[0].endsWith("-sys") ? Journal.Tree.SYS : Journal.Tree.PROC));
                } else if (f[0].equals("scenario")) {
                    entries.add(new Journal.ScenarioInput(Long.parseLong(f[1]), f[2].equals("mount"),
                            new ScenarioSource(unb64(f[3]), unb64(f[4]), unb64(f[5]))));
                } else {
                    throw new IllegalArgumentException("unknown entry '" + f[0] + "' on line " + (i + 1));
                }
            }
            String digest = field(lines[i], "digest");
            return new Checkpoint(seed, jiffies, bootEpoch, paused, machine, List.copyOf(entries), digest);
        } catch (RuntimeException e) {
            throw new ConfigException(name, 0, 0, "malformed checkpoint: " + e.getMessage());
        }
    }

    /**
     * Replay the journal on {@code d}'s freshly booted machine (same profile and seed) up to the saved time, as
     * fast as it runs; the daemon's journal records the inputs again as they are replayed. Returns whether the tree
     * is then byte-identical to the saved one. A checkpoint saved while paused leaves {@code d}'s clock paused, so
     * that the restored tree stays the saved one until {@code ctl DIR resume}.
     */
    public boolean replay(Daemon d) {
        for (Journal.Entry e : entries) {
            d.kernel().advanceTo(e.jiffies());
            if (e instanceof Journal.Write w) {
                ProcFs fs = w.tree() == Journal.Tree.SYS ? d.scenarios().sysFs() : d.scenarios().procFs();
                if (fs.lookup(w.path(), w.who()) instanceof ProcFile f) {
                    fs.write(w.path(), f, w.who(), w.data(), w.offset());
                }
            } else if (e instanceof Journal.DirOp o) {
                ProcFs fs = o.tree() == Journal.Tree.SYS ? d.scenarios().sysFs() : d.scenarios().procFs();
                if (o.mkdir()) {
                    fs.mkdir(o.path(), o.mode(), o.who(), true);
                } else {
                    fs.rmdir(o.path(), o.who(), true);
                }
            } else if (e instanceof Journal.ScenarioInput s) {
                d.runScenario(s.source(), s.source().parse(d.parser()), s.atMount());
            }
        }
        d.kernel().advanceTo(jiffies);
        if (paused) {
            d.simulation().pause();
        }
        return digest(d).equals(digest);
    }

    /** The digest of the daemon's /proc and /sys. */
    private static String digest(Daemon d) {
        return new ProcTreeDigest(d.scenarios().procFs(), d.scenarios().sysFs()).digest();
    }

    private static String field(String line, String key) {
        if (!line.startsWith(key + " ")) {
            throw new IllegalArgumentException("expected '" + key + "', got '" + line + "'");
        }
        return line.substring(key.length() + 1);
    }

    private static String b64(String s) {
        return s == null ? "-" : "b" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return s.equals("-") ? null : new String(Base64.getDecoder().decode(s.substring(1)), StandardCharsets.UTF_8);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
