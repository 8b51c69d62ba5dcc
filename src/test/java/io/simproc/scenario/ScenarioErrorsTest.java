package io.simproc.scenario;

import io.simproc.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A malformed scenario of each kind gets one line naming file:line:col and what is wrong; nothing runs. */
class ScenarioErrorsTest {
    private static String error(String text) {
        return assertThrows(ConfigException.class, () -> ScenarioFixture.parse(text)).getMessage();
    }

    private static final String SPAWN = """
            timeline:
              - at: 1s
                spawn: {name: db, program: postgres}
            """;

    @Test
    void badYaml() {
        assertEquals("t.yaml:2:11: invalid YAML: mapping values are not allowed here",
                error("timeline:\n  - at: 1s: 2s\n"));
    }

    @Test
    void unknownTopLevelKey() {
        assertEquals("t.yaml:1:1: unknown key 'timelime' (expected one of: name, description, machine, sysctl,"
                + " processes, timeline, duration)", error("timelime: []\n"));
    }

    @Test
    void unknownStep() {
        assertEquals("t.yaml:3:5: unknown key 'mallok' in timeline[0] (expected at, every, repeat, for, fails and"
                + " one step: spawn, fork, exit, kill, malloc, free, touch, mlock, munlock, pin, unpin, madvise, mmap, sysctl,"
                + " expect, remember, read, write, fsync, sync, read_blockdev, create_files, delete_files, drop_caches,"
                + " swapon, swapoff, kmalloc, vmalloc, vfree, ioremap, dma_alloc, dma_free, compact_memory,"
                + " set_mempolicy, munmap, cgroup_mkdir, cgroup_rmdir, cgroup_write, cgroup_move, ksm, prctl, zram,"
                + " mkswap, thp, khugepaged)",
                error("timeline:\n  - at: 1s\n    mallok: {process: db, size: 1M}\n"));
    }

    @Test
    void aSysfsKnobStepNamesItsDirectorysWritableFiles() {
        assertEquals("t.yaml:3:12: 'disk_size' is not a writable file of /sys/block/zram0 (comp_algorithm, compact,"
                + " disksize, idle, mem_limit, mem_used_max, reset)",
                error("timeline:\n  - at: 1s\n    zram: {disk_size: 1G}\n"));
        assertEquals("t.yaml:3:17: khugepaged: expected {pages_to_scan: 4096, scan_sleep_millisecs: 100} (files of"
                + " /sys/kernel/mm/transparent_hugepage/khugepaged)",
                error("timeline:\n  - at: 1s\n    khugepaged: 4096\n"));
        assertEquals("t.yaml:3:26: pages_to_scan: the text to write, e.g. 1",
                error("timeline:\n  - at: 1s\n    ksm: {pages_to_scan: [1, 2]}\n"));
    }

    @Test
    void unknownKeyInAStep() {
        assertEquals("t.yaml:5:27: unknown key 'sise' in timeline[1].malloc (expected one of: process, size, chunk,"
                + " name, write)", error(SPAWN + "  - at: 2s\n    malloc: {process: db, sise: 1M}\n"));
    }

    @Test
    void aHugetlbMmapIsAnonymousAndPrivateAndMunmapTakesOnlyMappedRegions() {
        assertEquals("t.yaml:5:65: path: not with hugetlb (an anonymous private mapping)",
                error(SPAWN + "  - at: 2s\n    mmap: {process: db, name: b, size: 2M, hugetlb: true, path: /f}\n"));
        assertEquals("t.yaml:5:67: shared: not with hugetlb (an anonymous private mapping)",
                error(SPAWN + "  - at: 2s\n    mmap: {process: db, name: b, size: 2M, hugetlb: true, shared: true}\n"));
        assertEquals("t.yaml:5:33: process 'db' has no region 'nothing' (name one with a malloc or mmap step first)",
                error(SPAWN + "  - at: 2s\n    munmap: {process: db, name: nothing}\n"));
    }

    @Test
    void badSize() {
        assertEquals("t.yaml:5:33: timeline[1].malloc.size: '300Q' is not a size (use e.g. 4096, 4K, 300M, 2G)",
                error(SPAWN + "  - at: 2s\n    malloc: {process: db, size: 300Q}\n"));
    }

    @Test
    void badDurationAndRate() {
        assertEquals("t.yaml:4:9: timeline[1].at: '2x' is not a duration (use e.g. 500ms, 30s, 5m, 2h)",
                error(SPAWN + "  - at: 2x\n    exit: db\n"));
        assertEquals("t.yaml:5:41: timeline[2].touch.rate: '200M/fortnight' is not a rate (use e.g. 200M/s; per ms,"
                + " s, min or h)", error(SPAWN + "  - malloc: {process: db, size: 1M, name: b}\n"
                + "  - touch: {process: db, name: b, rate: 200M/fortnight}\n"));
    }

    @Test
    void timeGoingBackwards() {
        assertEquals("t.yaml:4:9: time goes backwards: at 500ms comes after an entry at 1s (line 2); list entries in"
                + " time order", error(SPAWN + "  - at: 500ms\n    exit: db\n"));
    }

    @Test
    void unknownProcess() {
        assertEquals("t.yaml:5:23: unknown process 'pg' (earlier entries define: db)",
                error(SPAWN + "  - at: 2s\n    malloc: {process: pg, size: 1M}\n"));
        assertEquals("t.yaml:2:11: unknown process 'db' (no earlier entry spawns or forks a process)",
                error("timeline:\n  - exit: db\n  - spawn: {name: db, program: postgres}\n"));
        assertEquals("t.yaml:5:13: expect: unknown process 'pg' (no earlier entry spawns or forks it) at character"
                + " 13 of 'PID(process=pg).status.VmRSS > 1M'",
                error(SPAWN + "  - at: 2s\n    expect: PID(process=pg).status.VmRSS > 1M\n"));
    }

    @Test
    void unknownRegion() {
        assertEquals("t.yaml:4:32: process 'db' has no region 'buf' (name one with a malloc or mmap step first)",
                error(SPAWN + "  - touch: {process: db, name: buf}\n"));
    }

    @Test
    void badMemoryPolicy() {
        assertEquals("t.yaml:2:53: 'bind' needs a node list (bind:0-1)",
                error("timeline:\n  - spawn: {name: db, program: postgres, mempolicy: bind}\n"));
        assertEquals("t.yaml:2:53: unknown memory policy 'membind' (default, local, prefer:N, bind:NODES,"
                + " interleave[:NODES])", error("timeline:\n  - spawn: {name: db, program: postgres, mempolicy:"
                + " \"membind:0\"}\n"));
    }

    /** A policy naming only nodes the machine does not have is set_mempolicy's EINVAL: the spawn fails, logged. */
    @Test
    void aPolicyOnMissingNodesFailsTheSpawn() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    spawn: {name: db, program: postgres, mempolicy: "bind:1"}
                """).toEnd();
        assertTrue(f.problems().stream().anyMatch(l -> l.contains("could not start db")),
                String.join("\n", f.problems()));
        assertTrue((boolean) f.kernel.read(k -> k.log().records().stream()
                .anyMatch(r -> r.text().contains("set_mempolicy for db failed: -22"))));
    }

    @Test
    void unknownProgramAndSysctl() {
        assertEquals("t.yaml:2:32: unknown program 'mysqld' (not in the program catalog)",
                error("timeline:\n  - spawn: {name: db, program: mysqld}\n"));
        String sysctl = error("sysctl:\n  vm.swapiness: 10\n");
        assertTrue(sysctl.startsWith("t.yaml:2:3: unknown sysctl 'vm.swapiness' (writable: fs.file-max,"
                + " kernel.pid_max, kernel.random.read_wakeup_threshold, kernel.random.urandom_min_reseed_secs,"
                + " kernel.random.write_wakeup_threshold, kernel.threads-max, "), sysctl);
        assertTrue(sysctl.contains(" vm.min_free_kbytes, "), sysctl);
        assertEquals("t.yaml:2:3: sysctl 'kernel.osrelease' is read-only", error("sysctl:\n  kernel.osrelease: 7\n"));
    }

    @Test
    void badExpression() {
        assertEquals("t.yaml:2:13: expect: expected a comparison (<, <=, >, >=, ==, !=) before '1G' at character 16 of"
                + " 'meminfo.Cached 1G'", error("timeline:\n  - expect: meminfo.Cached 1G\n"));
        assertEquals("t.yaml:2:13: expect: unknown value 'memnfo' (meminfo.FIELD, vmstat.FIELD, stat.FIELD,"
                + " loadavg.avg1, pressure.memory.some.avg10, sys.A.B, ksm.FILE, khugepaged.FILE, zram0.mm_stat.FIELD,"
                + " zoneinfo(zone=Z).FIELD,"
                + " buddyinfo(zone=Z).orderN, slabinfo(CACHE).FIELD, cgroup(\"PATH\").FILE[.KEY], PID(...).FILE...)"
                + " at character 1 of 'memnfo.Cached < 1G'",
                error("timeline:\n  - expect: memnfo.Cached < 1G\n"));
        assertEquals("t.yaml:2:13: expect: 'avg5' is not one of avg10, avg60, avg300, total at character 22 of"
                + " 'pressure.memory.some.avg5 > 1'", error("timeline:\n  - expect: pressure.memory.some.avg5 > 1\n"));
        assertEquals("t.yaml:2:13: expect: 'load1' is not one of avg1, avg5, avg15, running, threads, last_pid at"
                + " character 9 of 'loadavg.load1 > 1'", error("timeline:\n  - expect: loadavg.load1 > 1\n"));
        assertEquals("t.yaml:2:13: expect: zoneinfo(...) takes node=N and zone=DMA|DMA32|Normal|Movable, not"
                + " zone=HighMem at character 15 of 'zoneinfo(zone=HighMem).high > 0'",
                error("timeline:\n  - expect: zoneinfo(zone=HighMem).high > 0\n"));
        assertEquals("t.yaml:2:13: expect: buddyinfo has fields order0 .. order10, not 'order11' at character 24 of"
                + " 'buddyinfo(zone=Normal).order11 > 0'",
                error("timeline:\n  - expect: buddyinfo(zone=Normal).order11 > 0\n"));
        assertEquals("t.yaml:2:13: expect: slabinfo has no field 'objs' (active_objs, num_objs, objsize, objperslab,"
                + " pagesperslab, limit, batchcount, sharedfactor, active_slabs, num_slabs, sharedavail) at character"
                + " 18 of 'slabinfo(dentry).objs > 0'",
                error("timeline:\n  - expect: slabinfo(dentry).objs > 0\n"));
    }

    @Test
    void rememberedValuesMustBeDefinedEarlierAndBeValues() {
        assertEquals("t.yaml:2:13: expect: unknown value '$swapped' (no earlier entry remembers a value) at character 1"
                + " of '$swapped > 0'", error("timeline:\n  - expect: $swapped > 0\n"));
        assertEquals("t.yaml:3:13: expect: unknown value '$swaped' (earlier remember steps keep: $swapped, $cached) at"
                + " character 18 of 'vmstat.pswpout - $swaped > 0'", error("timeline:\n  - remember: {swapped:"
                + " vmstat.pswpout, cached: meminfo.Cached}\n  - expect: vmstat.pswpout - $swaped > 0\n"));
        assertEquals("t.yaml:2:19: remember: unexpected '>' after the value (remember keeps a value, not a"
                + " comparison) at character 16 of 'vmstat.pswpout > 0'", error("timeline:\n  - remember: {x: vmstat.pswpout > 0}\n"));
        assertEquals("t.yaml:2:15: remember: expected a mapping of names to values, e.g. {swapped: vmstat.pswpout}",
                error("timeline:\n  - remember: vmstat.pswpout\n"));
    }

    @Test
    void kernelActivityStepsCheckTheirValues() {
        assertEquals("t.yaml:2:30: unknown key 'bogus' in timeline[0].kmalloc (expected one of: cache, size, count,"
                + " rate, keep)", error("timeline:\n  - kmalloc: {cache: dentry, bogus: 1}\n"));
        assertEquals("t.yaml:2:22: kmalloc: 'dentry' is not a kmalloc cache (kmalloc-8 .. kmalloc-8k, kmalloc-rcl-N,"
                + " kmalloc-cg-N, dma-kmalloc-N); the named caches belong to their subsystems",
                error("timeline:\n  - kmalloc: {cache: dentry}\n"));
        assertEquals("t.yaml:2:14: kmalloc: give either cache (a kmalloc cache, e.g. kmalloc-256) or size",
                error("timeline:\n  - kmalloc: {cache: kmalloc-64, size: 64}\n"));
        assertEquals("t.yaml:2:42: timeline[0].kmalloc.keep: 2 is not between 0% and 100%",
                error("timeline:\n  - kmalloc: {size: 64, count: 10, keep: 2}\n"));
        assertEquals("t.yaml:2:12: unknown vmalloc area 'buf' (no earlier entry vmallocs one)",
                error("timeline:\n  - vfree: buf\n"));
        assertEquals("t.yaml:3:12: unknown vmalloc area 'bfu' (earlier entries define: buf)",
                error("timeline:\n  - vmalloc: {name: buf, size: 1M}\n  - vfree: bfu\n"));
        assertEquals("t.yaml:2:23: 'my-drv' is not a module name (letters, digits and _)",
                error("timeline:\n  - ioremap: {driver: my-drv, size: 4K}\n"));
        assertEquals("t.yaml:2:38: dma_alloc: size must be between 1 and 1T (above 4M, an order-10 block, only a CMA"
                + " area has it)", error("timeline:\n  - dma_alloc: {driver: mydrv, size: 2T}\n"));
        assertEquals("t.yaml:3:15: unknown DMA buffer 'ring' (no earlier dma_alloc entry names one)",
                error("timeline:\n  - dma_alloc: {driver: mydrv, size: 4M}\n  - dma_free: ring\n"));
        assertEquals("t.yaml:3:22: unknown DMA buffer 'rnig' (earlier entries define: ring)",
                error("timeline:\n  - dma_alloc: {driver: mydrv, size: 4M, name: ring}\n  - dma_free: {name: rnig}\n"));
        assertEquals("t.yaml:2:48: 'my ring' is not a usable name (letters, digits, _ . : -)",
                error("timeline:\n  - dma_alloc: {driver: mydrv, size: 4M, name: my ring}\n"));
        assertEquals("t.yaml:2:21: compact_memory: expected {} (every node) or {node: N}",
                error("timeline:\n  - compact_memory: 1\n"));
        assertEquals("t.yaml:3:12: fails: 'ENOMEN' is not an errno name (e.g. ENOMEM, EINVAL)",
                error("timeline:\n  - dma_alloc: {driver: mydrv, size: 4M}\n    fails: ENOMEN\n"));
    }

    @Test
    void pageCacheAndSwapStepsCheckTheirValues() {
        assertEquals("t.yaml:2:18: timeline[0].drop_caches: 5 is out of range 1..4",
                error("timeline:\n  - drop_caches: 5\n"));
        assertEquals("t.yaml:4:48: unknown key 'offset' in timeline[1].read (expected one of: process, path, size,"
                + " rate)", error(SPAWN + "  - read: {process: db, path: /data, size: 6G, offset: 1}\n"));
        assertEquals("t.yaml:4:31: read: path must be absolute",
                error(SPAWN + "  - read: {process: db, path: data, size: 6G}\n"));
        assertEquals("t.yaml:2:29: read_blockdev: the machine's only disk is /dev/vda",
                error("timeline:\n  - read_blockdev: {device: /dev/sdb, size: 1G}\n"));
        assertEquals("t.yaml:2:11: sync: takes no value (write `- sync:`)", error("timeline:\n  - sync: 3\n"));
        assertEquals("t.yaml:2:30: unknown key 'size' in timeline[0].delete_files (expected one of: path, count)",
                error("timeline:\n  - delete_files: {path: /d, size: 1M}\n"));
    }

    @Test
    void oneStepPerEntryAndTimingNeedsAPeriod() {
        assertEquals("t.yaml:4:5: one step per timeline entry: 'spawn' and 'exit' (give each its own entry, with the"
                + " same 'at')", error("timeline:\n  - at: 1s\n    spawn: {name: db, program: postgres}\n"
                + "    exit: db\n"));
        assertEquals("t.yaml:5:13: repeat needs a period: add 'every'", error(SPAWN + "  - exit: db\n    repeat: 3\n"));
    }
}
