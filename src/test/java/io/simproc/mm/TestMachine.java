package io.simproc.mm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hand-built machines for memory manager tests: the memblock and CPU layout that arch/x86 setup would hand to
 * mm/mm_init.c, booted the way {@code io.simproc.kernel.Boot} does it (MemoryManager.create, memblock_free_all,
 * then the reserves), but without the kernel's churn, so a test owns every allocation. Small layouts keep a full
 * {@link MmDebug} pass cheap enough to run after every operation.
 */
final class TestMachine {
    /** First pfn above the legacy 640 KiB area and the BIOS hole (0x9fc00-0xfffff), as in the generated e820. */
    static final long LOW_RAM_END_PFN = 0x9f;
    static final long ONE_MIB_PFN = 0x100;

    private final Memblock memblock = new Memblock();
    private final List<long[]> memory = new ArrayList<>();
    private final List<long[]> reserved = new ArrayList<>();
    private int[] cpuToNode = {0, 0};
    private KernelConfig config = KernelConfig.DEFAULT;
    private int nrNodes = 1;
    private Consumer<MemoryManager> beforeReserves = mm -> { };

    /** RAM [startPfn, endPfn) on node nid. */
    TestMachine ram(long startPfn, long endPfn, int nid) {
        memblock.addMemory(startPfn, endPfn, nid);
        memory.add(new long[] {startPfn, endPfn});
        nrNodes = Math.max(nrNodes, nid + 1);
        return this;
    }

    /** A memblock reservation [startPfn, endPfn): never handed to the buddy allocator. */
    TestMachine reserve(long startPfn, long endPfn) {
        memblock.reserve(startPfn, endPfn, "test");
        reserved.add(new long[] {startPfn, endPfn});
        return this;
    }

    /** One entry per CPU: the node it belongs to. */
    TestMachine cpus(int... nodes) {
        this.cpuToNode = nodes.clone();
        return this;
    }

    TestMachine config(KernelConfig c) {
        this.config = c;
        return this;
    }

    /** Runs after memblock_free_all and before the reserves are computed (where Boot activates CMA). */
    TestMachine beforeReserves(Consumer<MemoryManager> hook) {
        this.beforeReserves = hook;
        return this;
    }

    /**
     * The low memory of a PC: RAM at pfn 1..0x9e and from 1 MiB up to {@code mib} MiB, the first MiB reserved
     * (real mode and BIOS), so that ZONE_DMA starts at pfn 1 and holds the BIOS hole, as on real machines.
     */
    static TestMachine pcLowMemory(int mib) {
        return new TestMachine()
                .ram(1, LOW_RAM_END_PFN, 0)
                .ram(ONE_MIB_PFN, (long) mib << 8, 0)
                .reserve(0, ONE_MIB_PFN);
    }

    /** Pages memblock_free_all must hand to the buddy allocator: RAM minus reservations, counted pfn by pfn. */
    long expectedManaged() {
        long n = 0;
        for (long[] m : memory) {
            for (long pfn = m[0]; pfn < m[1]; pfn++) {
                boolean isReserved = false;
                for (long[] r : reserved) {
                    if (pfn >= r[0] && pfn < r[1]) {
                        isReserved = true;
                        break;
                    }
                }
                if (!isReserved) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The RAM ranges given with {@link #ram}, [start, end) in pfns. */
    List<long[]> ramRanges() {
        return List.copyOf(memory);
    }

    int nrCpus() {
        return cpuToNode.length;
    }

    /** Boot the machine: zones and mem_map, every free page to the buddy allocator, then watermarks and pcp. */
    MemoryManager boot(FakeKernelServices services) {
        long[] noMovable = new long[nrNodes];
        Arrays.fill(noMovable, -1);
        MemoryManager mm = MemoryManager.create(memblock, new ZoneLayout(nrNodes, noMovable), config, services,
                cpuToNode);
        mm.memblockFreeAll(memblock);
        beforeReserves.accept(mm);
        mm.initReserves();
        return mm;
    }
}
