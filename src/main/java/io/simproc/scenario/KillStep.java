package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;

import java.util.Locale;
import java.util.Map;

/**
 * {@code kill}: send a fatal signal to a process of the scenario ({@code process}) or to any pid ({@code pid}).
 * The signals listed all terminate a process that does not handle them, which simulated programs never do. Like
 * Linux, init and kernel threads ignore them (SIGNAL_UNKILLABLE, PF_KTHREAD): the step reports that.
 */
final class KillStep implements Step {
    static final Map<String, Integer> SIGNALS = Map.of("HUP", 1, "INT", 2, "KILL", Processes.SIGKILL,
            "SEGV", Processes.SIGSEGV, "TERM", Processes.SIGTERM);

    private final String label;
    private final int pid;
    private final int signal;

    private KillStep(String label, int pid, int signal) {
        this.label = label;
        this.pid = pid;
        this.signal = signal;
    }

    static final class Kind implements StepKind {
        @Override
        public String key() {
            return "kill";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (value.isScalar()) {
                return new KillStep(names.process(value), 0, Processes.SIGKILL);
            }
            value.checkKeys("process", "pid", "signal");
            YamlNode p = value.get("process");
            YamlNode pid = value.get("pid");
            if ((p == null) == (pid == null)) {
                throw value.error("kill: give 'process' (a name from the scenario) or 'pid', one of them");
            }
            int sig = value.get("signal") == null ? Processes.SIGKILL : signal(value.get("signal"));
            return p != null ? new KillStep(names.process(p), 0, sig)
                    : new KillStep(null, (int) pid.integer(1, Integer.MAX_VALUE), sig);
        }
    }

    /** KILL, SIGKILL, 9... */
    static int signal(YamlNode n) {
        String s = n.string().trim().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        Integer v = SIGNALS.get(s);
        if (v == null) {
            for (Map.Entry<String, Integer> e : SIGNALS.entrySet()) {
                if (String.valueOf(e.getValue()).equals(s)) {
                    v = e.getValue();
                }
            }
        }
        if (v == null) {
            throw n.error("signal: '" + n.string() + "' is not one of HUP, INT, KILL, SEGV, TERM (or their numbers)");
        }
        return v;
    }

    @Override
    public void run(ScenarioRun run) {
        Task t = label != null ? run.process(label) : run.kernel().tasks().get(pid);
        if (t == null || t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD) {
            throw new StepException("kill " + pid + ": No such process");
        }
        t = run.kernel().processes().leaderOf(t);
        if (t.pid() == Processes.INIT_PID || t.isKthread()) {
            throw new StepException(describe() + ": pid " + t.pid() + " (" + t.comm() + ") ignores the signal, as"
                    + " init and kernel threads do");
        }
        run.kernel().processes().kill(t, signal);
    }

    @Override
    public String describe() {
        return "kill -" + signal + " " + (label != null ? label : String.valueOf(pid));
    }
}
