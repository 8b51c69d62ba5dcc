package io.simproc.sysfs;

import io.simproc.mm.Hugetlb;
import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The hstate kobjects of mm/hugetlb_sysfs.c: /sys/kernel/mm/hugepages/hugepages-2048kB (hstate_attrs) and, for
 * each node with memory, /sys/devices/system/node/nodeN/hugepages/hugepages-2048kB (per_node_hstate_attrs: the
 * node's nr, free and surplus counts). Writing {@code nr_hugepages} resizes the pool ({@link Hugetlb}), globally
 * or the node's share; the written text is kstrtoul()'s: anything but a decimal number is EINVAL (ERANGE past an
 * unsigned long) and changes nothing. A pool that could not grow as far as asked is not an error: the file then
 * shows what was reached.
 */
final class Hugepages {
    /** The hstate's directory name, "hugepages-%lukB". */
    static final String HSTATE_NAME = "hugepages-" + Hugetlb.HUGE_PAGE_SIZE_KB + "kB";

    private Hugepages() {
    }

    /** /sys/kernel/mm/hugepages. */
    static ProcEntry dir() {
        return Sysfs.dir("hugepages", List.of(Sysfs.dir(HSTATE_NAME, List.of(
                count("free_hugepages", Hugetlb::freeHugePages),
                Sysfs.attr("nr_hugepages", 0644, show(Hugetlb::nrHugePages), (ctx, buf) -> store(ctx, buf, -1)),
                Sysfs.attr("nr_hugepages_mempolicy", 0644, show(Hugetlb::nrHugePages),
                        (ctx, buf) -> store(ctx, buf, -1)),
                Sysfs.attr("nr_overcommit_hugepages", 0644, show(Hugetlb::nrOvercommitHugePages),
                        Hugepages::overcommitStore),
                count("resv_hugepages", Hugetlb::resvHugePages),
                count("surplus_hugepages", Hugetlb::surplusHugePages)))));
    }

    /** nodeN/hugepages. */
    static ProcEntry nodeDir(int nid) {
        return Sysfs.dir("hugepages", List.of(Sysfs.dir(HSTATE_NAME, List.of(
                count("free_hugepages", h -> h.freeHugePagesNode(nid)),
                Sysfs.attr("nr_hugepages", 0644, show(h -> h.nrHugePagesNode(nid)), (ctx, buf) -> store(ctx, buf, nid)),
                count("surplus_hugepages", h -> h.surplusHugePagesNode(nid))))));
    }

    private static ProcFile count(String name, ToLongFunction<Hugetlb> value) {
        return Sysfs.ro(name, show(value));
    }

    /** The *_show() functions: {@code "%lu\n"}. */
    private static ProcFile.Renderer show(ToLongFunction<Hugetlb> value) {
        return ctx -> Sysfs.line(Long.toUnsignedString(value.applyAsLong(ctx.kernel().mm().hugetlb())));
    }

    /** nr_hugepages_store_common(): kstrtoul, then the resize on all nodes with memory or on node {@code nid}. */
    private static int store(ProcContext ctx, String buf, int nid) {
        Sysfs.Parsed v = Sysfs.kstrtoul(buf);
        if (!v.ok()) {
            return -v.errno();
        }
        ctx.kernel().mm().hugetlb().setMaxHugePages(v.value(), nid);
        return 0;
    }

    /** nr_overcommit_hugepages_store(). */
    private static int overcommitStore(ProcContext ctx, String buf) {
        Sysfs.Parsed v = Sysfs.kstrtoul(buf);
        if (!v.ok()) {
            return -v.errno();
        }
        ctx.kernel().mm().hugetlb().setNrOvercommitHugePages(v.value());
        return 0;
    }
}
