package io.simproc.proc;

import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import static io.simproc.proc.ProcFs.MAY_READ;
import static io.simproc.proc.ProcFs.MAY_WRITE;
import static io.simproc.proc.ProcFs.permission;
import static io.simproc.proc.ProcTestSupport.USER;
import static io.simproc.proc.ProcTestSupport.file;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The open(2) permission rules of {@link ProcFs#permission}: ordinary DAC with root's override for /proc files, but
 * mode bits binding root too for /proc/sys (fs/proc/proc_sysctl.c: sysctl_perm()), so a 0200 knob cannot be read
 * even by root while the 0400 pagetypeinfo can; an ordinary user is held to the "other" bits.
 */
class ProcFsPermissionTest {
    private static final int EACCES = -Errno.EACCES;
    private static final Credentials ROOT = Credentials.ROOT;

    /** A write-only knob like vm.drop_caches or vm.compact_memory (mode 0200, root-owned, sysctl semantics). */
    private static final ProcFile WRITE_ONLY_SYSCTL =
            new ProcFile("drop_caches", 0200, 0, 0, ctx -> new byte[0], (ctx, data, offset) -> data.length, true);

    @Test
    void rootMayNotReadAWriteOnlySysctlButMayWriteIt() {
        assertEquals(EACCES, permission(WRITE_ONLY_SYSCTL, ROOT, MAY_READ));
        assertEquals(0, permission(WRITE_ONLY_SYSCTL, ROOT, MAY_WRITE));
        assertEquals(EACCES, permission(WRITE_ONLY_SYSCTL, ROOT, MAY_READ | MAY_WRITE), "O_RDWR");
    }

    @Test
    void rootMayReadTheRootOnlyPagetypeinfo() {
        ProcFile pagetypeinfo = file(shared(), "/pagetypeinfo");
        assertEquals(0400, pagetypeinfo.mode());
        assertEquals(0, permission(pagetypeinfo, ROOT, MAY_READ));
    }

    @Test
    void anOrdinaryUserMayNotReadPagetypeinfo() {
        assertEquals(EACCES, permission(file(shared(), "/pagetypeinfo"), USER, MAY_READ));
    }

    @Test
    void anOrdinaryUserMayReadButNotWriteARootOwnedSysctl() {
        for (String knob : new String[] {"/sys/vm/min_free_kbytes", "/sys/vm/watermark_scale_factor",
            "/sys/vm/lowmem_reserve_ratio", "/sys/kernel/pid_max", "/sys/kernel/threads-max"}) {
            ProcFile f = file(shared(), knob);
            assertEquals(0644, f.mode(), knob);
            assertEquals(0, permission(f, USER, MAY_READ), knob);
            assertEquals(EACCES, permission(f, USER, MAY_WRITE), knob);
            assertEquals(0, permission(f, ROOT, MAY_WRITE), knob);
        }
    }

    @Test
    void readOnlySysctlsBindRootToo() {
        ProcFile osrelease = file(shared(), "/sys/kernel/osrelease");
        assertEquals(0444, osrelease.mode());
        assertEquals(0, permission(osrelease, ROOT, MAY_READ));
        assertEquals(EACCES, permission(osrelease, ROOT, MAY_WRITE), "0444 sysctl: mode bits bind root");
    }

    @Test
    void everyoneMayReadTheWorldReadableFiles() {
        for (String f : new String[] {"/meminfo", "/buddyinfo", "/zoneinfo", "/vmstat", "/iomem", "/stat",
            "/uptime", "/loadavg", "/cpuinfo", "/version"}) {
            assertEquals(0444, file(shared(), f).mode(), f);
            assertEquals(0, permission(file(shared(), f), USER, MAY_READ), f);
        }
    }

    /** The group triplet applies to a member of the owning group, the other triplet to everyone else. */
    @Test
    void groupAndOtherBitsAreCheckedSeparately() {
        ProcFile groupReadable = ProcFile.readOnly("x", 0640, ctx -> new byte[0]);
        ProcFile owned = new ProcFile("y", 0640, 1000, 50, ctx -> new byte[0], null, false);
        assertEquals(EACCES, permission(groupReadable, USER, MAY_READ));
        assertEquals(0, permission(groupReadable, new Credentials(1000, 0, 1), MAY_READ), "gid 0 = owning group");
        assertEquals(0, permission(owned, USER, MAY_READ | MAY_WRITE), "the owner");
        assertEquals(EACCES, permission(owned, new Credentials(1001, 51, 1), MAY_READ));
    }
}
