package io.simproc.scenario;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page cache, writeback, file and swap steps, seen through the proc files, on a small machine. */
class PageCacheStepsTest {
    private static final String DB = """
            timeline:
              - at: 1s
                spawn: {name: db, program: postgres}
            """;

    private static List<String> lines(ScenarioFixture f) {
        return f.outcomes().stream().map(Outcome::line).toList();
    }

    @Test
    void readAtARateFillsThePageCacheOverTime() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - expect: meminfo.Cached < 100M
                  - at: 2s
                    read: {process: db, path: /data/table, size: 200M, rate: 100M/s}
                  - at: 3s
                    expect: meminfo.Cached < 200M
                  - at: 4100ms
                    expect:
                      - meminfo.Cached > 200M
                      - vmstat.pgpgin >= 200M / 1K
                """);
        f.until(3000);
        assertEquals(1, f.engine.workloads().size(), "the read runs as a workload");
        assertTrue(f.engine.workloads().get(0).startsWith("read 200M of /data/table in db at 100M/s: "),
                f.engine.workloads().toString());
        f.toEnd();
        assertEquals(List.of(), f.problems());
        assertEquals(4, f.engine.passed());
        assertEquals(List.of(), f.engine.workloads());
    }

    @Test
    void writeDirtiesTheCacheAndFsyncOrSyncCleansIt() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - write: {process: db, path: /data/wal, size: 20M}
                  - write: {process: db, path: /data/log, size: 20M}
                  - expect: meminfo.Dirty >= 40M
                  - fsync: {process: db, path: /data/wal}
                  - expect:
                      - meminfo.Dirty >= 20M
                      - meminfo.Dirty < 21M
                  - sync:
                  - expect: meminfo.Dirty < 1M
                  - fsync: {process: db, path: /data/nothing}
                """).toEnd();
        List<String> l = lines(f);
        assertEquals(List.of("ERROR at 1s     t.yaml:22:5  fsync /data/nothing in db  (fsync /data/nothing in db:"
                + " No such file or directory)"), f.problems(), String.join("\n", l));
        assertEquals(4, f.engine.passed());
    }

    @Test
    void readingTheDiskGrowsBuffers() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - expect: meminfo.Buffers < 10M
                  - read_blockdev: {device: /dev/vda, size: 64M}
                  - expect: meminfo.Buffers >= 64M
                """).toEnd();
        assertEquals(List.of(), f.problems());
        assertEquals(2, f.engine.passed());
    }

    @Test
    void createdFilesCostDentriesAndInodesAndDeletingThemGivesThemBack() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - create_files: {path: /tmp/many, count: 20000}
                  - create_files: {path: /tmp/many, count: 10}
                  - expect: meminfo.SReclaimable > 10M
                  - delete_files: {path: /tmp/many}
                  - delete_files: {path: /tmp/many}
                """);
        long before = reclaimable(f);
        f.until(0);
        f.toEnd();
        assertEquals(List.of("ERROR at 0s     t.yaml:15:5  delete_files all in /tmp/many  (delete_files all in"
                + " /tmp/many: no files in /tmp/many)"), f.problems());
        assertEquals(0, f.kernel.vfs().files().keySet().stream().filter(p -> p.startsWith("/tmp/many/")).count());
        assertTrue(reclaimable(f) <= before + 1024, before + " -> " + reclaimable(f));
    }

    @Test
    void createdFilesLeaveUnusedDentriesThatDropCachesFreesAndALookupAllocatesAgain() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - create_files: {path: /tmp/many, count: 3000, size: 4K}
                  - create_files: {path: /tmp/data, count: 1, size: 4M}
                  - spawn: {name: r, program: cat, args: [cat]}
                  - read: {process: r, path: /tmp/data/0, size: 4M}
                  - remember: {dentries: slabinfo(dentry).active_objs, inodes: slabinfo(ext4_inode_cache).active_objs}
                  - at: 1s
                    drop_caches: 2
                  - expect:
                      - $dentries - slabinfo(dentry).active_objs > 3000          # every created file's dentry
                      - $inodes - slabinfo(ext4_inode_cache).active_objs > 3000  # and inode
                  - at: 2s
                    read: {process: r, path: /tmp/many/7, size: 4K}
                  - at: 3s
                    delete_files: {path: /tmp/many, count: 10}
                  - delete_files: {path: /tmp/data}
                  - at: 4s
                    drop_caches: 3
                """);
        io.simproc.mm.slab.SuperBlock sb = f.kernel.vfs().rootSb();
        f.until(1500);
        long dentries = f.kernel.read(k -> sb.nrDentries());
        long inodes = f.kernel.read(k -> sb.nrInodes());
        assertEquals(1L, (long) f.kernel.read(k -> sb.nrUnusedInodes(0)), "/tmp/data/0's inode stays: it has pages");
        f.until(2500);
        assertEquals(dentries + 1, (long) f.kernel.read(k -> sb.nrDentries()), "/tmp/many/7 looked up again");
        assertEquals(inodes + 1, (long) f.kernel.read(k -> sb.nrInodes()));
        f.until(3500);
        assertEquals(dentries, (long) f.kernel.read(k -> sb.nrDentries()), "unlink frees the cached dentry");
        assertEquals(inodes - 1, (long) f.kernel.read(k -> sb.nrInodes()), "and /tmp/data/0's unused inode");
        f.toEnd();
        assertEquals(List.of(), f.problems());
        assertEquals(2, f.engine.passed());
        assertEquals(2990, f.kernel.vfs().files().keySet().stream().filter(p -> p.startsWith("/tmp/many/")).count());
        assertEquals(0L, (long) f.kernel.read(k -> sb.nrUnusedDentries(0) + sb.nrUnusedInodes(0)));
    }

    private static long reclaimable(ScenarioFixture f) {
        for (String line : f.read("/meminfo").split("\n")) {
            if (line.startsWith("SReclaimable:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no SReclaimable");
    }

    @Test
    void dropCachesOneFreesCleanCacheAndLogsTheLine() {
        ScenarioFixture f = ScenarioFixture.small(DB + """
                  - read: {process: db, path: /data/table, size: 100M}
                  - write: {process: db, path: /data/wal, size: 10M}
                  - expect: meminfo.Cached > 110M
                  - drop_caches: 1
                  - expect:
                      - meminfo.Cached < 60M
                      - meminfo.Dirty >= 10M
                      - vmstat.drop_pagecache == 1
                      - vmstat.drop_slab == 0
                """).toEnd();
        assertEquals(List.of(), f.problems());
        assertEquals(5, f.engine.passed());
        assertTrue(f.kernel.log().records().stream().anyMatch(r -> r.text().endsWith("): drop_caches: 1")),
                "the kernel's log line");
    }

    @Test
    void swapoffAndSwaponChangeSwapTotalAndRefusalsAreErrors() {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse("""
                machine:
                  memory: 1G
                  cpu: 2
                  swap:
                    - {path: /swapfile, type: file, size: 256M}
                  processes:
                    - program: systemd
                      args: [/sbin/init]
                timeline:
                  - expect: meminfo.SwapTotal > 255M
                  - swapoff: /swapfile
                  - expect: meminfo.SwapTotal == 0
                  - swapoff: {path: /swapfile}
                  - swapon: {path: /swapfile, priority: 5}
                  - expect: meminfo.SwapTotal > 255M
                  - swapon: /nowhere
                """), 7).toEnd();
        assertEquals(List.of(
                "ERROR at 0s     t.yaml:13:5  swapoff /swapfile  (swapoff /swapfile: Invalid argument)",
                "ERROR at 0s     t.yaml:16:5  swapon /nowhere  (swapon /nowhere: No such file or directory)"),
                f.problems());
        assertEquals(3, f.engine.passed());
        assertTrue(f.read("/swaps").contains("/swapfile"), f.read("/swaps"));
        assertTrue(f.read("/swaps").contains("\t5\n"), f.read("/swaps"));
    }
}
