package io.simproc.kernel;

import java.util.Collection;
import java.util.Collections;
import java.util.TreeMap;

/**
 * The task list and pid allocator (kernel/pid.c): pids are handed out cyclically from the last one used up to
 * pid_max, then wrap to 300 (RESERVED_PIDS) skipping pids still in use, as alloc_pid does.
 */
public final class TaskList {
    /** RESERVED_PIDS: after wrapping, the allocator starts here. */
    static final int RESERVED_PIDS = 300;
    /** PID_MAX_DEFAULT. */
    public static final int PID_MAX_DEFAULT = 32768;
    /** PIDS_PER_CPU_DEFAULT. */
    static final int PIDS_PER_CPU_DEFAULT = 1024;

    private final TreeMap<Integer, Task> tasks = new TreeMap<>();
    private int pidMax;
    private int lastPid;
    private long forks;
    private TaskObjects objects;

    TaskList(int nrCpus) {
        this.pidMax = Math.max(PID_MAX_DEFAULT, PIDS_PER_CPU_DEFAULT * nrCpus);
    }

    /** alloc_pid(): the next free pid after the last one, wrapping to RESERVED_PIDS; -1 when all are taken. */
    int allocPid() {
        int pid = lastPid + 1;
        for (int tries = 0; tries < pidMax; tries++, pid++) {
            if (pid >= pidMax) {
                pid = RESERVED_PIDS;
            }
            if (!tasks.containsKey(pid)) {
                lastPid = pid;
                return pid;
            }
        }
        return -1;
    }

    void add(Task t) {
        tasks.put(t.pid(), t);
        forks++;
        if (objects != null) {
            objects.alloc(t);
        }
    }

    void remove(int pid) {
        Task t = tasks.remove(pid);
        if (t != null && objects != null) {
            objects.free(t);
        }
    }

    /** A task died: its kernel stack is released, its other objects stay until it is reaped. */
    void taskDead(Task t) {
        if (objects != null) {
            objects.freeStack(t);
        }
    }

    /** From kmem_cache_init() on, every task entering or leaving the list takes or gives back its objects. */
    void setObjects(TaskObjects objects) {
        this.objects = objects;
    }

    public Task get(int pid) {
        return tasks.get(pid);
    }

    /** All tasks in pid order. */
    public Collection<Task> all() {
        return Collections.unmodifiableCollection(tasks.values());
    }

    public int size() {
        return tasks.size();
    }

    public int pidMax() {
        return pidMax;
    }

    void setPidMax(int pidMax) {
        this.pidMax = pidMax;
    }

    /** The last pid handed out (ns_last_pid, loadavg's last field). */
    public int lastPid() {
        return lastPid;
    }

    /** total_forks: tasks created since boot (the "processes" line of /proc/stat). */
    public long forks() {
        return forks;
    }
}
