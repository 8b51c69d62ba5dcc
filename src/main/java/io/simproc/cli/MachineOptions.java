package io.simproc.cli;

import io.simproc.config.Sizes;
import io.simproc.kernel.Boot;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.workload.Machines;
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

    /** Whether --machine was given. */
    boolean given() {
        return machine != null;
    }

    /** Load the profile and boot it, telling the user what is happening when it takes a while. */
    Kernel boot(Console console) {
        return start(console, profile()).kernel();
    }

    /** Boot {@code p} with this seed; the machine and its userspace. */
    Machines.Machine start(Console console, MachineProfile p) {
        return start(console, p, seed);
    }

    /** Boot {@code p} with {@code seed} (a checkpoint's); the machine and its userspace. */
    Machines.Machine start(Console console, MachineProfile p, long seed) {
        console.progress(String.format("booting %s: %s RAM, %d CPUs, %d node%s (heap needed ~%d MiB)...",
                p.name(), Sizes.human(p.ramBytes()), p.nrCpus(), p.nrNodes(),
                p.nrNodes() == 1 ? "" : "s", Boot.heapNeeded(p) >> 20));
        long t0 = System.nanoTime();
        Machines.Machine k = Machines.start(p, seed);
        console.progress(String.format("booted in %.2f s", (System.nanoTime() - t0) / 1e9));
        return k;
    }
}
