package io.simproc.kernel;

/**
 * One range of the firmware memory map (arch/x86/kernel/e820.c), [start, end] inclusive as the kernel prints it.
 * Only {@link Type#RAM} ranges become memblock memory; the others are holes to the page allocator and appear in
 * /proc/iomem under their kernel names.
 */
public record E820Entry(long start, long end, Type type) {

    /** e820 types with the names /proc/iomem uses. */
    public enum Type {
        RAM("System RAM"),
        RESERVED("Reserved"),
        ACPI("ACPI Tables"),
        NVS("ACPI Non-volatile Storage"),
        UNUSABLE("Unusable memory"),
        PMEM("Persistent Memory");

        private final String iomemName;

        Type(String iomemName) {
            this.iomemName = iomemName;
        }

        public String iomemName() {
            return iomemName;
        }
    }

    public E820Entry {
        if (end < start) {
            throw new IllegalArgumentException(String.format("e820 range %#x-%#x is empty", start, end));
        }
    }

    public long size() {
        return end - start + 1;
    }
}
