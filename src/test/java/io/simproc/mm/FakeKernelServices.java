package io.simproc.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A stand-in for the simulated kernel's services (kernel/ in the real tree) for memory managers built by hand in
 * tests: a jiffies clock with a timer queue that runs only when a test advances it, a printk log that keeps every
 * line, and a fixed "current" task. Single-threaded, like the simulation thread it replaces.
 */
final class FakeKernelServices implements KernelServices {
    private record Timer(long at, long seq, Runnable task) {
    }

    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final List<String> log = new ArrayList<>();
    private long jiffies;
    private final List<Long> memstallSleeps = new ArrayList<>();
    private long seq;
    private boolean capSysAdmin = true;
    private final List<OomControl> oomCalls = new ArrayList<>();

    @Override
    public long jiffies() {
        return jiffies;
    }

    /** A test drives the memory manager from one thread: it is always the writer. */
    @Override
    public boolean currentHoldsWriteLock() {
        return true;
    }

    @Override
    public void schedule(long delayJiffies, Runnable task) {
        timers.add(new Timer(jiffies + Math.max(0, delayJiffies), seq++, task));
    }

    @Override
    public void printk(int level, String text) {
        log.add("<" + level + ">" + text);
    }

    @Override
    public String currentComm() {
        return "mmtest";
    }

    @Override
    public int currentPid() {
        return 4242;
    }

    @Override
    public boolean currentCapSysAdmin() {
        return capSysAdmin;
    }

    @Override
    public MmStruct currentMm() {
        return null;
    }

    @Override
    public boolean currentIsOomVictim() {
        return false;
    }

    /** No tasks to kill here: the OOM killer finds nothing and the allocation fails. */
    @Override
    public boolean outOfMemory(OomControl oc) {
        oomCalls.add(oc);
        return false;
    }

    /** No processes: the OOM killer is never run here (see {@link #outOfMemory}). */
    @Override
    public List<OomTask> oomProcesses() {
        return List.of();
    }

    @Override
    public OomTask oomCurrent() {
        return null;
    }

    @Override
    public void oomKillProcess(OomTask victim) {
        throw new UnsupportedOperationException("no processes to kill on this machine");
    }

    @Override
    public void memstallSleep(long jiffies) {
        memstallSleeps.add(jiffies);
    }

    /** Every memory.high penalty slept, in jiffies, in order. */
    List<Long> memstallSleeps() {
        return memstallSleeps;
    }

    @Override
    public void panic(String message) {
        throw new IllegalStateException("Kernel panic - not syncing: " + message);
    }

    /** Every OOM the allocator raised, in order. */
    List<OomControl> oomCalls() {
        return oomCalls;
    }

    /** Make the fixed current task privileged (root) or not. */
    void setCapSysAdmin(boolean capable) {
        this.capSysAdmin = capable;
    }

    /** Run every timer due up to {@code delta} jiffies from now, in time order, then set the clock there. */
    void advance(long delta) {
        long target = jiffies + delta;
        while (!timers.isEmpty() && timers.peek().at() <= target) {
            Timer t = timers.poll();
            jiffies = t.at();
            t.task().run();
        }
        jiffies = target;
    }

    /** Every printk line so far, each prefixed with its level as "&lt;4&gt;". */
    List<String> log() {
        return log;
    }
}
