package io.simproc.cli;

import io.simproc.kernel.Boot;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every command that boots a machine shares: which machine, which seed. */
public final class MachineOptions {
    @Option(names = {"-m", "--machine"}, paramLabel = "FILE",
            description = "Machine profile (YAML, see docs/MACHINES.md). Default: the embedded 8 GiB machine.")
    Path machine;

    @Option(names = {"-s", "--seed"}, paramLabel = "N", defaultValue = "1",
            description = "Seed of the simulation's randomness; same seed, same machine (default: ${DEFAULT-VALUE}).")
    long seed;

    MachineProfile profile() {
        return machine == null ? MachineProfileLoader.loadDefault() : MachineProfileLoader.load(machine);
    }

    /** Load the profile and boot it, telling the user what is happening when it takes a while. */
    Kernel boot(Console console) {
        MachineProfile p = profile();
        console.progress(String.format("booting %s: %s RAM, %d CPUs, %d node%s (heap needed ~%d MiB)...",
                p.name(), io.simproc.kernel.Sizes.human(p.ramBytes()), p.nrCpus(), p.nrNodes(),
                p.nrNodes() == 1 ? "" : "s", Boot.heapNeeded(p) >> 20));
        long t0 = System.nanoTime();
        Kernel k = io.simproc.workload.Machines.boot(p, seed);
        console.progress(String.format("booted in %.2f s", (System.nanoTime() - t0) / 1e9));
        return k;
    }
}
