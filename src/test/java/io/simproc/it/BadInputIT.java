package io.simproc.it;

import io.simproc.proc.BadInputs;
import io.simproc.proc.KernelWriteModel;
import io.simproc.sysctl.SysctlTable;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input test through a live mount: every writable file under the mount's sys/ and init's oom files get the
 * edge cases and a few hundred random writes with real write(2)/pwrite(2) calls (a Python helper reports each
 * call's result or errno and what the file reads afterwards), compared with what Linux does; then 1 MiB writes,
 * NUL bytes and junk from bash; the daemon must be alive and serving afterwards.
 *
 * <p>Inputs are at most one page: the kernel's FUSE client splits larger writes into page-sized requests (no
 * big_writes), which a real procfs file never sees. An empty write is answered by the FUSE client itself (0)
 * without reaching the daemon, so it is sent only to /proc/sys files, where Linux also returns 0.
 */
class BadInputIT {
    private static final int RANDOM_INPUTS = 300;
    private static final String WRITER = String.join("\n",
            "import os, sys",
            "path = sys.argv[1]",
            "for line in sys.stdin:",
            "    hexdata, off = line.split()",
            "    data, off = (b'' if hexdata == '-' else bytes.fromhex(hexdata)), int(off)",
            "    fd = os.open(path, os.O_WRONLY)",
            "    try:",
            "        n = os.pwrite(fd, data, off) if off else os.write(fd, data)",
            "    except OSError as e:",
            "        n = -e.errno",
            "    os.close(fd)",
            "    after = '-'",
            "    if os.stat(path).st_mode & 0o400:",
            "        fd = os.open(path, os.O_RDONLY)",
            "        after = os.read(fd, 65536).hex() or '='",
            "        os.close(fd)",
            "    print(n, after, flush=True)",
            "");

    private static List<String> writableFiles(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir.resolve("sys"))) {
            walk.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission
                            .OWNER_WRITE);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }).forEach(p -> out.add("/" + dir.relativize(p)));
        }
        out.add("/1/oom_score_adj");
        out.add("/1/oom_adj");
        return out;
    }

    @Test
    void writableFilesAnswerBadInputAsLinuxThroughTheMountAndTheDaemonSurvives() throws Exception {
        // Simulated time (almost) stands still: the inputs include real settings such as a min_free_kbytes above
        // RAM, which on a running machine — as on Linux — sends every allocation to the OOM killer until nothing is
        // left to kill and the kernel panics. Writes and reads need no time to pass.
        try (MountedMachine m = MountedMachine.start("--seed", "5", "--speed", "0.000001")) {
            SysctlTable table = SysctlTable.create();
            List<String> files = writableFiles(m.dir());
            assertTrue(files.contains("/sys/vm/min_free_kbytes"), files.toString());
            Path script = Files.createTempFile("simproc-writer-", ".py");
            Files.writeString(script, WRITER);
            List<String> failures = new ArrayList<>();
            try {
                for (String file : files) {
                    check(m, table, file, script, failures);
                }
            } finally {
                Files.deleteIfExists(script);
            }
            assertEquals(List.of(), failures);
            for (String file : files) {
                String target = m.dir() + file;
                Exec.bash("head -c 1048576 /dev/zero | tr '\\0' '7' > " + target + "; printf '\\0\\0\\0' > " + target
                        + "; head -c 1048576 /dev/urandom > " + target + "; echo -n '' > " + target
                        + "; printf '1\\n2\\n' > " + target, 30);
            }
            assertTrue(m.daemon().isAlive(), "the daemon survives:\n" + m.log());
            assertTrue(m.read("meminfo").startsWith("MemTotal:"), "and still serves files");
            assertTrue(!m.log().contains("failed:"), "no callback failed unexpectedly:\n" + m.log());
        }
    }

    private static void check(MountedMachine m, SysctlTable table, String file, Path script, List<String> failures)
            throws Exception {
        boolean sysctl = file.startsWith("/sys/");
        BadInputs gen = new BadInputs(file.hashCode(), KernelWriteModel.bounds(file, table));
        List<BadInputs.Input> inputs = new ArrayList<>();
        for (int i = 0; i < gen.fixedCount() + RANDOM_INPUTS; i++) {
            BadInputs.Input in = gen.next();
            if (in.data().length <= 4096 && (sysctl || in.data().length > 0)) {
                inputs.add(in);
            }
        }
        StringBuilder stdin = new StringBuilder();
        for (BadInputs.Input in : inputs) {
            stdin.append(in.data().length == 0 ? "-" : HexFormat.of().formatHex(in.data())).append(' ')
                    .append(in.offset()).append('\n');
        }
        String before = Files.getPosixFilePermissions(m.dir().resolve(file.substring(1)))
                .contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ) ? m.read(file.substring(1)) : null;
        Exec.Result r = Exec.run(List.of("python3", script.toString(), m.dir() + file), 120,
                stdin.toString());
        r.assertOk("python writer on " + file);
        String[] lines = r.out().split("\n");
        assertEquals(inputs.size(), lines.length, r.out());
        KernelWriteModel.Oracle oracle = KernelWriteModel.oracleFor(file, table);
        int reported = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String[] parts = lines[i].split(" ");
            int returned = Integer.parseInt(parts[0]);
            String after = parts[1].equals("-") ? null : parts[1].equals("=") ? ""
                    : new String(HexFormat.of().parseHex(parts[1]), StandardCharsets.ISO_8859_1);
            KernelWriteModel.Expect e = oracle.expect(inputs.get(i), before);
            String problem = e == null ? (returned < -200 || returned > inputs.get(i).data().length
                    ? "returned " + returned : null) : KernelWriteModel.compare(e, returned, after);
            if (problem != null && reported++ < 10) {
                failures.add(file + " " + inputs.get(i).describe() + ": " + problem);
            }
            if (after != null) {
                before = after;
            }
        }
    }
}
