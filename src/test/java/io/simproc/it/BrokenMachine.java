package io.simproc.it;

import io.simproc.control.ControlRequests;
import io.simproc.control.ControlServer;
import io.simproc.control.Daemon;
import io.simproc.control.Journal;
import io.simproc.control.MachineSource;
import io.simproc.fuse.ProcFuse;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Simulation;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.sysctl.SysctlTable;
import io.simproc.workload.Machines;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A simproc daemon with one deliberately broken part, for proving that the conformance suite catches it: a file that
 * lies, /proc/meminfo with the values of two fields swapped ({@code java -cp test-classes:simproc.jar
 * io.simproc.it.BrokenMachine DIR swap FIELD_A FIELD_B}), or with {@code --node N} after them, the sys tree's
 * devices/system/node/nodeN/meminfo instead; or a file of /proc the machine does not serve ({@code BrokenMachine DIR
 * without swaps}). Everything else is the real machine, trees (its /sys at DIR-sys, as simproc mount serves it),
 * FUSE binding and control socket (the conformance suite pauses the machine through it). Test code only: production
 * has no fault-injection hook.
 */
public final class BrokenMachine {
    private BrokenMachine() {
    }

    public static void main(String[] args) throws java.io.IOException {
        Path dir = Path.of(args[0]);
        Machines.Machine machine = Machines.start(MachineProfileLoader.loadDefault(), 3);
        Kernel kernel = machine.kernel();
        kernel.setBootEpoch(System.currentTimeMillis() / 1000 - 30);
        ProcDir proc = ProcTree.create(SysctlTable.create()).root();
        ProcDir sysRoot = io.simproc.sysfs.SysTree.create(kernel).root();
        if (args[1].equals("without")) {
            proc = (ProcDir) broken(proc, List.of(args[2].split("/")), null);
        } else {
            String a = args[2];
            String b = args[3];
            Integer node = args.length > 5 && args[4].equals("--node") ? Integer.valueOf(args[5]) : null;
            if (node == null) {
                proc = (ProcDir) broken(proc, List.of("meminfo"), text -> swap(text, "", a, b));
            } else {
                sysRoot = (ProcDir) broken(sysRoot, List.of("devices", "system", "node", "node" + node, "meminfo"),
                        text -> swap(text, "Node " + node + " ", a, b));
            }
        }
        ProcFs fs = new ProcFs(kernel, ProcTree.of(proc));
        ProcFs sysFs = new ProcFs(kernel, ProcTree.of(sysRoot));
        Simulation sim = new Simulation(kernel, System::nanoTime, 1);
        ControlServer control = ControlServer.start(new Daemon(kernel, sim, new ScenarioEngine(kernel,
                machine.population(), fs, sysFs), new Journal(MachineSource.embeddedDefault())),
                ControlRequests.standard(), dir);
        sim.start();
        Path sysDir = MountedMachine.sysDir(dir);
        java.nio.file.Files.createDirectories(sysDir);
        ProcFuse.Mounted sys = new ProcFuse(sysFs, System.err::println).mount(sysDir, new String[] {"-o", "direct_io",
            "-o", "default_permissions", "-o", "allow_other", "-o", "fsname=simproc-sys"});
        Thread sysServer = new Thread(sys::serve, "simproc-sys");
        sysServer.setDaemon(true);
        sysServer.start();
        ProcFuse fuse = new ProcFuse(fs, System.err::println);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            control.close();
            fuse.umount();
            MountedMachine.unmount(sysDir);
        }));
        fuse.mount(dir, true, false, new String[] {"-o", "direct_io", "-o", "default_permissions", "-o",
            "allow_other", "-o", "fsname=simproc"});
    }

    /**
     * The entry e with the file at {@code path} below it rendering {@code change} of what it renders, or without that
     * file when {@code change} is null.
     */
    private static ProcEntry broken(ProcEntry e, List<String> path, UnaryOperator<String> change) {
        if (path.isEmpty()) {
            ProcFile f = (ProcFile) e;
            return ProcFile.readOnly(f.name(), f.mode(), ctx -> change.apply(new String(f.renderer().render(ctx),
                    StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
        }
        if (!(e instanceof ProcDir d)) {
            return e;
        }
        String next = path.get(0);
        List<String> rest = path.subList(1, path.size());
        UnaryOperator<ProcEntry> on = c -> c == null || !c.name().equals(next) ? c
                : rest.isEmpty() && change == null ? null : broken(c, rest, change);
        return new ProcDir(d.name(), d.mode(), d.uid(), d.gid(), ctx -> {
            List<ProcEntry> out = new ArrayList<>();
            for (ProcEntry c : d.children().apply(ctx)) {
                ProcEntry kept = on.apply(c);
                if (kept != null) {
                    out.add(kept);
                }
            }
            return out;
        }, (name, ctx) -> on.apply(d.child(name, ctx)));
    }

    /** The text with the numbers of fields {@code a} and {@code b} exchanged, columns kept. */
    static String swap(String meminfo, String prefix, String a, String b) {
        String va = value(meminfo, prefix + a);
        String vb = value(meminfo, prefix + b);
        return set(set(meminfo, prefix + a, vb), prefix + b, va);
    }

    private static String value(String text, String field) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(field) + ":\\s+(\\d+)").matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no field " + field);
        }
        return m.group(1);
    }

    private static String set(String text, String field, String v) {
        Matcher m = Pattern.compile("(?m)^(" + Pattern.quote(field) + ":)(\\s+)(\\d+)").matcher(text);
        m.find();
        int width = m.group(2).length() + m.group(3).length();
        return text.substring(0, m.start()) + m.group(1) + String.format("%" + width + "s", v)
                + text.substring(m.end());
    }
}
