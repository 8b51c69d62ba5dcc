package io.simproc.kernel;

import java.util.List;

/**
 * struct cgroup_subsys (include/linux/cgroup-defs.h): a controller of the cgroup v2 hierarchy, registered with
 * {@link Cgroups#register}. {@code S} is the controller's own per-cgroup state (what the kernel's controllers embed a
 * struct cgroup_subsys_state in, e.g. struct mem_cgroup); the core wraps each in a {@link CgroupSubsysState} that
 * carries the hierarchy (cgroup, parent css), the online/dying state and the reference count.
 *
 * <p>A controller's css exists for the root from registration on, and for a cgroup whose parent enables the
 * controller in cgroup.subtree_control; a task's effective css is its cgroup's, or its nearest ancestor's that has one
 * (cgroup_e_css()). The callbacks run as the machine's single writer, in the kernel's order: css_alloc, css_online
 * when a css is created; css_offline when it is killed (rmdir, or the controller disabled above it),
 * css_released and css_free when its last reference is put; can_attach for every migration that changes the task's
 * css of this controller (all or nothing: a refusal cancels the migration, cancel_attach telling the controllers
 * asked before), then attach once the tasks have moved; can_fork (cancel_fork if the fork fails later), fork, exit
 * and release as tasks are born, die and are reaped.
 */
public interface CgroupSubsys<S> {
    /** One task of a migration: its css of this controller before and after. */
    record Move<S>(Task task, S from, S to) {
    }

    /** The controller's name (cgroup.controllers, file prefix): one of {@link Cgroups#SUBSYS_ORDER}. */
    String name();

    /**
     * css_alloc(): the state of a new css of {@code cgrp}, {@code parent} being the parent cgroup's (null for the
     * root's).
     */
    S cssAlloc(S parent, Cgroup cgrp);

    /** css_online(): 0, or a negative errno that fails the css's creation. */
    default int cssOnline(S css) {
        return 0;
    }

    /** css_offline(): the css was killed; it stays until its last reference is put. */
    default void cssOffline(S css) {
    }

    /** css_released(): the last reference is gone. */
    default void cssReleased(S css) {
    }

    /** css_free(). */
    default void cssFree(S css) {
    }

    /** can_attach(): 0 or a negative errno refusing the whole migration. */
    default int canAttach(List<Move<S>> tasks) {
        return 0;
    }

    /** cancel_attach(): a controller after this one refused a migration this one accepted. */
    default void cancelAttach(List<Move<S>> tasks) {
    }

    /** attach(): the tasks have moved. */
    default void attach(List<Move<S>> tasks) {
    }

    /** fork(): a new task, in {@code css}. */
    default void fork(Task child, S css) {
    }

    /**
     * can_fork(): 0, or a negative errno failing the fork (copy_process() → cgroup_can_fork()); {@code css} is the
     * one the child would get, its parent's.
     */
    default int canFork(S css) {
        return 0;
    }

    /** cancel_fork(): a fork this controller accepted failed after it. */
    default void cancelFork(S css) {
    }

    /** exit(): the task exits (it keeps its css until it is reaped). */
    default void exit(Task task, S css) {
    }

    /** release(): the task is reaped (release_task() → cgroup_release()). */
    default void release(Task task, S css) {
    }

    /** The controller's own invariants over the hierarchy {@code core}, each broken one added to {@code errors}. */
    default void check(Cgroups core, List<String> errors) {
    }

    /**
     * dfl_cftypes: the control files each cgroup with a visible css of this controller gets, named
     * {@code NAME.FILE} (cgroup_file_name()).
     */
    default List<Cftype<S>> dflCftypes() {
        return List.of();
    }

    /**
     * legacy_cftypes: the files of each cgroup of a v1 hierarchy the controller is bound to, named {@code NAME.FILE}
     * unless {@link Cftype#CFTYPE_NO_PREFIX}.
     */
    default List<Cftype<S>> legacyCftypes() {
        return List.of();
    }

    /** ->threaded: the controller works inside threaded subtrees too. */
    default boolean threaded() {
        return false;
    }
}
