package io.simproc.sysfs;

import io.simproc.kernel.Cftype;
import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Cgroups;
import io.simproc.proc.Kstrtox;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The cgroup core's files of a v1 hierarchy's cgroups (kernel/cgroup/cgroup-v1.c: cgroup1_base_files[]): the v1
 * pidlists cgroup.procs and tasks (sorted, each pid once; writing one moves that process or thread,
 * __cgroup1_procs_write()), the cgroup.clone_children and notify_on_release flags (inherited by new children;
 * clone_children only concerns cpuset, which the machine does not have, and notify_on_release only runs a
 * release_agent, of which there is none), and on the root cgroup.sane_behavior and release_agent. A write to
 * release_agent is refused (EPERM): starting a user-mode helper is not simulated, so none can be set.
 */
final class Cgroup1BaseFiles {
    private Cgroup1BaseFiles() {
    }

    /** cgroup1_base_files[], in its order. */
    static List<Cftype<Cgroup>> files(Cgroups cgroups) {
        List<Cftype<Cgroup>> f = new ArrayList<>();
        f.add(new Cftype<>("cgroup.procs", 0, c -> pids(c.pidlist(true)),
                (c, buf, who, current) -> procsWrite(cgroups, c, buf, true, who, current)));
        f.add(new Cftype<>("cgroup.clone_children", 0, c -> (c.cloneChildren() ? 1 : 0) + "\n",
                (c, buf, who, current) -> flagWrite(c, buf, Cgroup::setCloneChildren)));
        f.add(new Cftype<>("cgroup.sane_behavior", Cftype.CFTYPE_ONLY_ON_ROOT, c -> "0\n", null));
        f.add(new Cftype<>("tasks", 0, c -> pids(c.pidlist(false)),
                (c, buf, who, current) -> procsWrite(cgroups, c, buf, false, who, current)));
        f.add(new Cftype<>("notify_on_release", 0, c -> (c.notifyOnRelease() ? 1 : 0) + "\n",
                (c, buf, who, current) -> flagWrite(c, buf, Cgroup::setNotifyOnRelease)));
        f.add(new Cftype<>("release_agent", Cftype.CFTYPE_ONLY_ON_ROOT, c -> "\n",
                (c, buf, who, current) -> -Errno.EPERM));
        return f;
    }

    private static String pids(List<Integer> pids) {
        StringBuilder sb = new StringBuilder();
        for (int pid : pids) {
            sb.append(pid).append('\n');
        }
        return sb.toString();
    }

    /** cgroup1_procs_write() and cgroup1_tasks_write(): kstrtoint(strstrip(buf), 0), not negative. */
    private static int procsWrite(Cgroups cgroups, Cgroup c, String buf, boolean threadgroup, Credentials who,
                                  io.simproc.kernel.Task current) {
        Kstrtox.Parsed pid = Kstrtox.kstrtoint(Kstrtox.strstrip(buf));
        if (!pid.ok() || pid.value() < 0) {
            return -Errno.EINVAL;
        }
        return cgroups.migrate().procs1Write(c, pid.value(), threadgroup, who, current);
    }

    /** A write_u64 flag: any number (kstrtoull's errors otherwise), non-zero sets it. */
    private static int flagWrite(Cgroup c, String buf, BiConsumer<Cgroup, Boolean> set) {
        String s = buf.endsWith("\n") ? buf.substring(0, buf.length() - 1) : buf;
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit)) {
            return -Errno.EINVAL;
        }
        set.accept(c, !s.chars().allMatch(ch -> ch == '0'));
        return 0;
    }
}
