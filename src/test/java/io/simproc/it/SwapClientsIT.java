package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clients against a machine under memory pressure (samples/machines/swap-pressure.yaml, run at 4× real
 * speed): `vmstat 1 5` shows swap-outs, `free` shows MemAvailable, psutil's swap_memory() and `swapon --show`
 * agree with /proc/swaps. (procps-ng 4.0.2, Debian 12's, re-reads /proc/meminfo every interval but prints the
 * memory columns of its first read in every row — on a real host too — so those columns are compared with
 * meminfo only through swpd's range.)
 */
class SwapClientsIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--machine", MountedMachine.basedir().resolve("samples/machines/swap-pressure.yaml")
                .toString(), "--seed", "3", "--speed", "4");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void vmstatShowsSwapOutsAndTheCacheMovingDuringPressure() throws Exception {
        String out = machine.exec("vmstat", "1", "5").assertOk("vmstat 1 5").out();
        String[] lines = out.split("\n");
        assertEquals(7, lines.length, out);
        Map<String, Long> meminfo = ProcText.meminfo(machine.read("meminfo"));
        java.util.Set<Long> so = new java.util.HashSet<>();
        int swappingSeconds = 0;
        long bo = 0;
        for (int i = 3; i < 7; i++) {
            long[] v = RealClientsIT.numbers(lines[i]);
            assertTrue(v[2] > 0 && v[2] <= meminfo.get("SwapTotal"), "swpd within SwapTotal:\n" + out);
            swappingSeconds += v[7] > 0 ? 1 : 0;
            so.add(v[7]);
            bo += v[9];
        }
        // The workload's pressure comes in waves, and on a loaded host a wall second holds less simulated time:
        // a second without swap-outs happens; most seconds swap.
        assertTrue(swappingSeconds >= 3, "so under pressure in at least 3 of 4 seconds:\n" + out);
        assertTrue(so.size() > 1, "so moves:\n" + out);
        assertTrue(bo > 0, "blocks written (swap and writeback):\n" + out);
        assertTrue(meminfo.get("SwapFree") < meminfo.get("SwapTotal"));
    }

    @Test
    void freeShowsMemAvailableAndSwap() throws Exception {
        String out = machine.exec("sh", "-c", "free -k; cat /proc/meminfo").assertOk("free").out();
        Map<String, Long> meminfo = ProcText.meminfo(out.substring(out.indexOf("MemTotal:")));
        long[] mem = RealClientsIT.numbers(RealClientsIT.line(out, "Mem:"));
        long[] swap = RealClientsIT.numbers(RealClientsIT.line(out, "Swap:"));
        assertEquals(meminfo.get("MemTotal"), mem[0]);
        assertTrue(Math.abs(meminfo.get("MemAvailable") - mem[5]) < 64 << 10, "available ~ MemAvailable: " + out);
        assertEquals(meminfo.get("SwapTotal"), swap[0], "swap total");
    }

    @Test
    void psutilSwapMemoryAndSwaponShowAgreeWithProcSwaps() throws Exception {
        String script = "import psutil\npsutil.PROCFS_PATH = '" + machine.dir() + "'\n"
                + "sw = psutil.swap_memory()\nprint(sw.total, sw.used, sw.free)\n"
                + "print(open('" + machine.dir() + "/swaps').read(), end='')\n";
        String out = Exec.run(List.of("/usr/bin/python3", "-c", script), 60).assertOk("psutil").out();
        String[] lines = out.split("\n");
        long[] sw = RealClientsIT.numbers(lines[0]);
        assertTrue(lines[1].startsWith("Filename"), out);
        String[] area = lines[2].split("\\s+");
        assertEquals("/dev/vda2", area[0]);
        assertEquals("partition", area[1]);
        long sizeKb = Long.parseLong(area[2]);
        assertEquals(sizeKb * 1024, sw[0], "psutil total = Size of /proc/swaps");
        assertEquals(sw[0], sw[1] + sw[2], "used + free = total");
        assertTrue(sw[1] > 0, "swap in use: " + out);

        String show = machine.exec("swapon", "--show", "--bytes", "--noheadings", "--raw").assertOk("swapon --show")
                .out();
        String[] f = show.trim().split("\\s+");
        assertEquals("/dev/vda2", f[0], show);
        assertEquals("partition", f[1], show);
        assertEquals(sizeKb * 1024, Long.parseLong(f[2]), show);
        assertEquals("-2", f[4], show);
    }
}
