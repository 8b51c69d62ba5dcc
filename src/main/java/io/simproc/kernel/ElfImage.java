package io.simproc.kernel;

import io.simproc.uapi.Page;

import java.util.List;

/**
 * An ELF object as the dynamic loader leaves it mapped: its file mappings in address order (as /proc/PID/maps
 * lists them: address offset from the load base, size, protection and file offset of each, the RELRO part already
 * read-only) and the size of the anonymous bss after the data. Each PT_LOAD segment covers [PAGE_DOWN(p_vaddr),
 * PAGE_ALIGN(p_vaddr + p_filesz)) from file offset PAGE_DOWN(p_offset); the address offset equals the file offset
 * for the first segments of a distribution's objects, but the data segment often sits a page or more above its
 * file offset. A gap between two mappings is a hole between segments: ld.so (_dl_map_segments) leaves it mapped
 * PROT_NONE from the file ("---p"), the kernel's ELF loader (executable, interpreter) unmaps it.
 *
 * @param path      where the file lives (what maps prints)
 * @param fileSize  bytes of the file
 * @param mappings  the file-backed mappings, in address order, page-aligned and not overlapping
 * @param bssBytes  anonymous memory after the last mapping (bss, heap of static data)
 * @param fixedBase the link address of an ET_EXEC (non-PIE) executable, loaded there without randomization; 0 for
 *                  position-independent objects (ET_DYN), which load wherever the kernel or ld.so puts them
 */
public record ElfImage(String path, long fileSize, List<Mapping> mappings, long bssBytes, long fixedBase) {

    /**
     * One file-backed mapping: address offset from the load base, size, protection "r", "rx", "rw"; {@code relro}
     * marks the part of the data segment the loader writes (relocations) and then makes read-only;
     * {@code fileOffset} is the offset in the file (maps' third column), page-aligned.
     */
    public record Mapping(long offset, long size, String prot, boolean relro, long fileOffset) {
        public Mapping {
            if (offset < 0 || fileOffset < 0 || (offset & ~Page.PAGE_MASK) != 0
                    || (fileOffset & ~Page.PAGE_MASK) != 0) {
                throw new IllegalArgumentException(String.format(
                        "mapping at 0x%x from file offset 0x%x: both must be page-aligned", offset, fileOffset));
            }
        }

        /** A mapping whose file offset equals its address offset. */
        public Mapping(long offset, long size, String prot, boolean relro) {
            this(offset, size, prot, relro, offset);
        }

        public int protBits() {
            int p = 0;
            if (prot.indexOf('r') >= 0) {
                p |= io.simproc.mm.Prot.READ;
            }
            if (prot.indexOf('w') >= 0) {
                p |= io.simproc.mm.Prot.WRITE;
            }
            if (prot.indexOf('x') >= 0) {
                p |= io.simproc.mm.Prot.EXEC;
            }
            return p;
        }
    }

    public ElfImage {
        mappings = List.copyOf(mappings);
        if (mappings.isEmpty()) {
            throw new IllegalArgumentException(path + ": an ELF image needs at least one mapping");
        }
        if (fixedBase < 0 || (fixedBase & ~Page.PAGE_MASK) != 0) {
            throw new IllegalArgumentException(String.format("%s: fixed base 0x%x is not page-aligned", path,
                    fixedBase));
        }
    }

    /** A position-independent object (shared library, PIE executable, the interpreter). */
    public ElfImage(String path, long fileSize, List<Mapping> mappings, long bssBytes) {
        this(path, fileSize, mappings, bssBytes, 0);
    }

    /** Bytes from the load base to the end of the bss. */
    public long span() {
        Mapping last = mappings.get(mappings.size() - 1);
        return pageAlign(last.offset() + last.size()) + pageAlign(bssBytes);
    }

    static long pageAlign(long v) {
        return (v + Page.PAGE_SIZE - 1) & Page.PAGE_MASK;
    }

    /** The file name (kbasename), as the kernel prints it in segfault lines. */
    public String baseName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
