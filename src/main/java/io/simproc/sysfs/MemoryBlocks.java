package io.simproc.sysfs;

import io.simproc.kernel.E820Entry;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.PgData;
import io.simproc.mm.Sparse;
import io.simproc.mm.Zone;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The memory blocks of drivers/base/memory.c as boot creates them: the physical address space cut into blocks of
 * memory_block_size_bytes(), a block for every one holding a present 128 MiB section (add_boot_memory_block), all
 * online. Each belongs to the nodes whose memory it holds, and to one zone when it lies in a single node and meets
 * a single populated zone of it (early_node_zone_for_memory_block), else to none.
 */
final class MemoryBlocks {
    /** MIN_MEMORY_BLOCK_SIZE on x86_64: one section, 128 MiB. */
    static final long MIN_MEMORY_BLOCK_SIZE = 1L << 27;
    /** MAX_BLOCK_SIZE (arch/x86/mm/init_64.c). */
    static final long MAX_BLOCK_SIZE = 2L << 30;
    /** MEM_SIZE_FOR_LARGE_BLOCK: below this end of memory, blocks stay at the minimum. */
    static final long MEM_SIZE_FOR_LARGE_BLOCK = 64L << 30;

    /**
     * One block.
     *
     * @param id    memory_block_id(): its number, the N of memoryN and its phys_index
     * @param nodes the nodes it holds memory of (a link to each)
     * @param zone  the zone valid_zones shows for it online, or null ("none")
     */
    record Block(int id, BitSet nodes, Zone zone) {
    }

    private final long blockSizeBytes;
    private final List<Block> blocks;

    private MemoryBlocks(long blockSizeBytes, List<Block> blocks) {
        this.blockSizeBytes = blockSizeBytes;
        this.blocks = List.copyOf(blocks);
    }

    long blockSizeBytes() {
        return blockSizeBytes;
    }

    List<Block> blocks() {
        return blocks;
    }

    /** The blocks of a booted machine (its memory layout does not change: there is no memory hotplug). */
    static MemoryBlocks of(Kernel k) {
        MemoryManager mm = k.mm();
        long size = probeMemoryBlockSize(k.profile());
        long pagesPerBlock = size >>> Page.PAGE_SHIFT;
        long sectionPages = 1L << Sparse.PFN_SECTION_SHIFT;
        long maxPfn = maxPfn(k.profile());
        List<Block> blocks = new ArrayList<>();
        for (long start = 0; start < maxPfn; start += pagesPerBlock) {
            BitSet nodes = new BitSet();
            for (long s = start; s < start + pagesPerBlock && s < maxPfn; s += sectionPages) {
                if (!mm.sparse().isSectionPresent(s)) {
                    continue;
                }
                for (PgData p : mm.nodes()) {
                    long ns = p.nodeStartPfn();
                    if (p.nodeSpannedPages() > 0 && ns < s + sectionPages && s < ns + p.nodeSpannedPages()) {
                        nodes.set(p.nodeId());
                    }
                }
            }
            if (!nodes.isEmpty()) {
                Zone zone = nodes.cardinality() == 1 ? singleZone(mm.node(nodes.nextSetBit(0)), start, pagesPerBlock)
                        : null;
                blocks.add(new Block((int) (start / pagesPerBlock), nodes, zone));
            }
        }
        return new MemoryBlocks(size, blocks);
    }

    /** early_node_zone_for_memory_block(): the one populated zone of the node the block meets, else null. */
    private static Zone singleZone(PgData pgdat, long start, long nrPages) {
        Zone match = null;
        for (Zone z : pgdat.zones()) {
            if (!z.isPopulated() || start >= z.zoneEndPfn() || start + nrPages <= z.zoneStartPfn()) {
                continue;
            }
            if (match != null) {
                return null;
            }
            match = z;
        }
        return match;
    }

    /**
     * probe_memory_block_size() (arch/x86/mm/init_64.c, no size given on the command line and no hotplug advice):
     * the minimum below 64 GiB of memory end; above, the maximum on bare metal and, under a hypervisor (the CPU
     * flag), the largest size up to the maximum that the end of memory is aligned to.
     */
    static long probeMemoryBlockSize(MachineProfile p) {
        long bootMemEnd = maxPfn(p) << Page.PAGE_SHIFT;
        if (bootMemEnd < MEM_SIZE_FOR_LARGE_BLOCK) {
            return MIN_MEMORY_BLOCK_SIZE;
        }
        long bz = MAX_BLOCK_SIZE;
        if (!(" " + p.cpu().flags() + " ").contains(" hypervisor ")) {
            return bz;
        }
        for (; bz > MIN_MEMORY_BLOCK_SIZE; bz >>= 1) {
            if (bootMemEnd % bz == 0) {
                break;
            }
        }
        return bz;
    }

    /** max_pfn: the end of the last RAM range of the firmware map (e820__end_of_ram_pfn). */
    static long maxPfn(MachineProfile p) {
        long end = 0;
        for (E820Entry e : p.e820()) {
            if (e.type() == E820Entry.Type.RAM) {
                end = Math.max(end, (e.end() + 1) >>> Page.PAGE_SHIFT);
            }
        }
        return end;
    }
}
