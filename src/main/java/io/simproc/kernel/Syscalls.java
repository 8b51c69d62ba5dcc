package io.simproc.kernel;

import io.simproc.mm.AddressSpace;
import io.simproc.mm.Memory;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Prot;
import io.simproc.mm.Vma;
import io.simproc.mm.VmFlags;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.List;

/**
 * The system calls simulated programs make, with the kernel's argument checks and errno results: mmap, munmap,
 * mprotect, brk, mlock, munlock, madvise, fork, execve, setuid, exit — and {@link #touch}, the loads and stores a
 * program does, which fault pages in. Faults are counted per task (minflt, majflt) and cost it system time; an
 * access the mappings do not allow kills the task with SIGSEGV, logged as the kernel logs segfaults.
 */
public final class Syscalls {
    /** System time one fault costs: a minor fault, and the CPU part of a major one. */
    static final long MINOR_FAULT_NANOS = 700;
    static final long MAJOR_FAULT_NANOS = 25_000;

    private final Kernel kernel;

    Syscalls(Kernel kernel) {
        this.kernel = kernel;
    }

    private MmStruct mmOf(Task t) {
        if (t.mm() == null) {
            throw new IllegalStateException("pid " + t.pid() + " has no address space");
        }
        return t.mm();
    }

    /** mmap(2). Returns the address or -errno. */
    public long mmap(Task t, long addr, long len, int prot, int flags, AddressSpace file, long offset) {
        assert kernel.isWriter();
        if (len <= 0 || (offset & ~Page.PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        boolean shared = (flags & Prot.MAP_SHARED) != 0;
        boolean priv = (flags & Prot.MAP_PRIVATE) != 0;
        if (shared == priv) {
            return -Errno.EINVAL;
        }
        boolean anonymous = (flags & Prot.MAP_ANONYMOUS) != 0;
        if (!anonymous && file == null) {
            return -Errno.EBADF;
        }
        long vmFlags = VmFlags.fromProt(prot, shared);
        if ((flags & Prot.MAP_LOCKED) != 0) {
            vmFlags |= VmFlags.VM_LOCKED;
        }
        if ((flags & Prot.MAP_NORESERVE) != 0 && kernel.mm().overcommit().honoursNoreserve()) {
            vmFlags |= VmFlags.VM_NORESERVE;
        }
        if ((flags & Prot.MAP_GROWSDOWN) != 0) {
            vmFlags |= VmFlags.VM_GROWSDOWN;
        }
        MmStruct m = mmOf(t);
        long finalFlags = vmFlags;
        long r = kernel.asCurrent(t.comm(), t.pid(), () -> kernel.mm().mmap().mmap(m, addr, len, finalFlags,
                anonymous ? null : file, offset >>> Page.PAGE_SHIFT, null, (flags & Prot.MAP_FIXED) != 0));
        if (r >= 0 && (flags & Prot.MAP_POPULATE) != 0) {
            touch(t, r, len, shared && (prot & Prot.WRITE) != 0 || !shared && (prot & Prot.WRITE) != 0);
        }
        return r;
    }

    public int munmap(Task t, long addr, long len) {
        assert kernel.isWriter();
        return kernel.mm().mmap().munmap(mmOf(t), addr, len);
    }

    public int mprotect(Task t, long addr, long len, int prot) {
        assert kernel.isWriter();
        return kernel.asCurrent(t.comm(), t.pid(), () -> kernel.mm().mmap().mprotect(mmOf(t), addr, len, prot));
    }

    /** brk(2): returns the new break, or the old one if the request was refused. */
    public long brk(Task t, long newBrk) {
        assert kernel.isWriter();
        return kernel.asCurrent(t.comm(), t.pid(), () -> kernel.mm().mmap().brk(mmOf(t), newBrk));
    }

    public int mlock(Task t, long addr, long len) {
        assert kernel.isWriter();
        return kernel.asCurrent(t.comm(), t.pid(), () -> kernel.mm().mmap().mlock(mmOf(t), addr, len, true));
    }

    public int munlock(Task t, long addr, long len) {
        assert kernel.isWriter();
        return kernel.mm().mmap().mlock(mmOf(t), addr, len, false);
    }

    /** madvise(2): MADV_DONTNEED drops pages; the hint-only advice values are accepted and change nothing. */
    public int madvise(Task t, long addr, long len, int advice) {
        assert kernel.isWriter();
        if ((addr & ~Page.PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        return switch (advice) {
            case Prot.MADV_DONTNEED -> kernel.mm().mmap().madviseDontneed(mmOf(t), addr, len);
            case Prot.MADV_NORMAL, Prot.MADV_RANDOM, Prot.MADV_SEQUENTIAL, Prot.MADV_WILLNEED -> 0;
            default -> -Errno.EINVAL;
        };
    }

    /**
     * Loads ({@code write} false) or stores to every page of [addr, addr + len) by task t. Returns 0, -ENOMEM when a
     * page could not be had, or -EFAULT after a segmentation fault killed the task.
     */
    public int touch(Task t, long addr, long len, boolean write) {
        assert kernel.isWriter();
        return kernel.asCurrent(t.comm(), t.pid(), () -> doTouch(t, addr, len, write));
    }

    private int doTouch(Task t, long addr, long len, boolean write) {
        MmStruct m = mmOf(t);
        Memory memory = kernel.mm().memory();
        long end = addr + len;
        for (long a = addr & Page.PAGE_MASK; a < end; a += Page.PAGE_SIZE) {
            int r = memory.access(m, a, write);
            switch (r) {
                case Memory.HIT -> {
                }
                case Memory.MINOR -> {
                    t.minflt++;
                    t.stimeNanos += MINOR_FAULT_NANOS;
                    kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.SYSTEM, MINOR_FAULT_NANOS);
                }
                case Memory.MAJOR -> {
                    t.majflt++;
                    t.stimeNanos += MAJOR_FAULT_NANOS;
                    kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.SYSTEM, MAJOR_FAULT_NANOS);
                }
                case Memory.OOM -> {
                    return -Errno.ENOMEM;
                }
                default -> {
                    segfault(t, Math.max(a, addr), write, r);
                    return -Errno.EFAULT;
                }
            }
        }
        return 0;
    }

    /**
     * show_signal_msg() of arch/x86/mm/fault.c, then SIGSEGV: {@code comm[pid]: segfault at ADDR ip IP sp SP error
     * CODE in FILE[START+SIZE] likely on CPU N (core N, socket N)}.
     */
    private void segfault(Task t, long addr, boolean write, int result) {
        MmStruct m = t.mm();
        Vma where = m.findVma(addr);
        int error = 4 | (write ? 2 : 0) | (where != null ? 1 : 0);
        long ip = m.startCode() + 0x1a2bL;
        long sp = m.startStack() - 0x88;
        Vma text = m.findVma(ip);
        String in = text == null ? "" : String.format(" in %s[%x+%x]", baseName(text), text.start(), text.size());
        int cpu = t.cpu();
        int perSocket = Math.max(1, kernel.profile().nrCpus() / kernel.profile().nrNodes());
        kernel.printk(6, String.format("%s[%d]: segfault at %x ip %016x sp %016x error %x%s likely on CPU %d"
                + " (core %d, socket %d)", t.comm(), t.pid(), addr, ip, sp, error, in, cpu, cpu % perSocket,
                cpu / perSocket));
        kernel.processes().kill(t, Processes.SIGSEGV);
    }

    private static String baseName(Vma v) {
        if (v.file() == null) {
            return v.name() == null ? "" : v.name();
        }
        String p = v.file().path();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** fork(2). */
    public Task fork(Task parent) {
        return kernel.processes().fork(parent);
    }

    /** execve(2) of a dynamically linked ELF program: the interpreter and libraries are mapped as ld.so would. */
    public int execve(Task t, ElfImage exe, ElfImage interp, List<ElfImage> libs, List<String> argv) {
        assert kernel.isWriter();
        int r = Exec.execve(kernel, t, exe, interp, libs, argv, kernel.aslr());
        if (r == 0) {
            kernel.processes().adoptMm(t.mm());
            kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.SYSTEM, 400_000);
        }
        return r;
    }

    /**
     * setresgid(2) then setresuid(2) to one id each, as a root program dropping its privileges does (login, a
     * daemon starting a worker): every thread of the process takes the new ids. Returns 0, or -EPERM when a
     * non-root process asks for ids other than its own.
     */
    public int setuid(Task t, int uid, int gid) {
        assert kernel.isWriter();
        Task leader = kernel.processes().leaderOf(t);
        if (leader.uid() != 0 && (uid != leader.uid() || gid != leader.gid())) {
            return -Errno.EPERM;
        }
        for (int tid : leader.threads()) {
            Task th = kernel.tasks().get(tid);
            if (th != null) {
                th.setCreds(uid, gid);
            }
        }
        leader.setCreds(uid, gid);
        return 0;
    }

    /** exit_group(2). */
    public void exit(Task t, int code) {
        kernel.processes().exit(t, (code & 0xff) << 8);
    }
}
