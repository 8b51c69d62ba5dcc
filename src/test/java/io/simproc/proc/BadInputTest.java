package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.mm.MmDebug;
import io.simproc.proc.BadInputs.Input;
import io.simproc.sysctl.IntSysctl;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every writable file of the tree — found by walking it, so a new knob is covered the day it appears — gets
 * {@value #INPUTS_PER_FILE} edge-case and random writes through {@link ProcFs} as root. For the handlers the
 * {@link KernelWriteModel} knows (proc_dointvec_minmax with the knob's own bounds, lowmem_reserve_ratio's
 * proc_dointvec, oom_score_adj and oom_adj's kstrtoint), each write must return exactly what Linux returns and
 * leave exactly the value Linux leaves; for any other writable file, the result must be a byte count within the
 * write or an errno a write handler returns, and the value unchanged on error. No write may throw, and the memory
 * manager's invariants hold afterwards.
 */
class BadInputTest {
    static final int INPUTS_PER_FILE = 10_000;
    private static final int MAX_REPORTED = 15;
    /** ENOENT: nf_log_proc_dostring() for a logger name the family does not have. */
    private static final Set<Integer> HANDLER_ERRNOS = Set.of(Errno.EINVAL, Errno.ERANGE, Errno.EPERM, Errno.EACCES,
            Errno.EBUSY, Errno.ENOMEM, Errno.EFAULT, Errno.ESRCH, Errno.EIO, Errno.ENOENT);

    /** Every writable file; in per-process directories only those of init and one other process. */
    public static List<String> writableFiles(ProcFs fs) {
        List<String> out = new ArrayList<>();
        walk(fs, fs.lookup("/", Credentials.ROOT), "", out);
        return out;
    }

    private static void walk(ProcFs fs, ProcEntry e, String path, List<String> out) {
        if (e instanceof ProcFile f) {
            if (f.writable()) {
                out.add(path);
            }
            return;
        }
        if (!(e instanceof ProcDir dir)) {
            return;
        }
        int pidDirs = 0;
        for (ProcEntry c : fs.list(dir, Credentials.ROOT)) {
            if (c instanceof ProcDir && c.name().chars().allMatch(Character::isDigit) && ++pidDirs > 2) {
                continue;
            }
            walk(fs, c, path + "/" + c.name(), out);
        }
    }

    private static String read(ProcFs fs, ProcFile f) {
        if (ProcFs.permission(f, Credentials.ROOT, ProcFs.MAY_READ) != 0) {
            return null;
        }
        return new String(fs.render(f, Credentials.ROOT), StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyWritableFileAnswersBadInputAsLinuxAndKeepsItsValueOnError() {
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), 31);
        SysctlTable table = SysctlTable.create();
        ProcFs fs = new ProcFs(k, ProcTree.create(table));
        List<String> files = writableFiles(fs);
        for (String known : List.of("/sys/vm/min_free_kbytes", "/sys/vm/lowmem_reserve_ratio", "/1/oom_score_adj",
                "/1/oom_adj", "/1/task/1/oom_score_adj")) {
            assertTrue(files.contains(known), "the walk finds " + known + " among " + files);
        }
        Map<String, List<String>> failures = new LinkedHashMap<>();
        for (String path : files) {
            ProcFile f = (ProcFile) fs.lookup(path, Credentials.ROOT);
            KernelWriteModel.Oracle oracle = KernelWriteModel.oracleFor(path, table);
            List<String> bad = new ArrayList<>();
            BadInputs inputs = new BadInputs(path.hashCode(), KernelWriteModel.bounds(path, table));
            for (int i = 0; i < INPUTS_PER_FILE; i++) {
                Input in = inputs.next();
                String before = read(fs, f);
                int returned;
                try {
                    returned = fs.write(f, Credentials.ROOT, in.data(), in.offset());
                } catch (RuntimeException | AssertionError e) {
                    bad.add(in.describe() + " threw " + e);
                    continue;
                }
                String after = read(fs, f);
                KernelWriteModel.Expect e = oracle.expect(in, before);
                String problem = e != null ? KernelWriteModel.compare(e, returned, after) : general(in, returned, before, after);
                if (problem != null && bad.size() < MAX_REPORTED) {
                    bad.add(in.describe() + ": " + problem);
                }
            }
            MmDebug.check(k.mm());
            if (!bad.isEmpty()) {
                failures.put(path, bad);
            }
        }
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            failures.forEach((p, l) -> sb.append(p).append(":\n  ").append(String.join("\n  ", l)).append('\n'));
            fail(sb.toString());
        }
    }

    private static String general(Input in, int returned, String before, String after) {
        if (returned >= 0 && returned > in.data().length) {
            return "returned " + returned + " for a write of " + in.data().length + " bytes";
        }
        if (returned < 0 && !HANDLER_ERRNOS.contains(-returned)) {
            return "returned " + KernelWriteModel.describe(returned) + ", not an errno of a write handler";
        }
        if (returned < 0 && before != null && !before.equals(after)) {
            return "failed with " + KernelWriteModel.describe(returned) + " but changed the value from '" + before.trim() + "' to '"
                    + after.trim() + "'";
        }
        return null;
    }

}
