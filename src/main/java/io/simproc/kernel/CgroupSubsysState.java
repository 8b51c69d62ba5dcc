package io.simproc.kernel;

/**
 * struct cgroup_subsys_state: a controller's state in one cgroup ({@link #data()}, what the controller allocated),
 * linked to the parent cgroup's css of the same controller. Online from its creation until it is killed (rmdir, or
 * the controller disabled above it); then dying until its last reference goes: the core holds one for the css
 * itself until it is killed, one per task whose css it is (the css_set's), one per child css; a controller pins it
 * with {@link #get()} and {@link #put()} as long as something of it refers to the css (a memory cgroup's charged
 * pages, in the kernel).
 */
public final class CgroupSubsysState<S> {
    static final int CSS_ONLINE = 1;
    static final int CSS_DYING = 1 << 2;
    static final int CSS_RELEASED = 1 << 3;

    final Cgroups.Registered<S> ss;
    final Cgroup cgroup;
    final CgroupSubsysState<S> parent;
    final S data;
    final long serial;
    int flags;
    int refs;
    /** The references controllers hold ({@link #get()}); part of {@link #refs}. */
    int pins;
    /** css->nr_descendants: online csses below this one. */
    int nrDescendants;

    CgroupSubsysState(Cgroups.Registered<S> ss, Cgroup cgroup, CgroupSubsysState<S> parent, S data, long serial) {
        this.ss = ss;
        this.cgroup = cgroup;
        this.parent = parent;
        this.data = data;
        this.serial = serial;
    }

    /** The controller's state. */
    public S data() {
        return data;
    }

    public CgroupSubsys<S> subsys() {
        return ss.subsys();
    }

    /** The cgroup this css belongs to. */
    public Cgroup cgroup() {
        return cgroup;
    }

    /** The parent cgroup's css of the controller (null for the root's). */
    public CgroupSubsysState<S> parent() {
        return parent;
    }

    /** css_is_online(). */
    public boolean online() {
        return (flags & CSS_ONLINE) != 0;
    }

    /** css_is_dying(): killed, its last reference not put yet. */
    public boolean dying() {
        return (flags & CSS_DYING) != 0 && (flags & CSS_RELEASED) == 0;
    }

    /** css_get(). */
    public void get() {
        if ((flags & CSS_RELEASED) != 0) {
            throw new IllegalStateException("css_get of a released " + ss.subsys().name() + " css of " + cgroup);
        }
        refs++;
        pins++;
    }

    /** css_put(): the last reference of a killed css releases and frees it. */
    public void put() {
        if (pins <= 0) {
            throw new IllegalStateException("css_put of " + this + " without a css_get");
        }
        pins--;
        ss.core().cssPut(this);
    }

    /** Online csses below this one (cgroup.stat's nr_subsys_NAME is this plus one). */
    public int nrDescendants() {
        return nrDescendants;
    }

    /** The references held right now (for the invariants). */
    int refs() {
        return refs;
    }

    @Override
    public String toString() {
        return ss.subsys().name() + "@" + cgroup.path();
    }
}
