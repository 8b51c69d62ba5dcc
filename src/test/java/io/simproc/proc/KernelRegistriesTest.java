package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Mounts;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lists of what the modelled kernel registers at boot, byte for byte as the 6.18 guest shows them:
 * /proc/filesystems and /proc/tty/{drivers,ldiscs}; and that every file system the mount table uses is registered.
 */
class KernelRegistriesTest {
    @Test
    void filesystemsIsTheModelledKernelsList() {
        assertEquals(sample("proc/filesystems"), read(shared(), "/filesystems"));
        assertEquals(0444, shared().lookup("/filesystems", Credentials.ROOT).mode());
    }

    @Test
    void everyMountedFileSystemTypeIsRegistered() {
        List<String> registered = names(read(shared(), "/filesystems"));
        Mounts mounts = shared().kernel().mounts();
        for (Mounts.Mount m : mounts.all()) {
            assertTrue(registered.contains(m.fstype()), m.fstype() + " of " + m.mountPoint() + " is registered");
        }
        for (String line : read(shared(), "/self/mounts").split("\n")) {
            String type = line.split(" ")[2];
            assertTrue(registered.contains(type), type + " of /proc/mounts is in /proc/filesystems");
        }
    }

    /** A partition of a type the modelled kernel is built without (vfat) is registered after the built-in ones. */
    @Test
    void aModuleFileSystemOfAProfileFollowsTheBuiltInOnes() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t.yaml", "memory: 1G\ncpu: {count: 2}\n"
                + "disks:\n  - name: vda\n    size: 20G\n    partitions:\n      - {size: 18G, mount: /}\n"
                + "      - {mount: /boot/efi, fstype: vfat}\n"), 1);
        ProcFs fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        assertEquals(sample("proc/filesystems") + "\tvfat\n", read(fs, "/filesystems"));
    }

    @Test
    void ttyDriversAndLdiscsAreTheModelledKernels() {
        assertEquals(sample("proc/tty/drivers"), read(shared(), "/tty/drivers"));
        assertEquals(sample("proc/tty/ldiscs"), read(shared(), "/tty/ldiscs"));
        ProcDir tty = assertInstanceOf(ProcDir.class, shared().lookup("/tty", Credentials.ROOT));
        List<String> names = new ArrayList<>();
        for (ProcEntry e : shared().list(tty, Credentials.ROOT)) {
            names.add(e.name());
        }
        assertEquals(List.of("ldisc", "ldiscs", "drivers"), names, "procfs order; driver/ is not served");
        assertEquals(0555, tty.mode());
        assertEquals(0444, shared().lookup("/tty/drivers", Credentials.ROOT).mode());
        assertEquals(0444, shared().lookup("/tty/ldiscs", Credentials.ROOT).mode());
        assertTrue(shared().list((ProcDir) shared().lookup("/tty/ldisc", Credentials.ROOT), Credentials.ROOT)
                .isEmpty());
    }

    private static List<String> names(String filesystems) {
        List<String> out = new ArrayList<>();
        for (String line : filesystems.split("\n")) {
            String[] f = line.split("\t", -1);
            assertEquals(2, f.length, line);
            assertTrue(f[0].isEmpty() || f[0].equals("nodev"), line);
            out.add(f[1]);
        }
        return out;
    }
}
