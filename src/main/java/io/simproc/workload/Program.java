package io.simproc.workload;

import io.simproc.kernel.ElfImage;

import java.util.List;

/**
 * One program of the {@link ProgramCatalog}: what execve() of it maps, i.e. the arguments of
 * {@link io.simproc.kernel.Syscalls#execve}. On Linux this is the executable file, its PT_INTERP and the libraries
 * ld.so finds for it (elf/dl-deps.c).
 *
 * @param name   the catalog's name for it (e.g. {@code bash}, {@code systemd-udevd})
 * @param exe    the executable
 * @param interp the dynamic loader named by the executable's PT_INTERP
 * @param libs   the shared libraries in the order ld.so maps them: DT_NEEDED breadth-first, then what the program
 *               dlopen()s at startup
 */
public record Program(String name, ElfImage exe, ElfImage interp, List<ElfImage> libs) {
    public Program {
        libs = List.copyOf(libs);
    }
}
