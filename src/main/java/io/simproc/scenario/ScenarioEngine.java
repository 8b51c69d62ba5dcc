package io.simproc.scenario;

import io.simproc.kernel.Kernel;
import io.simproc.proc.ProcFs;
import io.simproc.sysfs.SysTree;
import io.simproc.workload.Population;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs scenarios on one machine: schedules their timelines on the kernel's clock (so a seed replays them exactly,
 * offline or on a mount), keeps the workloads they started, and collects what they report. Scenarios applied one
 * after another run side by side. Threading: {@link #start} and everything the steps do run as the machine's
 * single writer; the reports are read under the read lock.
 */
public final class ScenarioEngine {
    /** Reports kept for {@code status} on a long-running mount; offline runs see every one through counts. */
    static final int KEEP_OUTCOMES = 4096;
    /** Workloads advance every this many jiffies (40 ms at HZ=250). */
    static final long TICK_JIFFIES = 10;

    private final Kernel kernel;
    private final Population population;
    private final ProcFs procFs;
    private final ProcFs sysFs;
    private final Deque<Outcome> outcomes = new ArrayDeque<>();
    private final List<Workload> workloads = new ArrayList<>();
    private final List<ScenarioRun> runs = new ArrayList<>();
    private final Map<String, String> heldKnobs = new LinkedHashMap<>();
    private long passed;
    private long failed;

    /** An engine whose machine serves {@code procFs} as /proc and {@code sysFs} as /sys. */
    public ScenarioEngine(Kernel kernel, Population population, ProcFs procFs, ProcFs sysFs) {
        this.kernel = kernel;
        this.population = population;
        this.procFs = procFs;
        this.sysFs = sysFs;
    }

    /** An engine with a /sys of its own for the machine. */
    public ScenarioEngine(Kernel kernel, Population population, ProcFs procFs) {
        this(kernel, population, procFs, new ProcFs(kernel, SysTree.create(kernel)));
    }

    public Kernel kernel() {
        return kernel;
    }

    public Population population() {
        return population;
    }

    public ProcFs procFs() {
        return procFs;
    }

    /** The machine's /sys. */
    public ProcFs sysFs() {
        return sysFs;
    }

    /**
     * Schedule a scenario's timeline starting now: scenario time 0 is the next jiffy, so that advancing the clock
     * to it runs the steps at 0.
     */
    public ScenarioRun start(Scenario scenario) {
        assert kernel.isWriter();
        ScenarioRun run = new ScenarioRun(this, scenario, kernel.jiffies() + 1, runs.size());
        runs.add(run);
        for (TimelineEntry e : scenario.entries()) {
            run.schedule(e);
        }
        return run;
    }

    /**
     * Start a scenario at once (control requests): its steps at time 0 run now, in the caller's write lock, and
     * the rest is scheduled; returns the run, whose {@link ScenarioRun#outcomes()} tell how the steps at 0 went.
     */
    public ScenarioRun runNow(Scenario scenario) {
        assert kernel.isWriter();
        ScenarioRun run = new ScenarioRun(this, scenario, kernel.jiffies(), runs.size());
        runs.add(run);
        for (TimelineEntry e : scenario.entries()) {
            if (e.atMillis() == 0 && e.everyMillis() == 0) {
                run.runOnce(e);
            } else {
                run.schedule(e);
            }
        }
        return run;
    }

    /**
     * Set the knob at /proc/sys/{@code path} ({@code vm/swappiness}) to {@code value} and hold it there: the
     * {@code sysctl} steps of the scenarios run on this machine leave it alone (simproc run --set, simproc sweep).
     * A StepException with the kernel's errno when the knob refuses the value.
     */
    public void hold(String path, String value) {
        assert kernel.isWriter();
        SysctlStep.write(procFs, path, value);
        heldKnobs.put(path, value);
    }

    /** The knobs held by {@link #hold}, by /proc/sys path, in the order they were set. */
    public Map<String, String> heldKnobs() {
        return java.util.Collections.unmodifiableMap(heldKnobs);
    }

    /**
     * A run of no scenario, starting now, through which a live recording reads the machine: it runs nothing and is
     * not one of {@link #runs()} (so the scenarios applied later are numbered, and seeded, as without it).
     */
    public ScenarioRun observer(String name) {
        Scenario none = new Scenario(name, name, null, List.of(), 0);
        return kernel.read(k -> new ScenarioRun(this, none, k.jiffies(), -1));
    }

    /** The scenarios started on this machine, oldest first. */
    public List<ScenarioRun> runs() {
        return List.copyOf(runs);
    }

    void record(Outcome o) {
        if (o.ok()) {
            passed++;
        } else {
            failed++;
        }
        outcomes.addLast(o);
        while (outcomes.size() > KEEP_OUTCOMES) {
            outcomes.removeFirst();
        }
    }

    /** The latest reports, oldest first. */
    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    public long passed() {
        return passed;
    }

    /** Failed expectations and failed steps. */
    public long failed() {
        return failed;
    }

    /**
     * Run {@code w} tick by tick until it is done. When its entry expects a failure ({@code entry.fails()}), the
     * workload's end is the outcome: PASS when it stops with that errno, FAIL when it completes or fails otherwise.
     */
    void startWorkload(ScenarioRun run, TimelineEntry entry, Workload w) {
        workloads.add(w);
        kernel.schedule(0, new Runnable() {
            @Override
            public void run() {
                boolean more;
                try {
                    more = w.tick(run);
                    if (!more && entry.fails() != 0) {
                        run.report(Outcome.Verdict.FAIL, entry.where(), ScenarioRun.failsWhat(entry), "it succeeded");
                    }
                } catch (StepException e) {
                    if (entry.fails() == 0) {
                        run.report(Outcome.Verdict.ERROR, entry.where(), w.describe(), e.getMessage());
                    } else {
                        run.report(e.errno() == entry.fails() ? Outcome.Verdict.PASS : Outcome.Verdict.FAIL,
                                entry.where(), ScenarioRun.failsWhat(entry), e.getMessage());
                    }
                    more = false;
                }
                if (more) {
                    kernel.schedule(TICK_JIFFIES, this);
                } else {
                    workloads.remove(w);
                }
            }
        });
    }

    /** What the running workloads are doing. */
    public List<String> workloads() {
        List<String> out = new ArrayList<>();
        for (Workload w : workloads) {
            out.add(w.describe());
        }
        return out;
    }
}
