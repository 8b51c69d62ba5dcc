package io.simproc.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Generates the firmware memory map of a typical x86_64 server board for a RAM size: the legacy low 640 KiB with
 * the BIOS area above it, RAM from 1 MiB to the 32-bit PCI hole (at 3 GiB once the machine has 3.5 GiB or more;
 * ACPI tables and NVS sit at its top), firmware ranges just below 4 GiB, and the rest of the RAM from 4 GiB up.
 */
public final class E820Layout {
    /** Where low RAM stops and the 32-bit PCI window starts on machines with at least 3.5 GiB. */
    public static final long LOW_RAM_TOP = 0xc0000000L;
    public static final long FOUR_GIB = 1L << 32;
    static final long ACPI_TABLES_SIZE = 0x20000;
    static final long ACPI_NVS_SIZE = 0x10000;
    static final long FIRMWARE_RESERVED_SIZE = 0x10000;

    private E820Layout() {
    }

    public static List<E820Entry> generate(long ramBytes) {
        List<E820Entry> e = new ArrayList<>();
        e.add(new E820Entry(0x0, 0xfff, E820Entry.Type.RESERVED));
        e.add(new E820Entry(0x1000, 0x9fbff, E820Entry.Type.RAM));
        e.add(new E820Entry(0x9fc00, 0xfffff, E820Entry.Type.RESERVED));
        long lowTop = ramBytes >= LOW_RAM_TOP + (512L << 20) ? LOW_RAM_TOP : ramBytes;
        long tail = lowTop - ACPI_TABLES_SIZE - ACPI_NVS_SIZE - FIRMWARE_RESERVED_SIZE;
        e.add(new E820Entry(0x100000, tail - 1, E820Entry.Type.RAM));
        e.add(new E820Entry(tail, tail + ACPI_TABLES_SIZE - 1, E820Entry.Type.ACPI));
        e.add(new E820Entry(tail + ACPI_TABLES_SIZE, tail + ACPI_TABLES_SIZE + ACPI_NVS_SIZE - 1,
                E820Entry.Type.NVS));
        e.add(new E820Entry(lowTop - FIRMWARE_RESERVED_SIZE, lowTop - 1, E820Entry.Type.RESERVED));
        e.add(new E820Entry(0xfeffc000L, 0xfeffffffL, E820Entry.Type.RESERVED));
        e.add(new E820Entry(0xfffc0000L, 0xffffffffL, E820Entry.Type.RESERVED));
        if (lowTop == LOW_RAM_TOP) {
            e.add(new E820Entry(FOUR_GIB, FOUR_GIB + (ramBytes - LOW_RAM_TOP) - 1, E820Entry.Type.RAM));
        }
        return e;
    }
}
