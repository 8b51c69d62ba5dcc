package io.simproc.scenario;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcException;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcLink;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import io.simproc.workload.Machines;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs scenarios offline in tests. The mm invariant checker runs whenever a test stops the clock (after every
 * timer it would cost minutes on the default machine).
 */
final class ScenarioFixture {
    /** A small machine that boots fast: 1 GiB, init and one shell. */
    static final String SMALL_MACHINE = """
            machine:
              memory: 1G
              cpu: 2
              processes:
                - program: systemd
                  args: [/sbin/init]
                - program: bash
                  args: [-bash]
                  heap: 1M
            """;

    final Kernel kernel;
    final ScenarioEngine engine;
    final ScenarioRun run;
    final ProcFs fs;

    private ScenarioFixture(Scenario s, long seed) {
        MachineProfile p = s.machine() != null ? s.machine() : MachineProfileLoader.loadDefault();
        Machines.Machine m = Machines.start(p, seed);
        kernel = m.kernel();
        fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        engine = new ScenarioEngine(kernel, m.population(), fs);
        run = kernel.mutate(() -> engine.start(s));
    }

    static Scenario parse(String text) {
        return new ScenarioParser(StepRegistry.standard()).parse("t.yaml", text, null);
    }

    static Scenario load(Path file) {
        return new ScenarioParser(StepRegistry.standard()).load(file);
    }

    /** Start a scenario on a fresh machine (its own or the default one). */
    static ScenarioFixture start(Scenario s, long seed) {
        return new ScenarioFixture(s, seed);
    }

    /** Start scenario text on the small machine. */
    static ScenarioFixture small(String text) {
        return start(parse(SMALL_MACHINE + text), 1);
    }

    /** Run up to scenario time {@code millis}. */
    ScenarioFixture until(long millis) {
        kernel.advanceTo(run.jiffiesAt(millis));
        kernel.read(k -> {
            k.checkInvariants();
            return null;
        });
        return this;
    }

    /** Run to the scenario's end. */
    ScenarioFixture toEnd() {
        return until(run.scenario().endMillis());
    }

    List<Outcome> outcomes() {
        return engine.outcomes();
    }

    /** Outcomes that are not PASS, as lines. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        for (Outcome o : engine.outcomes()) {
            if (!o.ok()) {
                out.add(o.line());
            }
        }
        return out;
    }

    String read(String path) {
        ProcEntry e = fs.lookup(path, Credentials.ROOT);
        return new String(fs.render((ProcFile) e, Credentials.ROOT), StandardCharsets.UTF_8);
    }

    /** The whole tree as root reads it: path → content (links: → target). */
    Map<String, String> tree() {
        Map<String, String> out = new TreeMap<>();
        walk((ProcDir) fs.lookup("/", Credentials.ROOT), "", out);
        return out;
    }

    private void walk(ProcDir dir, String at, Map<String, String> out) {
        for (ProcEntry e : fs.list(dir, Credentials.ROOT)) {
            String p = at + "/" + e.name();
            if (e instanceof ProcDir d) {
                walk(d, p, out);
            } else if (e instanceof ProcLink l) {
                out.put(p, "-> " + fs.readlink(l, Credentials.ROOT));
            } else if (e instanceof ProcFile f && ProcFs.permission(f, Credentials.ROOT, ProcFs.MAY_READ) == 0) {
                try {
                    out.put(p, new String(fs.render(f, Credentials.ROOT), StandardCharsets.UTF_8));
                } catch (ProcException ex) {
                    out.put(p, "errno " + ex.errno());
                }
            }
        }
    }
}
