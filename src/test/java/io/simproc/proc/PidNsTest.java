package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.simproc.proc.ProcTestSupport.USER;
import static io.simproc.proc.ProcTestSupport.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /proc/PID/ns and /proc/PID/task/TID/ns: the initial namespaces' links, in the kernel's readdir order and with the
 * targets the 6.18 guest shows (reference-6.18/proc/PID/ns_listing.txt), for user tasks and kernel threads alike;
 * reading a link is refused (EACCES) to a reader without ptrace access.
 */
class PidNsTest {
    /** The default machine with its population: user tasks of several owners beside the kernel threads. */
    private static ProcFs fs;

    private static synchronized ProcFs shared() {
        if (fs == null) {
            Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), ProcTestSupport.SEED);
            fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        }
        return fs;
    }

    /** name → target of the reference listing (`ls -l /proc/self/ns`). */
    private static Map<String, String> referenceTargets() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : sample("proc/PID/ns_listing.txt").split("\n")) {
            if (line.startsWith("l")) {
                String[] f = line.split(" ");
                assertEquals("lrwxrwxrwx", f[0]);
                out.put(f[f.length - 3], f[f.length - 1]);
            }
        }
        assertEquals(10, out.size());
        return out;
    }

    @Test
    void everyTaskIsInTheInitialNamespaces() {
        Map<String, String> want = referenceTargets();
        List<String> order = List.of(sample("proc/PID/ns_readdir_order.txt").split("\n"));
        int threads = 0;
        for (Task t : shared().kernel().tasks().all()) {
            for (String dir : List.of("/" + t.tgid() + "/task/" + t.pid() + "/ns", "/" + t.pid() + "/ns")) {
                ProcDir ns = assertInstanceOf(ProcDir.class, shared().lookup(dir, Credentials.ROOT), dir);
                assertEquals(0511, ns.mode(), dir);
                List<String> names = new ArrayList<>();
                for (ProcEntry e : shared().list(ns, Credentials.ROOT)) {
                    ProcLink link = assertInstanceOf(ProcLink.class, e);
                    names.add(link.name());
                    assertEquals(0777, link.mode());
                    assertEquals(t.uid(), link.uid(), "task_dump_owner");
                    assertEquals(want.get(link.name()), shared().readlink(link, Credentials.ROOT),
                            dir + "/" + link.name());
                }
                assertEquals(order, names, dir);
            }
            threads += t.isKthread() ? 0 : 1;
        }
        assertTrue(threads > 1, "user tasks are covered");
        assertTrue(shared().kernel().tasks().get(2).isKthread(), "kthreadd is covered");
    }

    @Test
    void readingAnotherUsersLinkNeedsPtraceAccess() {
        ProcLink net = assertInstanceOf(ProcLink.class, shared().lookup("/1/ns/net", Credentials.ROOT));
        ProcException denied = assertThrows(ProcException.class, () -> shared().readlink(net, USER));
        assertEquals(Errno.EACCES, denied.errno());
        ProcDir ns = assertInstanceOf(ProcDir.class, shared().lookup("/1/ns", USER));
        assertEquals(-Errno.EACCES, ProcFs.permission(ns, USER, ProcFs.MAY_READ), "0511: only the owner lists it");
        assertEquals(0, ProcFs.permission(ns, USER, 1), "anyone may pass through it");
        Task own = null;
        for (Task t : shared().kernel().tasks().all()) {
            if (t.uid() != 0 && !t.isKthread()) {
                own = t;
                break;
            }
        }
        assertTrue(own != null, "the default machine has a task of an ordinary user");
        Credentials owner = new Credentials(own.uid(), own.gid(), 4242);
        ProcDir ownNs = assertInstanceOf(ProcDir.class, shared().lookup("/" + own.pid() + "/ns", owner));
        assertEquals(0, ProcFs.permission(ownNs, owner, ProcFs.MAY_READ));
        ProcLink uts = assertInstanceOf(ProcLink.class, shared().lookup("/" + own.pid() + "/ns/uts", owner));
        assertEquals("uts:[4026531838]", shared().readlink(uts, owner));
    }
}
