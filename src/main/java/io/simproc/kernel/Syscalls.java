package io.simproc.kernel;

import io.simproc.mm.AddressSpace;
import io.simproc.mm.Memory;
import io.simproc.mm.Mempolicy;
import io.simproc.mm.MmStruct;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.PageContent;
import io.simproc.mm.Prot;
import io.simproc.mm.Vma;
import io.simproc.mm.VmEvent;
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
    /** System time to copy one cached page to or from user space. */
    static final long COPY_PAGE_NANOS = 300;
    /** I/O wait for one page read from the virtio disk (about 500 MB/s). */
    static final long READ_PAGE_IOWAIT_NANOS = 8_000;
    /** Pages per read request to the disk: a readahead window (VM_READAHEAD_PAGES, 128 KiB). */
    static final long READ_REQUEST_PAGES = 32;

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
        if ((flags & Prot.MAP_HUGETLB) != 0) {
            if (!anonymous || shared) {
                return -Errno.EINVAL;
            }
            // do_mmap(): hugetlb applies strict overcommit unless MAP_NORESERVE, whatever the overcommit policy.
            long htlbFlags = (flags & Prot.MAP_NORESERVE) != 0 ? vmFlags | VmFlags.VM_NORESERVE : vmFlags;
            long r = kernel.asCurrent(t.comm(), t.pid(), () -> kernel.mm().hugetlb().mapping().mmapAnon(m, addr, len,
                    htlbFlags, (flags & Prot.MAP_FIXED) != 0));
            if (r >= 0 && (flags & Prot.MAP_POPULATE) != 0) {
                touch(t, r, len, (prot & Prot.WRITE) != 0);
            }
            return r;
        }
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
        return kernel.sched().work(t, () -> kernel.asCurrent(t.comm(), t.pid(),
                () -> kernel.mm().mlock().mlock(mmOf(t), addr, len, true)));
    }

    public int munlock(Task t, long addr, long len) {
        assert kernel.isWriter();
        return kernel.mm().mlock().mlock(mmOf(t), addr, len, false);
    }

    /** prctl(2) options this machine knows: PR_SET_MEMORY_MERGE and PR_GET_MEMORY_MERGE (include/uapi/linux/prctl.h). */
    public static final int PR_SET_MEMORY_MERGE = 67;
    public static final int PR_GET_MEMORY_MERGE = 68;

    /**
     * prctl(2): PR_SET_MEMORY_MERGE with 1 makes every compatible VMA of the process mergeable by KSM, now and
     * later; with 0 unmerges them; PR_GET_MEMORY_MERGE returns the setting. Other options and values: EINVAL.
     */
    public int prctl(Task t, int option, long arg2) {
        assert kernel.isWriter();
        return switch (option) {
            case PR_SET_MEMORY_MERGE -> arg2 == 0 || arg2 == 1
                    ? kernel.mm().ksm().setMemoryMerge(mmOf(t), arg2 == 1) : -Errno.EINVAL;
            case PR_GET_MEMORY_MERGE -> mmOf(t).ksm().mergeAny() ? 1 : 0;
            default -> -Errno.EINVAL;
        };
    }

    /**
     * madvise(2): MADV_DONTNEED drops pages; MADV_HUGEPAGE and MADV_NOHUGEPAGE set whether transparent huge pages
     * may back the range, MADV_COLLAPSE makes THPs of it now; MADV_MERGEABLE and MADV_UNMERGEABLE whether KSM may merge its pages; the hint-only
     * advice values are accepted and change nothing.
     */
    public int madvise(Task t, long addr, long len, int advice) {
        assert kernel.isWriter();
        if ((addr & ~Page.PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        return switch (advice) {
            case Prot.MADV_DONTNEED -> kernel.mm().madvise().madviseDontneed(mmOf(t), addr, len);
            case Prot.MADV_HUGEPAGE -> kernel.mm().madvise().madviseHugepage(mmOf(t), addr, len, true);
            case Prot.MADV_NOHUGEPAGE -> kernel.mm().madvise().madviseHugepage(mmOf(t), addr, len, false);
            case Prot.MADV_COLLAPSE -> kernel.mm().madvise().madviseCollapse(mmOf(t), addr, len);
            case Prot.MADV_MERGEABLE -> kernel.mm().madvise().madviseMergeable(mmOf(t), addr, len, true);
            case Prot.MADV_UNMERGEABLE -> kernel.mm().madvise().madviseMergeable(mmOf(t), addr, len, false);
            case Prot.MADV_NORMAL, Prot.MADV_RANDOM, Prot.MADV_SEQUENTIAL, Prot.MADV_WILLNEED -> 0;
            default -> -Errno.EINVAL;
        };
    }

    /**
     * Loads ({@code write} false) or stores to every page of [addr, addr + len) by task t. Returns 0, -ENOMEM when a
     * page could not be had, -EFAULT after a segmentation fault killed the task, or -EINTR when the OOM killer chose
     * the task (it dies as the call returns).
     */
    public int touch(Task t, long addr, long len, boolean write) {
        return touch(t, addr, len, write, null, 0);
    }

    /**
     * {@link #touch} storing known data: with {@code data} given, the anonymous pages stored to hold page
     * {@code firstIndex}, {@code firstIndex + 1}... of the data named {@code data} ({@link PageContent#dataWord}) —
     * a guest loading the same image, a program copying the same file into its heap.
     */
    public int touch(Task t, long addr, long len, boolean write, String data, long firstIndex) {
        assert kernel.isWriter();
        StorageIo io = new StorageIo(t);
        int r = kernel.sched().work(t, () -> kernel.asCurrent(t.comm(), t.pid(),
                () -> doTouch(t, addr, len, write, data, firstIndex)));
        io.account();
        return r;
    }

    private int doTouch(Task t, long addr, long len, boolean write, String data, long firstIndex) {
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
                    kernel.interrupts().blockCompletions(1);
                    kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.SYSTEM, MAJOR_FAULT_NANOS);
                }
                case Memory.OOM -> {
                    return kernel.processes().leaderOf(t).isOomVictim() ? -Errno.EINTR : -Errno.ENOMEM;
                }
                case Memory.SIGBUS -> {
                    kernel.processes().kill(t, Processes.SIGBUS);
                    return -Errno.EFAULT;
                }
                default -> {
                    segfault(t, Math.max(a, addr), write, r);
                    return -Errno.EFAULT;
                }
            }
            if (kernel.processes().leaderOf(t).isOomVictim()) {
                return -Errno.EINTR;
            }
            if (write && data != null) {
                long index = firstIndex + ((a - (addr & Page.PAGE_MASK)) >>> Page.PAGE_SHIFT);
                memory.storeData(m, a, PageContent.dataWord(data, index));
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

    private int nid(Task t) {
        return kernel.mm().cpuToNode(t.cpu());
    }

    /**
     * The storage I/O a call of task t causes, counted as the kernel counts it in the task's context: every page
     * read from a device while it runs (pgpgin, in KiB) is its read_bytes, every page it dirties (nr_dirtied) its
     * write_bytes.
     */
    private final class StorageIo {
        private final Task t;
        private final long pgpgin;
        private final long dirtied;

        StorageIo(Task t) {
            this.t = t;
            this.pgpgin = kernel.mm().vmstat().event(VmEvent.PGPGIN);
            this.dirtied = kernel.mm().vmstat().globalNodeState(NodeStatItem.NR_DIRTIED);
        }

        void account() {
            t.ioac.readBytes += (kernel.mm().vmstat().event(VmEvent.PGPGIN) - pgpgin) << 10;
            t.ioac.writeBytes += (kernel.mm().vmstat().globalNodeState(NodeStatItem.NR_DIRTIED) - dirtied)
                    << Page.PAGE_SHIFT;
        }
    }

    /**
     * The CPU time of copying pages to or from user space, and the block completion interrupts of the pages read
     * from the device (the wait for the disk is the scheduler's, Sched).
     */
    private void chargeIo(Task t, long pagesCopied, long pagesFromDevice) {
        long sys = pagesCopied * COPY_PAGE_NANOS;
        t.stimeNanos += sys;
        kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.SYSTEM, sys);
        if (pagesFromDevice > 0) {
            kernel.interrupts().blockCompletions((pagesFromDevice + READ_REQUEST_PAGES - 1) / READ_REQUEST_PAGES);
        }
    }

    /**
     * read(2) of {@code len} bytes at {@code offset} of the file at {@code path} through the page cache (with
     * readahead; a file whose inode block is not cached reads it first). Returns the bytes read (short at the end
     * of the file), -ENOENT, or -ENOMEM when memory ran out.
     */
    public long read(Task t, String path, long offset, long len) {
        assert kernel.isWriter();
        return kernel.sched().work(t, () -> kernel.asCurrent(t.comm(), t.pid(), () -> doRead(t, path, offset, len)));
    }

    private long doRead(Task t, String path, long offset, long len) {
        AddressSpace f = kernel.vfs().open(path);
        if (f == null) {
            return -Errno.ENOENT;
        }
        long avail = Math.max(0, Math.min(len, f.sizeBytes() - offset));
        long[] range = Vfs.pageRange(offset, avail);
        StorageIo io = new StorageIo(t);
        long meta = kernel.mm().filemap().read(kernel.vfs().disk(), kernel.vfs().inodeBlock(f), 1, nid(t), t.cpu());
        long got = kernel.mm().filemap().read(f, range[0], range[1], nid(t), t.cpu());
        io.account();
        t.ioac.syscr++;
        if (got < 0 || meta < 0) {
            return -Errno.ENOMEM;
        }
        t.ioac.rchar += avail;
        chargeIo(t, range[1], got + meta);
        return avail;
    }

    /**
     * write(2) of {@code len} bytes at {@code offset} (whole pages) into the page cache; the file is created when
     * missing and grows past its end. Returns the bytes written: fewer than asked when the writer was throttled in
     * balance_dirty_pages (dirty memory above vm.dirty_ratio) or memory ran out, -ENOMEM when nothing could be
     * written for lack of memory.
     */
    public long write(Task t, String path, long offset, long len) {
        assert kernel.isWriter();
        return kernel.sched().work(t, () -> kernel.asCurrent(t.comm(), t.pid(), () -> doWrite(t, path, offset, len)));
    }

    private long doWrite(Task t, String path, long offset, long len) {
        AddressSpace f = kernel.vfs().open(path);
        if (f == null) {
            f = kernel.vfs().create(path, 0, nid(t), t.cpu());
        }
        long[] range = Vfs.pageRange(offset, len);
        StorageIo io = new StorageIo(t);
        long pages = kernel.mm().filemap().write(f, range[0], range[1], nid(t), t.cpu());
        io.account();
        t.ioac.syscw++;
        chargeIo(t, pages, 0);
        boolean throttled = kernel.mm().pageWriteback().overDirtyLimit();
        if (pages == 0 && range[1] > 0 && !throttled) {
            return -Errno.ENOMEM;
        }
        if (throttled && pages < range[1]) {
            kernel.sched().throttle(t, (range[1] - pages) * READ_PAGE_IOWAIT_NANOS);
        }
        long written = Math.min(len, pages << Page.PAGE_SHIFT);
        t.ioac.wchar += written;
        return written;
    }

    /** open(O_CREAT|O_EXCL) of a file of {@code sizeBytes} whose data is on disk. Returns 0 or -EEXIST. */
    public int create(Task t, String path, long sizeBytes) {
        assert kernel.isWriter();
        return kernel.vfs().create(path, sizeBytes, nid(t), t.cpu()) == null ? -Errno.EEXIST : 0;
    }

    /** unlink(2). */
    public int unlink(Task t, String path) {
        assert kernel.isWriter();
        AddressSpace f = kernel.vfs().lookup(path);
        long dirty = f == null ? 0 : f.nrDirty();
        int r = kernel.vfs().unlink(path);
        if (r == 0) {
            t.ioac.cancelledWriteBytes += (dirty - f.nrDirty()) << Page.PAGE_SHIFT;
        }
        return r;
    }

    /** fsync(2): the file's dirty pages are written and waited for. Returns 0 or -ENOENT. */
    public int fsync(Task t, String path) {
        assert kernel.isWriter();
        AddressSpace f = kernel.vfs().lookup(path);
        if (f == null) {
            return -Errno.ENOENT;
        }
        return kernel.sched().work(t, () -> {
            kernel.mm().bdi().fsync(f);
            kernel.mm().bdi().fsync(kernel.vfs().disk());
            return 0;
        });
    }

    /** sync(2): every dirty page of every file and of the disk is written and waited for. */
    public void sync(Task t) {
        assert kernel.isWriter();
        kernel.sched().work(t, () -> {
            kernel.mm().bdi().sync();
            return null;
        });
    }

    /**
     * read(2) on the block device itself (dd if=/dev/vda): the pages go through the disk's own cache and show
     * as Buffers. Returns the bytes read or -ENOMEM.
     */
    public long readBlockDevice(Task t, long offset, long len) {
        assert kernel.isWriter();
        return kernel.sched().work(t, () -> doReadBlockDevice(t, offset, len));
    }

    private long doReadBlockDevice(Task t, long offset, long len) {
        AddressSpace disk = kernel.vfs().disk();
        long avail = Math.max(0, Math.min(len, disk.sizeBytes() - offset));
        long[] range = Vfs.pageRange(offset, avail);
        StorageIo io = new StorageIo(t);
        long got = kernel.mm().filemap().read(disk, range[0], range[1], nid(t), t.cpu());
        io.account();
        t.ioac.syscr++;
        if (got < 0) {
            return -Errno.ENOMEM;
        }
        t.ioac.rchar += avail;
        chargeIo(t, range[1], got);
        return avail;
    }

    /**
     * swapon(2) of a device or file the machine profile declares, at {@code priority} (Integer.MIN_VALUE: the
     * profile's, which defaults to −2, −3… in order), or of the zram device once mkswap has made it a swap area
     * (EINVAL before: read_swap_header() finds no signature; Integer.MIN_VALUE: the next default priority).
     * Returns 0 or -errno.
     */
    public int swapon(Task t, String path, int priority) {
        assert kernel.isWriter();
        for (MachineProfile.SwapDevice d : kernel.profile().swap()) {
            if (d.path().equals(path)) {
                int prio = priority == Integer.MIN_VALUE ? d.priority() : priority;
                return kernel.mm().swap().swapon(path, d.type().equals("file"), d.sizeBytes(), prio);
            }
        }
        io.simproc.mm.Zram zram = kernel.mm().zram();
        if (zram != null && path.equals("/dev/" + zram.name())) {
            if (!zram.hasSwapSignature()) {
                return -Errno.EINVAL;
            }
            int prio = priority == Integer.MIN_VALUE ? kernel.mm().swap().nextDefaultPriority() : priority;
            return kernel.mm().swap().swapon(path, false, zram.disksize(), prio);
        }
        return -Errno.ENOENT;
    }

    /** swapoff(2). Returns 0, -EINVAL when the area is not active, -ENOMEM when its pages do not fit in memory. */
    public int swapoff(Task t, String path) {
        assert kernel.isWriter();
        return kernel.sched().work(t, () -> kernel.mm().swap().swapoff(path));
    }

    /**
     * set_mempolicy(2): the policy the process's pages come under from now on (its threads share the address space
     * the simulation keeps it with). Returns 0, or -EINVAL when no requested node has memory.
     */
    public int setMempolicy(Task t, Mempolicy.Request request) {
        assert kernel.isWriter();
        if (t.mm() == null) {
            return -Errno.EINVAL;
        }
        Mempolicy pol;
        try {
            pol = request.create(kernel.mm().mempolicy().memoryNodes());
        } catch (IllegalArgumentException e) {
            return -Errno.EINVAL;
        }
        kernel.mm().mempolicy().setMempolicy(t.mm(), pol);
        return 0;
    }

    /** fork(2). */
    public Task fork(Task parent) {
        return kernel.processes().fork(parent);
    }

    /** execve(2) of a dynamically linked ELF program: the interpreter and libraries are mapped as ld.so would. */
    public int execve(Task t, ElfImage exe, ElfImage interp, List<ElfImage> libs, List<String> argv) {
        assert kernel.isWriter();
        int r = kernel.chargingTo(t,
                () -> Exec.execve(kernel, t, exe, interp, libs, argv, kernel.aslr()));
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
