package io.simproc.kernel;

import java.util.BitSet;

/**
 * Where each CPU sits (arch/x86/kernel/smpboot.c set_cpu_sibling_map, the topology_* ids of
 * arch/x86/include/asm/topology.h): one package (socket) per NUMA node holding that node's CPUs, each package
 * with {@code min(its CPUs, cores_per_socket)} cores; a package's CPUs are numbered first threads of every core,
 * then second threads, as the firmware enumerates them, so a core's thread siblings are {@code cores} apart. One L2
 * per core (a cluster is a core) and one die per package. /proc/cpuinfo and sysfs's topology files read this.
 */
public final class CpuTopology {
    private final int nrCpus;
    private final int[] pkg;
    /** Index of each CPU within its package. */
    private final int[] index;
    private final int[] pkgFirst;
    private final int[] pkgCpus;
    private final int[] pkgCores;

    private CpuTopology(int nrCpus, int[] pkg, int coresPerSocket) {
        this.nrCpus = nrCpus;
        this.pkg = pkg;
        this.index = new int[nrCpus];
        int nrPkgs = 0;
        for (int p : pkg) {
            nrPkgs = Math.max(nrPkgs, p + 1);
        }
        pkgFirst = new int[nrPkgs];
        pkgCpus = new int[nrPkgs];
        pkgCores = new int[nrPkgs];
        java.util.Arrays.fill(pkgFirst, -1);
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            int p = pkg[cpu];
            if (pkgFirst[p] < 0) {
                pkgFirst[p] = cpu;
            }
            index[cpu] = pkgCpus[p]++;
        }
        for (int p = 0; p < nrPkgs; p++) {
            pkgCores[p] = Math.max(1, Math.min(pkgCpus[p], coresPerSocket));
        }
    }

    /** The topology of the machine: its CPUs as the kernel placed them on nodes, its profile's cores per socket. */
    public static CpuTopology of(Kernel k) {
        int n = k.profile().nrCpus();
        int[] pkg = new int[n];
        for (int cpu = 0; cpu < n; cpu++) {
            pkg[cpu] = k.mm().cpuToNode(cpu);
        }
        return new CpuTopology(n, pkg, k.profile().cpu().coresPerSocket());
    }

    public int nrCpus() {
        return nrCpus;
    }

    /** topology_physical_package_id(): "physical id" in cpuinfo. */
    public int packageId(int cpu) {
        return pkg[cpu];
    }

    /** topology_core_id(): the core within the package, "core id" in cpuinfo. */
    public int coreId(int cpu) {
        return index[cpu] % pkgCores[pkg[cpu]];
    }

    /** topology_cluster_id(): the id of the CPU's L2, one per core, numbered across packages. */
    public int clusterId(int cpu) {
        int p = pkg[cpu];
        int id = coreId(cpu);
        for (int q = 0; q < p; q++) {
            id += pkgCores[q];
        }
        return id;
    }

    /** The package's CPUs: "siblings" in cpuinfo. */
    public int siblings(int cpu) {
        return pkgCpus[pkg[cpu]];
    }

    /** The package's cores: "cpu cores" in cpuinfo. */
    public int cores(int cpu) {
        return pkgCores[pkg[cpu]];
    }

    /** topology_sibling_cpumask(): the CPUs of the same core (thread_siblings, core_cpus, cluster_cpus). */
    public BitSet threadSiblings(int cpu) {
        BitSet b = new BitSet(nrCpus);
        int p = pkg[cpu];
        for (int c = pkgFirst[p]; c < pkgFirst[p] + pkgCpus[p]; c++) {
            if (coreId(c) == coreId(cpu)) {
                b.set(c);
            }
        }
        return b;
    }

    /** topology_core_cpumask(): the CPUs of the same package (core_siblings, package_cpus, die_cpus). */
    public BitSet packageCpus(int cpu) {
        int p = pkg[cpu];
        BitSet b = new BitSet(nrCpus);
        b.set(pkgFirst[p], pkgFirst[p] + pkgCpus[p]);
        return b;
    }
}
