package io.simproc.sysfs;

import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Permissions of /sys as kernfs checks them at open: the mode bits (0644 knobs, 0444 values, 0200 compact, 0755
 * directories, 0555 root, as a 6.18 kernel creates them); root passes them, except that opening for reading needs
 * a read bit and opening for writing a write bit in some class, for root too; a knob of something the simulation
 * does not have fails a write with EIO and keeps its value.
 */
class SysfsPermissionTest {
    private static final Credentials USER = ProcTestSupport.USER;
    private static SysFixture f;

    @BeforeAll
    static void boot() {
        f = SysFixture.boot("memory: 1G\ncpu: 2\n", 1);
    }

    @Test
    void modesAreTheKernels() {
        Map<String, Integer> modes = Map.ofEntries(
                Map.entry("/", 0555),
                Map.entry("/devices/system/node", 0755),
                Map.entry("/devices/system/node/node0", 0755),
                Map.entry("/devices/system/node/node0/meminfo", 0444),
                Map.entry("/devices/system/node/node0/compact", 0200),
                Map.entry("/devices/system/node/online", 0444),
                Map.entry("/devices/system/cpu/online", 0444),
                Map.entry("/devices/system/cpu/cpu1/online", 0644),
                Map.entry("/devices/system/cpu/cpu1/topology/core_id", 0444),
                Map.entry("/devices/system/memory/memory0/state", 0644),
                Map.entry("/devices/system/memory/memory0/valid_zones", 0444),
                Map.entry("/kernel/mm/transparent_hugepage/enabled", 0644),
                Map.entry("/kernel/mm/transparent_hugepage/hpage_pmd_size", 0444),
                Map.entry("/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan", 0644),
                Map.entry("/kernel/mm/transparent_hugepage/khugepaged/full_scans", 0444),
                Map.entry("/kernel/mm/ksm/run", 0644),
                Map.entry("/kernel/mm/ksm/pages_shared", 0444));
        modes.forEach((path, mode) -> assertEquals(mode, f.mode(path), path));
    }

    private static int open(String path, Credentials who, int mask) {
        ProcEntry e = f.sys.lookup(path, who);
        return ProcFs.permission(e, who, mask);
    }

    @Test
    void rootPassesTheModeBitsButNotAFileWithoutTheAccess() {
        String enabled = "/kernel/mm/transparent_hugepage/enabled";
        assertEquals(0, open(enabled, Credentials.ROOT, ProcFs.MAY_READ | ProcFs.MAY_WRITE));
        assertEquals(0, open(enabled, USER, ProcFs.MAY_READ));
        assertEquals(-Errno.EACCES, open(enabled, USER, ProcFs.MAY_WRITE), "a user may not write a knob");
        assertEquals(-Errno.EACCES, f.writeSys(enabled, "never", USER));
        assertEquals("always [madvise] never\n", f.sys(enabled), "unchanged");
        String compact = "/devices/system/node/node0/compact";
        assertEquals(-Errno.EACCES, open(compact, Credentials.ROOT, ProcFs.MAY_READ), "compact is write-only");
        assertEquals(0, open(compact, Credentials.ROOT, ProcFs.MAY_WRITE));
        assertEquals(-Errno.EACCES, open(compact, USER, ProcFs.MAY_WRITE));
        String meminfo = "/devices/system/node/node0/meminfo";
        assertEquals(-Errno.EACCES, open(meminfo, Credentials.ROOT, ProcFs.MAY_WRITE),
                "root cannot open a read-only attribute for writing (kernfs), unlike a /proc file");
        assertEquals(0, open(meminfo, USER, ProcFs.MAY_READ));
    }

    @Test
    void knobsOfWhatIsNotSimulatedRefuseWritesWithEio() {
        for (String path : new String[] {"/kernel/mm/transparent_hugepage/shmem_enabled",
            "/devices/system/cpu/cpu1/online",
            "/devices/system/memory/memory0/state"}) {
            String before = f.sys(path);
            assertEquals(-Errno.EIO, f.writeSys(path, "0\n", Credentials.ROOT), path);
            assertEquals(before, f.sys(path), path + " unchanged");
        }
    }

    @Test
    void writingCompactCompactsThatNode() {
        long scanned = io.simproc.proc.ProcText.vmstat(f.proc("/vmstat")).get("compact_migrate_scanned");
        assertEquals(2, f.writeSys("/devices/system/node/node0/compact", "1\n", Credentials.ROOT));
        long after = io.simproc.proc.ProcText.vmstat(f.proc("/vmstat")).get("compact_migrate_scanned");
        assertTrue(after > scanned, "the node's zones were compacted: " + scanned + " -> " + after);
        ProcEntry e = f.sys.lookup("/devices/system/node/node0/compact", Credentials.ROOT);
        assertEquals(ProcFile.Kind.SYSFS, ((ProcFile) e).kind());
    }
}
