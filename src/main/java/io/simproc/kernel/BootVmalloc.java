package io.simproc.kernel;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.vmalloc.Vmalloc;
import io.simproc.uapi.Page;

/**
 * The vmalloc users of a booted x86_64 guest, in boot order, as its /proc/vmallocinfo shows them: each CPU's IRQ
 * stack (a vmap of percpu pages), the ACPI tables' and the BIOS areas' mappings, the HPET, for every virtio device
 * its two capability windows and its MSI-X table (ioremap of its BAR in the 64-bit PCI window), the loaded modules
 * (text, data and read-only data, each its own vmalloc), the percpu memory the boot allocates, and on NUMA machines
 * the boot's large hash tables spread over the nodes. Module count and sizes come from the boot's seeded stream.
 */
final class BootVmalloc {
    /** IRQ_STACK_SIZE: 16 KiB. */
    static final int IRQ_STACK_PAGES = 4;
    static final int MIN_MODULES = 35;
    static final int EXTRA_MODULES = 20;
    /** Dynamic percpu memory boot-time subsystems take per CPU (slab CPU caches, devices, network, cgroups). */
    static final long BOOT_PERCPU_BYTES = 200 << 10;
    static final int PERCPU_ALLOC_BYTES = 256;

    private BootVmalloc() {
    }

    static void populate(Kernel k, SeededRandom rnd) {
        MemoryManager mm = k.mm();
        Vmalloc v = mm.vmalloc();
        int cpus = k.profile().nrCpus();
        for (int cpu = 0; cpu < cpus; cpu++) {
            v.vmap(IRQ_STACK_PAGES, cpu, "irq_init_percpu_irqstack+0xca/0x100");
        }
        v.ioremap(0xa0000, 0x1000, 0, "acpi_os_map_iomem+0x1bc/0x1e0");
        v.ioremap(0x9f000, 0x2000, 0, "acpi_os_map_iomem+0x1bc/0x1e0");
        v.ioremap(0xfed00000L, 0x400, 0, "hpet_enable+0x3c/0x2f0");
        long win = Iomem.pci64Window(k.profile());
        for (int dev = 0; dev < Iomem.NR_VIRTIO_DEVICES; dev++) {
            long bar = win + dev * 0x80000L;
            v.ioremap(bar, 0x1000, 0, "vp_modern_map_capability+0x12d/0x1c0");
            v.ioremap(bar + 0x2000, 0x1000, 0, "vp_modern_map_capability+0x12d/0x1c0");
            v.ioremap(bar + 0x8000, 0x1000, 0, "__pci_enable_msix_range+0x305/0x520");
        }
        v.ioremap(0xdf000, 0x1000, 0, "memremap+0x123/0x210");
        if (mm.nrNodes() > 1) {
            long hashPages = Math.max(mm.nrNodes(), mm.vmstat().totalramPages() >>> 14);
            v.vmalloc(hashPages << Page.PAGE_SHIFT, Page.PAGE_SIZE, Gfp.GFP_KERNEL, 0, 0,
                    "alloc_large_system_hash+0x1d9/0x2e0");
        }
        for (long done = 0; done < BOOT_PERCPU_BYTES; done += PERCPU_ALLOC_BYTES) {
            mm.percpu().alloc(PERCPU_ALLOC_BYTES, rnd.nextInt(cpus));
        }
        int modules = MIN_MODULES + rnd.nextInt(EXTRA_MODULES);
        for (int i = 0; i < modules; i++) {
            int cpu = rnd.nextInt(cpus);
            int nid = mm.cpuToNode(cpu);
            int text = rnd.chance(0.1) ? rnd.nextInt(40, 200) : rnd.nextInt(1, 24);
            int data = rnd.nextInt(1, 6);
            int rodata = rnd.nextInt(1, Math.max(2, text / 2));
            for (int pages : new int[] {text, data, rodata}) {
                v.vmalloc((long) pages << Page.PAGE_SHIFT, Page.PAGE_SIZE, Gfp.GFP_KERNEL, nid, cpu,
                        "execmem_vmalloc+0x8b/0xd0");
            }
        }
    }
}
