package io.simproc.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A controller for the cgroup core's tests: its css is a named object, every callback is logged, and it can be told
 * to refuse migrations. Registered under a controller name the simulation does not have ("misc"), so that it never
 * collides with a real controller of the machine.
 */
final class FakeController implements CgroupSubsys<FakeController.State> {
    /** A css's state: the cgroup it was allocated for, by its parent's name. */
    static final class State {
        final State parent;

        State(State parent) {
            this.parent = parent;
        }
    }

    final List<String> log = new ArrayList<>();
    final List<Move<State>> attached = new ArrayList<>();
    int refuseAttach;
    boolean threaded;

    @Override
    public String name() {
        return "misc";
    }

    @Override
    public State cssAlloc(State parent, Cgroup cgrp) {
        log.add("alloc");
        return new State(parent);
    }

    @Override
    public int cssOnline(State css) {
        log.add("online");
        return 0;
    }

    @Override
    public void cssOffline(State css) {
        log.add("offline");
    }

    @Override
    public void cssReleased(State css) {
        log.add("released");
    }

    @Override
    public void cssFree(State css) {
        log.add("free");
    }

    @Override
    public int canAttach(List<Move<State>> tasks) {
        log.add("can_attach " + tasks.size());
        return refuseAttach;
    }

    @Override
    public void cancelAttach(List<Move<State>> tasks) {
        log.add("cancel_attach");
    }

    @Override
    public void attach(List<Move<State>> tasks) {
        log.add("attach " + tasks.size());
        attached.addAll(tasks);
    }

    @Override
    public boolean threaded() {
        return threaded;
    }

    @Override
    public List<Cftype<State>> dflCftypes() {
        return List.of(new Cftype<>("current", Cftype.CFTYPE_NOT_ON_ROOT, css -> "0\n", null));
    }
}
