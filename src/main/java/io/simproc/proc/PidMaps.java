package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.mm.AddressSpace;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Vma;
import io.simproc.mm.VmFlags;
import io.simproc.uapi.Errno;

/**
 * /proc/PID/maps (fs/proc/task_mmu.c show_map_vma, show_vma_header_prefix, get_vma_name): one line per VMA in
 * address order, then the x86_64 gate VMA [vsyscall]. The header's hex fields are zero-padded to at least 8 (2 for
 * the device numbers); a named line is padded so that the name starts at column 73 (seq_setwidth of
 * 25 + 6 × sizeof(void *) − 1, then one space), an unnamed one ends in {@code "0 "}. Empty for a task without an
 * address space; opening it needs the ptrace-read check (EACCES otherwise).
 */
public final class PidMaps implements ProcFile.Renderer {
    /** seq_setwidth() of show_vma_header_prefix on 64-bit: where the name column is padded to. */
    static final int NAME_PAD = 25 + 6 * 8 - 1;
    /** The gate VMA of x86_64 (VSYSCALL_ADDR), mapped execute-only. */
    static final long VSYSCALL_START = 0xffffffffff600000L;
    static final long VSYSCALL_END = 0xffffffffff601000L;
    static final long VSYSCALL_FLAGS = VmFlags.VM_EXEC;
    static final String VSYSCALL_NAME = "[vsyscall]";

    private final Task task;

    PidMaps(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        MmStruct mm = openMm(ctx, task);
        if (mm == null) {
            return new byte[0];
        }
        Seq s = new Seq(128 * (mm.mapCount() + 1));
        for (Vma v : mm.vmas()) {
            showMapVma(s, v);
        }
        showGateVma(s);
        return s.bytes();
    }

    /**
     * proc_mem_open(): the task's address space for a reader of maps/smaps, null when it has none (the file reads
     * empty); ESRCH when the task is gone, EACCES when the reader fails the ptrace-read check.
     */
    static MmStruct openMm(ProcContext ctx, Task task) {
        Task t = ProcBase.live(ctx, task);
        MmStruct mm = t.mm();
        if (mm == null) {
            return null;
        }
        if (!ProcBase.ptraceMayRead(ctx.who(), t)) {
            throw new ProcException(Errno.EACCES);
        }
        return mm;
    }

    /** show_map_vma(): the line of one VMA. */
    static void showMapVma(Seq s, Vma v) {
        AddressSpace file = v.file();
        int lineStart = s.length();
        if (file != null) {
            header(s, v.start(), v.end(), v.flags(), v.pgoff() << io.simproc.uapi.Page.PAGE_SHIFT, file.devMajor(),
                    file.devMinor(), file.ino());
            pad(s, lineStart);
            mangledPath(s, file.path());
        } else {
            header(s, v.start(), v.end(), v.flags(), 0, 0, 0, 0);
            if (v.name() != null) {
                pad(s, lineStart);
                s.put(v.name());
            }
        }
        s.nl();
    }

    /** The [vsyscall] line that follows the VMAs of every process. */
    static void showGateVma(Seq s) {
        int lineStart = s.length();
        header(s, VSYSCALL_START, VSYSCALL_END, VSYSCALL_FLAGS, 0, 0, 0, 0);
        pad(s, lineStart);
        s.put(VSYSCALL_NAME).nl();
    }

    /** show_vma_header_prefix(): {@code start-end perms offset major:minor inode } (with the trailing space). */
    static void header(Seq s, long start, long end, long flags, long pgoffBytes, int major, int minor, long ino) {
        s.hex(start, 8).put('-').hex(end, 8).put(' ');
        s.put((flags & VmFlags.VM_READ) != 0 ? 'r' : '-');
        s.put((flags & VmFlags.VM_WRITE) != 0 ? 'w' : '-');
        s.put((flags & VmFlags.VM_EXEC) != 0 ? 'x' : '-');
        s.put((flags & VmFlags.VM_MAYSHARE) != 0 ? 's' : 'p');
        s.put(' ').hex(pgoffBytes, 8).put(' ').hex(major, 2).put(':').hex(minor, 2).put(' ').put(ino).put(' ');
    }

    /** seq_pad(m, ' '): spaces up to the name column, then the separating space (only that when already past). */
    static void pad(Seq s, int lineStart) {
        s.spaces(NAME_PAD - (s.length() - lineStart)).put(' ');
    }

    /** seq_path(m, path, "\n"): a newline in a file name prints as \012. */
    static void mangledPath(Seq s, String path) {
        if (path.indexOf('\n') < 0) {
            s.put(path);
            return;
        }
        s.put(path.replace("\n", "\\012"));
    }
}
