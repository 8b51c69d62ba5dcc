package io.simproc.scenario;

import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.kernel.Task;
import io.simproc.mm.AddressSpace;
import io.simproc.mm.Hugetlb;
import io.simproc.mm.Prot;

/**
 * {@code mmap}: the process maps {@code size} bytes of a file ({@code path}, created with that size on first use)
 * shared ({@code shared: true}: stores reach the file's page cache) or private (copy-on-write), readable and, with
 * {@code write: true}, writable. Nothing is read until a touch step accesses the region it names. With
 * {@code hugetlb: true} and no path it maps anonymous private hugetlb memory instead (MAP_ANONYMOUS | MAP_PRIVATE
 * | MAP_HUGETLB; the region is the size rounded up to 2 MiB): the mmap reserves a pool folio per 2 MiB or fails with ENOMEM,
 * and touches take them.
 */
final class MmapStep implements Step {
    private final String label;
    private final String name;
    private final String path;
    private final long size;
    private final boolean shared;
    private final boolean write;
    private final boolean hugetlb;

    private MmapStep(String label, String name, String path, long size, boolean shared, boolean write,
                     boolean hugetlb) {
        this.hugetlb = hugetlb;
        this.label = label;
        this.name = name;
        this.path = path;
        this.size = size;
        this.shared = shared;
        this.write = write;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "mmap";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            value.checkKeys("process", "name", "path", "size", "shared", "write", "hugetlb");
            String label = names.process(value.require("process"));
            boolean hugetlb = value.get("hugetlb") != null && value.get("hugetlb").bool();
            String path = null;
            if (hugetlb) {
                for (String key : new String[] {"path", "shared"}) {
                    if (value.get(key) != null) {
                        throw value.get(key).error(key + ": not with hugetlb (an anonymous private mapping)");
                    }
                }
            } else {
                path = value.require("path").string();
                if (!path.startsWith("/")) {
                    throw value.get("path").error("path: must be absolute, got '" + path + "'");
                }
            }
            long size = value.require("size").size();
            if (size == 0) {
                throw value.get("size").error("size: must be more than 0");
            }
            boolean shared = value.get("shared") != null && value.get("shared").bool();
            boolean write = value.get("write") != null && value.get("write").bool();
            YamlNode nameNode = value.require("name");
            names.defineRegion(label, nameNode, nameNode.string());
            return new MmapStep(label, nameNode.string(), path, size, shared, write, hugetlb);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = run.process(label);
        if (hugetlb) {
            long addr = run.kernel().syscalls().mmap(t, 0, size, Prot.READ | (write ? Prot.WRITE : 0),
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS | Prot.MAP_HUGETLB, null, 0);
            if (addr < 0) {
                throw StepException.errno(describe(), addr);
            }
            Region r = new Region(Region.Kind.MMAP);
            r.add(addr, (size + Hugetlb.HUGE_PAGE_SIZE - 1) & -Hugetlb.HUGE_PAGE_SIZE);
            run.putRegion(label, name, r);
            return;
        }
        AddressSpace file = run.kernel().vfs().file(path, size);
        if (file.sizeBytes() < size) {
            throw new StepException(describe() + ": " + path + " exists with " + Sizes.format(file.sizeBytes())
                    + ", less than " + Sizes.format(size));
        }
        long addr = run.kernel().syscalls().mmap(t, 0, size, Prot.READ | (write ? Prot.WRITE : 0),
                shared ? Prot.MAP_SHARED : Prot.MAP_PRIVATE, file, 0);
        if (addr < 0) {
            throw StepException.errno(describe(), addr);
        }
        Region r = new Region(Region.Kind.MMAP);
        r.add(addr, size);
        run.putRegion(label, name, r);
    }

    @Override
    public String describe() {
        if (hugetlb) {
            return "mmap " + Sizes.format(size) + " of hugetlb memory in " + label;
        }
        return "mmap " + Sizes.format(size) + " of " + path + (shared ? " shared" : " private") + " in " + label;
    }
}
