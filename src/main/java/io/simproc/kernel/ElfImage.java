package io.simproc.kernel;

import java.util.List;

/**
 * An ELF object as the dynamic loader leaves it mapped: its file mappings in address order (as /proc/PID/maps
 * lists them: offset, size and protection of each, the RELRO part already read-only) and the size of the
 * anonymous bss after the data. Offsets equal addresses relative to the load base, as for the PIE executables
 * and shared libraries of a distribution.
 *
 * @param path     where the file lives (what maps prints)
 * @param fileSize bytes of the file
 * @param mappings the file-backed mappings, in order
 * @param bssBytes anonymous memory after the last mapping (bss, heap of static data)
 */
public record ElfImage(String path, long fileSize, List<Mapping> mappings, long bssBytes) {

    /**
     * One file-backed mapping: file offset (= address offset from the load base), size, protection "r", "rx",
     * "rw"; {@code relro} marks the part of the data segment the loader writes (relocations) and then makes
     * read-only.
     */
    public record Mapping(long offset, long size, String prot, boolean relro) {
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
    }

    /** Bytes from the load base to the end of the bss. */
    public long span() {
        Mapping last = mappings.get(mappings.size() - 1);
        return pageAlign(last.offset() + last.size()) + pageAlign(bssBytes);
    }

    static long pageAlign(long v) {
        return (v + io.simproc.uapi.Page.PAGE_SIZE - 1) & io.simproc.uapi.Page.PAGE_MASK;
    }

    /** The file name (kbasename), as the kernel prints it in segfault lines. */
    public String baseName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
