package io.simproc.scenario;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.SeededRandom;
import io.simproc.kernel.Task;
import io.simproc.proc.ProcFs;
import io.simproc.uapi.Errno;
import io.simproc.workload.Population;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scenario running on a machine: when it started, the processes and regions its steps named, and its own
 * seeded random stream. Steps reach the machine through it.
 */
public final class ScenarioRun {
    private final ScenarioEngine engine;
    private final Scenario scenario;
    private final long startJiffies;
    private final SeededRandom random;
    private final Map<String, Task> processes = new LinkedHashMap<>();
    private final Map<String, Map<String, Region>> regions = new HashMap<>();
    private final java.util.List<Outcome> outcomes = new java.util.ArrayList<>();
    private final Map<String, Long> vmallocs = new HashMap<>();
    private final Map<String, Integer> dmaBuffers = new HashMap<>();
    private final Map<String, int[]> pins = new HashMap<>();
    private TimelineEntry current;
    private boolean startedWorkload;
    private final Map<String, ProcValues.Value> remembered = new HashMap<>();

    ScenarioRun(ScenarioEngine engine, Scenario scenario, long startJiffies, int index) {
        this.engine = engine;
        this.scenario = scenario;
        this.startJiffies = startJiffies;
        this.random = engine.kernel().random("scenario-" + index);
    }

    public Kernel kernel() {
        return engine.kernel();
    }

    public Population population() {
        return engine.population();
    }

    public ProcFs procFs() {
        return engine.procFs();
    }

    /** The machine's /sys. */
    public ProcFs sysFs() {
        return engine.sysFs();
    }

    /** Whether the knob at /proc/sys/{@code path} is held by {@link ScenarioEngine#hold}. */
    boolean knobHeld(String path) {
        return engine.heldKnobs().containsKey(path);
    }

    public Scenario scenario() {
        return scenario;
    }

    /** The scenario's random stream (random touch order...). */
    public SeededRandom random() {
        return random;
    }

    /** The jiffy of scenario time 0. */
    public long startJiffies() {
        return startJiffies;
    }

    /** Scenario time now, in milliseconds. */
    public long nowMillis() {
        return (kernel().jiffies() - startJiffies) * 1000 / Clock.HZ;
    }

    /** Scenario time now, read from another thread (under the read lock). */
    public long elapsedMillis() {
        return kernel().read(k -> nowMillis());
    }

    /** The jiffy at which scenario time {@code millis} falls. */
    public long jiffiesAt(long millis) {
        return startJiffies + Clock.secondsToJiffies(millis / 1000.0);
    }

    /** The live process of that label; a StepException once it has exited. */
    public Task process(String label) {
        Task t = processes.get(label);
        if (t == null) {
            throw new StepException("process '" + label + "' was never started (its spawn or fork step failed)");
        }
        if (kernel().tasks().get(t.pid()) != t || t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD) {
            throw new StepException("process '" + label + "' (pid " + t.pid() + ") has exited");
        }
        return t;
    }

    /** The task last bound to that label, alive or not, or null. */
    public Task lastProcess(String label) {
        return processes.get(label);
    }

    /** Name a process; a forked child ({@code from} not null) inherits its parent's regions. */
    public void bind(String label, Task t, String from) {
        processes.put(label, t);
        Map<String, Region> r = new HashMap<>();
        if (from != null) {
            for (Map.Entry<String, Region> e : regions.getOrDefault(from, Map.of()).entrySet()) {
                r.put(e.getKey(), e.getValue().copy());
            }
        }
        regions.put(label, r);
    }

    public Region region(String label, String name) {
        Region r = regions.getOrDefault(label, Map.of()).get(name);
        if (r == null) {
            throw new StepException("process '" + label + "' has no region '" + name + "' (its malloc or mmap step"
                    + " failed)");
        }
        return r;
    }

    public void putRegion(String label, String name, Region r) {
        regions.computeIfAbsent(label, k -> new HashMap<>()).put(name, r);
    }

    /** The named vmalloc areas the scenario holds: name → start address. */
    public Map<String, Long> vmallocs() {
        return vmallocs;
    }

    /** The named DMA buffers the scenario holds: name → first pfn. */
    public Map<String, Integer> dmaBuffers() {
        return dmaBuffers;
    }

    /** The pages the scenario holds pinned: "process/region" → their pfns. */
    public Map<String, int[]> pins() {
        return pins;
    }

    /** Keep a value for later expressions ({@code $name}); null forgets it (its step failed). */
    void remember(String name, ProcValues.Value v) {
        if (v == null) {
            remembered.remove(name);
        } else {
            remembered.put(name, v);
        }
    }

    /** The value last kept under that name, or null. */
    ProcValues.Value remembered(String name) {
        return remembered.get(name);
    }

    /** Start something that goes on over time. */
    public void startWorkload(Workload w) {
        startedWorkload = true;
        engine.startWorkload(this, current, w);
    }

    /** Report an outcome of the entry being run. */
    public void report(Outcome.Verdict verdict, String where, String what, String detail) {
        Outcome o = new Outcome(nowMillis(), where.isEmpty() && current != null ? current.where() : where, verdict,
                what, detail);
        engine.record(o);
        if (outcomes.size() < ScenarioEngine.KEEP_OUTCOMES) {
            outcomes.add(o);
        }
    }

    /** What this scenario has reported so far (its first reports, up to a bound). */
    public java.util.List<Outcome> outcomes() {
        return java.util.List.copyOf(outcomes);
    }

    static String failsWhat(TimelineEntry e) {
        return e.step().describe() + " fails with " + Errno.name(e.fails());
    }

    void schedule(TimelineEntry e) {
        long first = jiffiesAt(e.atMillis()) - kernel().jiffies();
        kernel().schedule(first, new Runnable() {
            private long runs;

            @Override
            public void run() {
                runOnce(e);
                runs++;
                long next = e.atMillis() + runs * e.everyMillis();
                if (e.runsAgain(runs, next)) {
                    kernel().schedule(jiffiesAt(next) - kernel().jiffies(), this);
                }
            }
        });
    }

    void runOnce(TimelineEntry e) {
        current = e;
        startedWorkload = false;
        try {
            e.step().run(this);
            if (e.fails() != 0 && !startedWorkload) {
                report(Outcome.Verdict.FAIL, e.where(), failsWhat(e), "it succeeded");
            }
        } catch (StepException ex) {
            if (e.fails() == 0) {
                report(Outcome.Verdict.ERROR, e.where(), e.step().describe(), ex.getMessage());
            } else {
                report(ex.errno() == e.fails() ? Outcome.Verdict.PASS : Outcome.Verdict.FAIL, e.where(), failsWhat(e),
                        ex.getMessage());
            }
        } catch (RuntimeException ex) {
            report(Outcome.Verdict.ERROR, e.where(), e.step().describe(), "internal error (a simproc bug): " + ex);
        }
    }
}
