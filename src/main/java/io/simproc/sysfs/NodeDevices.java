package io.simproc.sysfs;

import io.simproc.kernel.Kernel;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.PgData;
import io.simproc.mm.Zone;
import io.simproc.mm.ZoneType;
import io.simproc.proc.Bitmaps;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.Seq;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * /sys/devices/system/node (drivers/base/node.c): the node state masks (possible, online, has_normal_memory,
 * has_memory, has_cpu) and a {@code nodeN} directory per node with its CPUs (cpumap, cpulist and cpuK links), its
 * memory blocks (memoryM links), its share of the hugetlb pool ({@link Hugepages}, nodes with memory only), {@link NodeMeminfo}, {@link NodeStat}'s numastat and vmstat, distance and the
 * write-only compact. Every node is online; without a SLIT table the distance is LOCAL_DISTANCE to itself and
 * REMOTE_DISTANCE to the others (__node_distance), which is also why the zonelists try the other nodes in turn.
 */
final class NodeDevices {
    /** LOCAL_DISTANCE, REMOTE_DISTANCE (include/linux/topology.h). */
    static final int LOCAL_DISTANCE = 10;
    static final int REMOTE_DISTANCE = 20;

    private NodeDevices() {
    }

    static ProcEntry dir(Kernel k, MemoryBlocks blocks) {
        MemoryManager mm = k.mm();
        int nodes = mm.nrNodes();
        BitSet all = Bitmaps.range(0, nodes);
        BitSet normal = new BitSet();
        BitSet memory = new BitSet();
        BitSet cpu = new BitSet();
        for (PgData p : mm.nodes()) {
            if (p.nodePresentPages() > 0) {
                memory.set(p.nodeId());
            }
            for (Zone z : p.zones()) {
                if (z.isPopulated()) {
                    if (z.type().ordinal() < ZoneType.MOVABLE.ordinal()) {
                        normal.set(p.nodeId());
                    }
                    break;
                }
            }
        }
        for (int c = 0; c < mm.nrCpus(); c++) {
            cpu.set(mm.cpuToNode(c));
        }
        List<ProcEntry> entries = new ArrayList<>();
        entries.add(nodeList("possible", all));
        entries.add(nodeList("online", all));
        entries.add(nodeList("has_normal_memory", normal));
        entries.add(nodeList("has_memory", memory));
        entries.add(nodeList("has_cpu", cpu));
        for (int nid = 0; nid < nodes; nid++) {
            entries.add(node(mm, nid, blocks));
        }
        return Sysfs.dir("node", entries);
    }

    /** print_nodes_state(): {@code "%*pbl\n"}. */
    private static ProcFile nodeList(String name, BitSet nodes) {
        byte[] bytes = Sysfs.line(Bitmaps.list(new Seq(), nodes));
        return Sysfs.ro(name, ctx -> bytes);
    }

    private static ProcEntry node(MemoryManager mm, int nid, MemoryBlocks blocks) {
        BitSet cpus = new BitSet();
        for (int c = 0; c < mm.nrCpus(); c++) {
            if (mm.cpuToNode(c) == nid) {
                cpus.set(c);
            }
        }
        int nrCpuIds = mm.nrCpus();
        byte[] cpumap = Sysfs.line(Bitmaps.mask(new Seq(), cpus, nrCpuIds));
        byte[] cpulist = Sysfs.line(Bitmaps.list(new Seq(), cpus));
        Seq distance = new Seq();
        for (int i = 0; i < mm.nrNodes(); i++) {
            distance.put(i == 0 ? "" : " ").put(i == nid ? LOCAL_DISTANCE : REMOTE_DISTANCE);
        }
        byte[] distanceBytes = Sysfs.line(distance);
        List<ProcEntry> e = new ArrayList<>();
        e.add(Sysfs.wo("compact", (ctx, buf) -> {
            ctx.kernel().mm().compaction().compactNode(nid);
            return 0;
        }));
        for (int c = cpus.nextSetBit(0); c >= 0; c = cpus.nextSetBit(c + 1)) {
            e.add(Sysfs.link("cpu" + c, "../../cpu/cpu" + c));
        }
        e.add(Sysfs.ro("cpulist", ctx -> cpulist));
        e.add(Sysfs.ro("cpumap", ctx -> cpumap));
        e.add(Sysfs.ro("distance", ctx -> distanceBytes));
        if (mm.nodes().get(nid).nodePresentPages() > 0) {
            e.add(Hugepages.nodeDir(nid));
        }
        e.add(Sysfs.ro("meminfo", new NodeMeminfo(nid)));
        for (MemoryBlocks.Block b : blocks.blocks()) {
            if (b.nodes().get(nid)) {
                e.add(Sysfs.link("memory" + b.id(), "../../memory/memory" + b.id()));
            }
        }
        e.add(Sysfs.ro("numastat", NodeStat.numastat(nid)));
        e.add(Sysfs.ro("vmstat", NodeStat.vmstat(nid)));
        return Sysfs.dir("node" + nid, e);
    }
}
