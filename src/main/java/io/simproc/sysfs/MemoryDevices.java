package io.simproc.sysfs;

import io.simproc.proc.ProcEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * /sys/devices/system/memory (drivers/base/memory.c): {@code block_size_bytes} in hex and a {@code memoryN}
 * directory per block of {@link MemoryBlocks}, what lsmem reads. Every block is online, on phys_device 0, always
 * reported removable; memory hotplug is not simulated, so the writable {@code online} and {@code state} fail a
 * write with EIO.
 */
final class MemoryDevices {
    private MemoryDevices() {
    }

    static ProcEntry dir(MemoryBlocks blocks) {
        List<ProcEntry> entries = new ArrayList<>();
        entries.add(Sysfs.text("block_size_bytes", Long.toHexString(blocks.blockSizeBytes())));
        for (MemoryBlocks.Block b : blocks.blocks()) {
            entries.add(block(b));
        }
        return Sysfs.dir("memory", entries);
    }

    private static ProcEntry block(MemoryBlocks.Block b) {
        List<ProcEntry> e = new ArrayList<>();
        for (int nid = b.nodes().nextSetBit(0); nid >= 0; nid = b.nodes().nextSetBit(nid + 1)) {
            e.add(Sysfs.link("node" + nid, "../../node/node" + nid));
        }
        e.add(Sysfs.attr("online", 0644, ctx -> Sysfs.line("1"), null));
        e.add(Sysfs.text("phys_device", "0"));
        e.add(Sysfs.text("phys_index", String.format("%08x", b.id())));
        e.add(Sysfs.text("removable", "1"));
        e.add(Sysfs.attr("state", 0644, ctx -> Sysfs.line("online"), null));
        e.add(Sysfs.text("valid_zones", b.zone() == null ? "none" : b.zone().type().procName()));
        return Sysfs.dir("memory" + b.id(), e);
    }
}
