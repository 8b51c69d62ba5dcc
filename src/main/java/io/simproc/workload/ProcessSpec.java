package io.simproc.workload;

import io.simproc.mm.Mempolicy;

import java.util.List;

/**
 * A process to run and what it does with memory when it starts, as machine profiles (the machine's population)
 * and scenarios (spawn steps) describe it. Documented key by key in docs/MACHINES.md.
 *
 * @param name        comm of the process (defaults to the program's file name)
 * @param program     catalog name of the program to exec (null with {@code fork}: the child keeps the parent's)
 * @param args        its command line
 * @param uid         user id (and group id), or null to keep the parent's, as fork and exec do
 * @param startMillis when it starts, after its parent (milliseconds of simulated time)
 * @param count       how many identical instances
 * @param fork        created by fork from the parent without exec (worker processes)
 * @param heapBytes   small allocations through malloc (the brk heap), written
 * @param mmapBytes   large allocations (≥ 128 KiB each) through malloc's mmap path, written
 * @param textShare   share of the read-only pages of its program and libraries it reads (0..1)
 * @param reserve     a large anonymous reservation of which part is written (a JVM heap), or null
 * @param shm         a shared memory segment it creates or attaches and writes part of, or null
 * @param files       data files it maps
 * @param threads     threads in the process (1 = single-threaded)
 * @param oomScoreAdj its oom_score_adj, or null to keep the parent's (inherited across fork)
 * @param nice        its nice value, or null to keep the parent's
 * @param lockedBytes memory it mlocks (part of its heap)
 * @param children    processes it starts
 * @param io          the steady file I/O it does while it runs (reads and writes through the page cache)
 * @param mempolicy   the memory policy it runs under (set_mempolicy before exec, as numactl does), or null to
 *                    keep the parent's (inherited across fork)
 */
public record ProcessSpec(String name, String program, List<String> args, Integer uid, long startMillis, int count,
                          boolean fork, long heapBytes, long mmapBytes, double textShare, Region reserve,
                          Region shm, List<FileMap> files, int threads, Integer oomScoreAdj, Integer nice,
                          long lockedBytes,
                          List<ProcessSpec> children, List<Io> io, Mempolicy.Request mempolicy) {

    /** An anonymous or shared region: its size and how much of it is written. {@code name} keys shm segments. */
    public record Region(String name, long sizeBytes, long touchBytes) {
    }

    /** A data file mapped shared or private, and how much of it is touched (written when writable). */
    public record FileMap(String path, long sizeBytes, boolean shared, boolean writable, long touchBytes) {
    }

    /** How a stream of file I/O moves through its file. */
    public enum Pattern { SEQUENTIAL, RANDOM, APPEND }

    /**
     * Steady I/O on one file: {@code readBytes} and {@code writeBytes} per second of simulated time, sequentially
     * (wrapping at the end), at random 8 KiB blocks, or appending (the file grows). The file is created at
     * {@code sizeBytes} (its data on disk, not cached) when it does not exist.
     */
    public record Io(String path, long sizeBytes, long readBytes, long writeBytes, Pattern pattern) {
    }

    public ProcessSpec {
        io = List.copyOf(io);
        args = List.copyOf(args);
        files = List.copyOf(files);
        children = List.copyOf(children);
    }
}
