package io.simproc.sysfs;

import io.simproc.kernel.Cftype;
import io.simproc.kernel.Cgroup;
import io.simproc.kernel.CgroupSubsys;
import io.simproc.kernel.CgroupSubsysState;
import io.simproc.kernel.Cgroups;
import io.simproc.kernel.Kernel;
import io.simproc.proc.Kstrtox;
import io.simproc.proc.Pressure;
import io.simproc.proc.ProcException;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup core's interface files of a cgroup (kernel/cgroup/cgroup.c: cgroup_base_files[]), as {@link Cftype}s on
 * the {@link Cgroup} itself: their show and write functions with the kernel's parsing and errnos. Served where the
 * kernel serves them (CFTYPE_NOT_ON_ROOT), with one exception: cgroup.freeze is not, the freezer not being simulated
 * (a cgroup could not be frozen; cgroup.events' "frozen" and cgroup.stat.local's frozen_usec are then truly 0).
 * cpu.stat.local shows the cpu controller's throttling, which a machine without that controller leaves empty.
 */
final class CgroupBaseFiles {
    private CgroupBaseFiles() {
    }

    /** The core files of {@code cgrp}'s directory in cgroup_base_files[] order. */
    static List<Cftype<Cgroup>> files(Cgroups cgroups) {
        int notOnRoot = Cftype.CFTYPE_NOT_ON_ROOT;
        List<Cftype<Cgroup>> f = new ArrayList<>();
        f.add(new Cftype<>("cgroup.type", notOnRoot, c -> cgroups.control().type(c) + "\n",
                (c, buf, who, current) -> typeWrite(cgroups, c, buf)));
        f.add(new Cftype<>("cgroup.procs", 0, c -> pids(procs(c)),
                (c, buf, who, current) -> procsWrite(cgroups, c, buf, true, who, current)));
        f.add(new Cftype<>("cgroup.threads", 0, c -> pids(c.threads()),
                (c, buf, who, current) -> procsWrite(cgroups, c, buf, false, who, current)));
        f.add(new Cftype<>("cgroup.controllers", 0, c -> mask(cgroups, cgroups.control().cgroupControl(c)), null));
        f.add(new Cftype<>("cgroup.subtree_control", 0, c -> mask(cgroups, c.subtreeControl()),
                (c, buf, who, current) -> subtreeControlWrite(cgroups, c, buf)));
        f.add(new Cftype<>("cgroup.events", notOnRoot, c -> "populated " + (c.isPopulated() ? 1 : 0) + "\nfrozen 0\n",
                null));
        f.add(new Cftype<>("cgroup.max.descendants", 0, c -> max(c.maxDescendants()),
                (c, buf, who, current) -> maxWrite(buf, v -> cgroups.setMaxDescendants(c, v))));
        f.add(new Cftype<>("cgroup.max.depth", 0, c -> max(c.maxDepth()),
                (c, buf, who, current) -> maxWrite(buf, v -> cgroups.setMaxDepth(c, v))));
        f.add(new Cftype<>("cgroup.stat", 0, c -> stat(cgroups, c), null));
        f.add(new Cftype<>("cgroup.stat.local", notOnRoot, c -> "frozen_usec 0\n", null));
        f.add(new Cftype<>("cgroup.kill", notOnRoot, null, (c, buf, who, current) -> killWrite(cgroups, c, buf)));
        f.add(new Cftype<>("cpu.stat.local", 0, c -> "", null));
        return f;
    }

    /**
     * cgroup_psi_files[] (CONFIG_PSI; no irq.pressure, the guest kernel lacking CONFIG_IRQ_TIME_ACCOUNTING as its
     * /proc/pressure shows): the pressure of the cgroup's subtree (the root's is the system's), with triggers taken
     * as /proc/pressure takes them (from a writer with CAP_SYS_RESOURCE, cgroup_pressure_open()), and
     * cgroup.pressure, whose 0 hides the other three and stops their accounting. On the root too.
     */
    static List<Cftype<Cgroup>> psiFiles(Kernel kernel) {
        List<Cftype<Cgroup>> f = new ArrayList<>();
        for (String res : List.of("io", "memory", "cpu")) {
            f.add(new Cftype<>(res + ".pressure", 0, c -> kernel.sched().cgroupPsi().pressure(c, res),
                    (c, buf, who, current) -> !who.isRoot() ? -Errno.EPERM : !c.isOnline() ? -Errno.ENODEV
                            : Pressure.trigger(buf)));
        }
        f.add(new Cftype<>("cgroup.pressure", 0, c -> (kernel.sched().cgroupPsi().psiEnabled(c) ? 1 : 0) + "\n",
                (c, buf, who, current) -> pressureWrite(kernel, c, buf)));
        return f;
    }

    /** cgroup_pressure_write(): 0 or 1 (kstrtoint's errors, ERANGE for another number). */
    private static int pressureWrite(Kernel kernel, Cgroup c, String buf) {
        Kstrtox.Parsed p = Kstrtox.kstrtoint(Kstrtox.strstrip(buf));
        if (!p.ok()) {
            return -p.errno();
        }
        if (p.value() < 0 || p.value() > 1) {
            return -Errno.ERANGE;
        }
        return kernel.sched().cgroupPsi().setPsiEnabled(c, p.value() == 1);
    }

    /** cgroup_procs_start(): the processes of a threaded cgroup are its domain's; reading them is EOPNOTSUPP. */
    private static List<Integer> procs(Cgroup c) {
        if (c.isThreaded()) {
            throw new ProcException(Errno.EOPNOTSUPP);
        }
        return c.procs();
    }

    private static String pids(List<Integer> pids) {
        StringBuilder sb = new StringBuilder();
        for (int pid : pids) {
            sb.append(pid).append('\n');
        }
        return sb.toString();
    }

    /** cgroup_print_ss_mask(): the names, and a newline only when there is one. */
    private static String mask(Cgroups cgroups, int mask) {
        String names = cgroups.names(mask);
        return names.isEmpty() ? "" : names + "\n";
    }

    /** cgroup_max_descendants_show() and cgroup_max_depth_show(). */
    private static String max(int v) {
        return (v == Cgroup.MAX ? "max" : Integer.toString(v)) + "\n";
    }

    /**
     * cgroup_stat_show() of 6.18: nr_descendants, a nr_subsys_NAME line per controller (its live csses here and
     * below), nr_dying_descendants, then a nr_dying_subsys_NAME line per controller.
     */
    private static String stat(Cgroups cgroups, Cgroup c) {
        StringBuilder sb = new StringBuilder("nr_descendants ").append(c.nrDescendants()).append('\n');
        List<CgroupSubsys<?>> subsys = cgroups.subsystems();
        for (int id = 0; id < subsys.size(); id++) {
            if (subsys.get(id) != null) {
                CgroupSubsysState<?> css = c.css(id);
                sb.append("nr_subsys_").append(subsys.get(id).name()).append(' ')
                        .append(css == null ? 0 : css.nrDescendants() + 1).append('\n');
            }
        }
        sb.append("nr_dying_descendants ").append(c.nrDyingDescendants()).append('\n');
        for (int id = 0; id < subsys.size(); id++) {
            if (subsys.get(id) != null) {
                sb.append("nr_dying_subsys_").append(subsys.get(id).name()).append(' ').append(c.nrDyingSubsys(id))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    /** cgroup_type_write(): only "threaded" is taken. */
    private static int typeWrite(Cgroups cgroups, Cgroup c, String buf) {
        if (!Kstrtox.strstrip(buf).equals("threaded")) {
            return -Errno.EINVAL;
        }
        return cgroups.control().enableThreaded(c);
    }

    /** cgroup_procs_write_start()'s parsing: kstrtoint(strstrip(buf), 0), a negative pid or garbage is EINVAL. */
    private static int procsWrite(Cgroups cgroups, Cgroup c, String buf, boolean threadgroup,
                                  io.simproc.uapi.Credentials who, io.simproc.kernel.Task current) {
        Kstrtox.Parsed pid = Kstrtox.kstrtoint(Kstrtox.strstrip(buf));
        if (!pid.ok() || pid.value() < 0) {
            return -Errno.EINVAL;
        }
        return cgroups.migrate().procsWrite(c, pid.value(), threadgroup, who, current);
    }

    /**
     * cgroup_subtree_control_write()'s parsing: space separated tokens, each + or - and a controller's name; an
     * unknown name or another first character is EINVAL, later tokens win over earlier ones.
     */
    private static int subtreeControlWrite(Cgroups cgroups, Cgroup c, String buf) {
        int enable = 0;
        int disable = 0;
        for (String tok : Kstrtox.strstrip(buf).split(" ", -1)) {
            if (tok.isEmpty()) {
                continue;
            }
            int id = cgroups.ssidByName(tok.substring(1));
            if (id < 0) {
                return -Errno.EINVAL;
            }
            if (tok.charAt(0) == '+') {
                enable |= 1 << id;
                disable &= ~(1 << id);
            } else if (tok.charAt(0) == '-') {
                disable |= 1 << id;
                enable &= ~(1 << id);
            } else {
                return -Errno.EINVAL;
            }
        }
        return cgroups.control().subtreeControlWrite(c, enable, disable);
    }

    /** cgroup_max_descendants_write() and cgroup_max_depth_write(): "max" or kstrtoint's number, not negative. */
    private static int maxWrite(String buf, java.util.function.IntUnaryOperator set) {
        String s = Kstrtox.strstrip(buf);
        int v;
        if (s.equals("max")) {
            v = Cgroup.MAX;
        } else {
            Kstrtox.Parsed p = Kstrtox.kstrtoint(s);
            if (!p.ok()) {
                return -p.errno();
            }
            v = p.value();
        }
        if (v < 0) {
            return -Errno.ERANGE;
        }
        return set.applyAsInt(v);
    }

    /** cgroup_kill_write(): only 1 (ERANGE otherwise); a threaded cgroup cannot be killed (EOPNOTSUPP). */
    private static int killWrite(Cgroups cgroups, Cgroup c, String buf) {
        Kstrtox.Parsed p = Kstrtox.kstrtoint(Kstrtox.strstrip(buf));
        if (!p.ok()) {
            return -p.errno();
        }
        if (p.value() != 1) {
            return -Errno.ERANGE;
        }
        if (!c.isOnline()) {
            return -Errno.ENOENT;
        }
        if (c.isThreaded()) {
            return -Errno.EOPNOTSUPP;
        }
        cgroups.tasks().kill(c);
        return 0;
    }
}
