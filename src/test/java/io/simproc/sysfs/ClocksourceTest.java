package io.simproc.sysfs;

import io.simproc.proc.ProcTestSupport;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /sys/devices/system/clocksource and /sys/bus/clocksource against the 6.18 guest's (reference-6.18/sys/devices/
 * system/clocksource: the files and `ls -lR` of the directory), and current_clocksource and unbind_clocksource
 * writes as kernel/time/clocksource.c answers them.
 */
class ClocksourceTest {
    private static final String DIR = "/devices/system/clocksource";
    private static final String DEV = DIR + "/clocksource0";

    private static SysFixture boot() {
        return SysFixture.boot("memory: 1G\ncpu: {count: 2}\n", 1);
    }

    @Test
    void filesAndModesAreTheGuests() {
        SysFixture f = boot();
        for (String name : List.of("available_clocksource", "current_clocksource", "uevent")) {
            assertEquals(ProcTestSupport.sample("sys" + DEV + "/" + name), f.sys(DEV + "/" + name), name);
        }
        assertEquals("tsc kvm-clock \n", f.sys(DEV + "/available_clocksource"), "the kernel's trailing space");
        Map<String, Integer> modes = referenceModes();
        for (Map.Entry<String, Integer> e : modes.entrySet()) {
            assertEquals(e.getValue(), f.mode(DIR + "/" + e.getKey()), e.getKey());
        }
        assertEquals(List.of("clocksource0", "power", "uevent"), f.list(DIR));
        assertEquals(List.of("available_clocksource", "current_clocksource", "power", "subsystem", "uevent",
                "unbind_clocksource"), f.list(DEV));
        assertEquals("../../../../bus/clocksource", f.link(DEV + "/subsystem"));
        assertEquals("../../../devices/system/clocksource/clocksource0",
                f.link("/bus/clocksource/devices/clocksource0"));
        assertEquals("tsc\n", f.sys("/bus/clocksource/devices/clocksource0/current_clocksource"), "the link resolves");
        assertEquals("unsupported\n", f.sys(DEV + "/power/runtime_status"));
        assertEquals("1\n", f.sys("/bus/clocksource/drivers_autoprobe"));
    }

    /** `ls -lR` of the reference: path below the directory → permission bits. */
    private static Map<String, Integer> referenceModes() {
        Map<String, Integer> out = new LinkedHashMap<>();
        String at = "";
        for (String line : ProcTestSupport.sample("sys" + DIR + "/listing.txt").split("\n")) {
            if (line.endsWith(":")) {
                at = line.substring(1, line.length() - 1);
            } else if (line.length() > 10 && "-dl".indexOf(line.charAt(0)) >= 0) {
                String[] fields = line.split(" +");
                String name = fields[line.charAt(0) == 'l' ? fields.length - 3 : fields.length - 1];
                out.put((at.isEmpty() ? "" : at.substring(1) + "/") + name, bits(fields[0]));
            }
        }
        assertEquals(19, out.size());
        return out;
    }

    private static int bits(String ls) {
        int mode = 0;
        for (int i = 1; i < 10; i++) {
            mode = mode << 1 | (ls.charAt(i) == '-' ? 0 : 1);
        }
        return mode;
    }

    @Test
    void writingAnAvailableNameSwitchesAndLogsIt() {
        SysFixture f = boot();
        assertEquals(10, f.writeSys(DEV + "/current_clocksource", "kvm-clock\n", Credentials.ROOT));
        assertEquals("kvm-clock\n", f.sys(DEV + "/current_clocksource"));
        assertEquals("tsc kvm-clock \n", f.sys(DEV + "/available_clocksource"), "the list keeps its order");
        boolean logged = f.kernel.read(k -> k.log().records().stream()
                .anyMatch(r -> r.text().equals("clocksource: Switched to clocksource kvm-clock")));
        assertTrue(logged);
        assertEquals(3, f.writeSys(DEV + "/current_clocksource", "tsc", Credentials.ROOT), "no newline needed");
        assertEquals("tsc\n", f.sys(DEV + "/current_clocksource"));
    }

    @Test
    void anUnknownOrUnusableNameIsAcceptedAndChangesNothing() {
        SysFixture f = boot();
        assertEquals(5, f.writeSys(DEV + "/current_clocksource", "hpet\n", Credentials.ROOT));
        assertEquals(8, f.writeSys(DEV + "/current_clocksource", "jiffies\n", Credentials.ROOT),
                "registered but not high-resolution capable");
        assertEquals("tsc\n", f.sys(DEV + "/current_clocksource"));
        assertEquals(-Errno.EINVAL, f.writeSys(DEV + "/current_clocksource", "x".repeat(32), Credentials.ROOT),
                "CS_NAME_LEN");
        assertEquals(-Errno.EACCES, f.writeSys(DEV + "/current_clocksource", "tsc\n", ProcTestSupport.USER));
    }

    @Test
    void unbindingFallsBackAndRefusesTheLastSource() {
        SysFixture f = boot();
        assertEquals(-Errno.ENODEV, f.writeSys(DEV + "/unbind_clocksource", "hpet\n", Credentials.ROOT));
        assertEquals(4, f.writeSys(DEV + "/unbind_clocksource", "tsc\n", Credentials.ROOT));
        assertEquals("kvm-clock\n", f.sys(DEV + "/current_clocksource"));
        assertEquals("kvm-clock \n", f.sys(DEV + "/available_clocksource"));
        assertEquals(-Errno.EBUSY, f.writeSys(DEV + "/unbind_clocksource", "kvm-clock\n", Credentials.ROOT),
                "nothing to fall back on");
        assertEquals(-Errno.ENODEV, f.writeSys(DEV + "/unbind_clocksource", "tsc\n", Credentials.ROOT), "gone");
        assertEquals("kvm-clock\n", f.sys(DEV + "/current_clocksource"));
        f.kernel.read(k -> {
            k.checkInvariants();
            return null;
        });
    }
}
