package io.simproc.kernel;

import io.simproc.uapi.Page;

/**
 * Builds the physical resource tree /proc/iomem shows: the e820 ranges under their kernel names, the legacy BIOS
 * area's ROMs, the kernel image and crash kernel inside System RAM, the platform devices of the 32-bit hole
 * (IOAPIC, HPET, Local APIC) and the PCI host bridge windows with their devices.
 */
final class Iomem {
    /** Start of the 64-bit PCI window: 256 GiB or the first 256 GiB boundary above RAM. */
    static final long PCI64_ALIGN = 256L << 30;
    /** The virtio devices behind the host bridge, each with a 512 KiB memory BAR in the 64-bit window. */
    static final int NR_VIRTIO_DEVICES = 5;
    /** The 32-bit PCI window ends where the IOAPIC's registers start. */
    static final long IOAPIC_BASE = 0xfec00000L;

    private Iomem() {
    }

    /** Start of the 64-bit PCI window: 256 GiB or the first 256 GiB boundary above RAM. */
    static long pci64Window(long ramEnd) {
        return Math.max(PCI64_ALIGN, (ramEnd + PCI64_ALIGN - 1) / PCI64_ALIGN * PCI64_ALIGN);
    }

    /** The 64-bit PCI window of a machine profile. */
    static long pci64Window(MachineProfile p) {
        long ramEnd = 0;
        for (E820Entry e : p.e820()) {
            if (e.type() == E820Entry.Type.RAM) {
                ramEnd = Math.max(ramEnd, e.end() + 1);
            }
        }
        return pci64Window(ramEnd);
    }

    static Resource build(MachineProfile p, long[] crashPfns) {
        Resource root = new Resource("PCI mem", 0, -1L >>> 1);
        long ramEnd = 0;
        long lowTop = 0;
        for (E820Entry e : p.e820()) {
            root.insert(new Resource(e.type().iomemName(), e.start(), e.end()));
            if (e.type() == E820Entry.Type.RAM) {
                ramEnd = Math.max(ramEnd, e.end() + 1);
            }
            if (e.end() < IOAPIC_BASE) {
                lowTop = Math.max(lowTop, e.end() + 1);
            }
        }
        root.insert(new Resource("PCI Bus 0000:00", 0xa0000, 0xbffff));
        root.insert(new Resource("Video ROM", 0xc0000, 0xc99ff));
        root.insert(new Resource("System ROM", 0xf0000, 0xfffff));

        MachineProfile.KernelImage img = p.kernelImage();
        root.insert(new Resource("Kernel code", img.codeStart(), img.codeStart() + img.codeSize() - 1));
        root.insert(new Resource("Kernel rodata", img.rodataStart(), img.rodataStart() + img.rodataSize() - 1));
        root.insert(new Resource("Kernel data", img.dataStart(), img.dataStart() + img.dataSize() - 1));
        root.insert(new Resource("Kernel bss", img.bssStart(), img.bssStart() + img.bssSize() - 1));
        if (crashPfns != null) {
            root.insert(new Resource("Crash kernel", Page.bytes(crashPfns[0]), Page.bytes(crashPfns[1]) - 1));
        }

        long holeStart = (lowTop + 0xfffffL) & ~0xfffffL;
        if (holeStart < IOAPIC_BASE) {
            Resource bridge = new Resource("PCI Bus 0000:00", holeStart, 0xfebfffffL);
            if (root.insert(bridge)) {
                long fb = 0xfd000000L;
                if (fb >= holeStart) {
                    root.insert(new Resource("0000:00:01.0", fb, fb + 0xffffff));
                    root.insert(new Resource("bochs-drm", fb, fb + 0xffffff));
                }
            }
        }
        root.insert(new Resource("IOAPIC 0", IOAPIC_BASE, IOAPIC_BASE + 0x3ff));
        root.insert(new Resource("HPET 0", 0xfed00000L, 0xfed003ffL));
        root.insert(new Resource("PNP0103:00", 0xfed00000L, 0xfed003ffL));
        root.insert(new Resource("Local APIC", 0xfee00000L, 0xfee00fffL));

        long win = pci64Window(ramEnd);
        Resource bridge64 = new Resource("PCI Bus 0000:00", win, win + PCI64_ALIGN - 1);
        if (root.insert(bridge64)) {
            for (int dev = 0; dev < NR_VIRTIO_DEVICES; dev++) {
                long s = win + dev * 0x80000L;
                String bdf = String.format("0000:00:%02x.0", dev + 2);
                root.insert(new Resource(bdf, s, s + 0x7ffff));
                root.insert(new Resource("virtio-pci-modern", s, s + 0x7ffff));
            }
        }
        return root;
    }
}
