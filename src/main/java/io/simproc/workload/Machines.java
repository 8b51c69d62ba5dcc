package io.simproc.workload;

import io.simproc.config.ConfigException;
import io.simproc.config.YamlNode;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;

import java.util.List;

/**
 * Assembles a whole simulated machine: the kernel booted from a profile, and the profile's processes (or, when it
 * lists none, the population of the default machine) run as its userspace. Profile mistakes — including those in
 * the process list — are reported before anything boots.
 */
public final class Machines {
    private Machines() {
    }

    /** A booted machine and the userspace running on it (scenarios start more programs through it). */
    public record Machine(Kernel kernel, Population population) {
    }

    /** Validate the profile's population and boot the machine with it. */
    public static Kernel boot(MachineProfile profile, long seed) {
        return start(profile, seed).kernel();
    }

    /** Validate the profile's population, boot the machine with it, and keep both. */
    public static Machine start(MachineProfile profile, long seed) {
        Population population = population(profile, ProgramCatalog.embedded());
        return new Machine(Kernel.boot(profile, seed, population), population);
    }

    /** The population a profile describes; the default machine's when it has no {@code processes} list. */
    public static Population population(MachineProfile profile, ProgramCatalog catalog) {
        YamlNode node = profile.processes();
        if (node == null) {
            node = MachineProfileLoader.loadDefault().processes();
        }
        if (node == null) {
            throw new ConfigException(profile.source(), 0, 0, "no 'processes' list, and the default machine has none");
        }
        List<ProcessSpec> specs = new ProcessSpecParser(name -> catalog.programNames().contains(name)).parseList(node);
        if (specs.isEmpty()) {
            throw node.error("processes: the list needs at least one process (the first becomes init, pid 1)");
        }
        return new Population(catalog, specs);
    }
}
