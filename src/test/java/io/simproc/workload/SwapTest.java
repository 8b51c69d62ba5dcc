package io.simproc.workload;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Anon pages swapped out under pressure, back in on fault, shared after fork, freed at exit, swapoff. */
class SwapTest {
    private final Program bash = ProgramCatalog.embedded().program("bash");

    static Kernel machine(String swap) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 512M\n" + swap), 1);
        k.setDebugChecks(true);
        return k;
    }

    private Task spawn(Kernel k) {
        return k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            return t;
        });
    }

    private long fill(Kernel k, Task t, long len) {
        long addr = k.mutate(() -> k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
        for (long off = 0; off < len; off += 8L << 20) {
            long o = off;
            int r = k.mutate(() -> k.syscalls().touch(t, addr + o, 8L << 20, true));
            assertEquals(0, r, () -> state(k.mm()));
            k.advance(1);
        }
        return addr;
    }

    static String state(MemoryManager mm) {
        StringBuilder b = new StringBuilder();
        for (VmEvent e : new VmEvent[] {VmEvent.ALLOCSTALL_NORMAL, VmEvent.ALLOCSTALL_DMA32, VmEvent.PGSCAN_DIRECT,
            VmEvent.PGSTEAL_DIRECT, VmEvent.PGSCAN_KSWAPD, VmEvent.PGSTEAL_KSWAPD, VmEvent.PSWPOUT,
            VmEvent.PGSCAN_ANON, VmEvent.PGREFILL, VmEvent.PGDEACTIVATE, VmEvent.PGACTIVATE}) {
            b.append(e.procName()).append('=').append(mm.vmstat().event(e)).append(' ');
        }
        for (io.simproc.mm.NodeStatItem i : io.simproc.mm.NodeStatItem.values()) {
            if (i.ordinal() < 5 || i == io.simproc.mm.NodeStatItem.NR_FILE_PAGES) {
                b.append(i.procName()).append('=').append(mm.vmstat().globalNodeState(i)).append(' ');
            }
        }
        b.append("free=").append(mm.vmstat().globalZoneState(io.simproc.mm.ZoneStatItem.NR_FREE_PAGES));
        b.append(" swapfree=").append(mm.swap().nrSwapPagesFree());
        return b.toString();
    }

    @Test
    void anonPressureSwapsOutAndFaultsBackIn() {
        Kernel k = machine("swap:\n  - path: /dev/vda2\n    size: 256M\n");
        MemoryManager mm = k.mm();
        k.advance(2 * Clock.HZ);
        assertEquals(65535, mm.swap().totalSwapPages());
        Task t = spawn(k);
        long len = 480L << 20;
        long addr = fill(k, t, len);
        assertTrue(mm.vmstat().event(VmEvent.PSWPOUT) > 1000, "pswpout " + mm.vmstat().event(VmEvent.PSWPOUT));
        assertTrue(mm.swap().nrSwapPagesFree() < mm.swap().totalSwapPages());
        assertTrue(t.mm().rss(MmStruct.MM_SWAPENTS) > 0);
        long pswpin = mm.vmstat().event(VmEvent.PSWPIN);
        long majflt = t.majflt();
        assertEquals(0, (int) k.mutate(() -> k.syscalls().touch(t, addr, 4L << 20, false)));
        assertTrue(mm.vmstat().event(VmEvent.PSWPIN) > pswpin);
        assertTrue(t.majflt() > majflt, "swap-ins are major faults");
        Task child = k.mutate(() -> k.processes().fork(t));
        assertEquals(t.mm().rss(MmStruct.MM_SWAPENTS), child.mm().rss(MmStruct.MM_SWAPENTS), "fork shares slots");
        k.mutate(() -> {
            k.syscalls().exit(child, 0);
            k.syscalls().exit(t, 0);
            return null;
        });
        k.advance(Clock.HZ);
        assertEquals(mm.swap().totalSwapPages(), mm.swap().nrSwapPagesFree(), "exit frees every slot");
    }

    @Test
    void withoutSwapAnonIsNotReclaimed() {
        Kernel k = machine("");
        MemoryManager mm = k.mm();
        Task t = spawn(k);
        fill(k, t, 256L << 20);
        assertEquals(0, mm.vmstat().event(VmEvent.PSWPOUT));
        assertEquals(0, mm.vmstat().event(VmEvent.PGSCAN_ANON));
    }

    @Test
    void swapoffBringsEveryPageBack() {
        Kernel k = machine("swap:\n  - path: /dev/vda2\n    size: 256M\n");
        MemoryManager mm = k.mm();
        k.advance(2 * Clock.HZ);
        Task t = spawn(k);
        fill(k, t, 440L << 20);
        assertTrue(mm.swap().nrSwapPagesFree() < mm.swap().totalSwapPages());
        long swapents = t.mm().rss(MmStruct.MM_SWAPENTS);
        long exit = k.mutate(() -> {
            k.syscalls().exit(t, 0);
            return 0L;
        });
        assertEquals(0, exit);
        assertTrue(swapents > 0);
        assertEquals(0, (int) k.mutate(() -> k.syscalls().swapoff(k.tasks().get(1), "/dev/vda2")));
        assertEquals(0, mm.swap().totalSwapPages());
        assertEquals(-22, (int) k.mutate(() -> k.syscalls().swapoff(k.tasks().get(1), "/dev/vda2")));
        assertEquals(0, (int) k.mutate(() -> k.syscalls().swapon(k.tasks().get(1), "/dev/vda2", Integer.MIN_VALUE)));
        assertEquals(65535, mm.swap().totalSwapPages());
    }
}
