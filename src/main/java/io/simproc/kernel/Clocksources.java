package io.simproc.kernel;

import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * The registered clock sources and the one timekeeping reads (kernel/time/clocksource.c: clocksource_list,
 * curr_clocksource, override_name, the watchdog). The modelled KVM guest registers tsc (rating 300: a constant,
 * non-stop TSC of known frequency, so kvmclock_init() lowers kvm-clock to 299), kvm-clock, and the tick-based
 * refined-jiffies and jiffies; the tick runs in one-shot mode (NO_HZ), so only the high-resolution capable ones can
 * be chosen or are shown. tsc must be verified by a watchdog (CLOCK_SOURCE_MUST_VERIFY); the others may watch.
 * Simulated time does not come from a clock source, so a switch changes what the files show and the log, nothing
 * else.
 */
public final class Clocksources {
    /** CS_NAME_LEN: the buffer a written name must fit with its NUL. */
    public static final int CS_NAME_LEN = 32;

    /** A registered struct clocksource: its name, rating and the flags that matter here. */
    record Clocksource(String name, int rating, boolean validForHres, boolean mustVerify) {
    }

    private final Kernel kernel;
    /** clocksource_list, best rating first (clocksource_enqueue()). */
    private final List<Clocksource> list = new ArrayList<>(List.of(
            new Clocksource("tsc", 300, true, true),
            new Clocksource("kvm-clock", 299, true, false),
            new Clocksource("refined-jiffies", 2, false, false),
            new Clocksource("jiffies", 1, false, false)));
    private Clocksource current = list.get(0);
    private Clocksource watchdog = list.get(1);
    private String overrideName = "";

    Clocksources(Kernel kernel) {
        this.kernel = kernel;
    }

    /** available_clocksource_show(): the high-resolution capable sources, each followed by a space. */
    public String available() {
        StringBuilder sb = new StringBuilder();
        for (Clocksource cs : list) {
            if (cs.validForHres()) {
                sb.append(cs.name()).append(' ');
            }
        }
        return sb.toString();
    }

    /** current_clocksource_show(): the name of curr_clocksource. */
    public String current() {
        return current.name();
    }

    /**
     * current_clocksource_store(): the name (sysfs_get_uname()) becomes the override, and clocksource_select()
     * switches to it if it is registered and usable in one-shot mode, else to the best source. A name nobody
     * registered is accepted and changes nothing (it would apply once such a source registers). Returns the count
     * or -EINVAL.
     */
    public int storeCurrent(String buf) {
        String name = uname(buf);
        if (name == null) {
            return -Errno.EINVAL;
        }
        overrideName = name;
        select(false);
        return buf.length();
    }

    /**
     * unbind_clocksource_store(): clocksource_unbind() of the named source — a watchdog is replaced first, the
     * current source falls back to the best other one (EBUSY when there is none), then it leaves the list.
     * Returns the count, -EINVAL for a name too long, -ENODEV for one not registered.
     */
    public int unbind(String buf) {
        String name = uname(buf);
        if (name == null) {
            return -Errno.EINVAL;
        }
        Clocksource cs = find(name);
        if (cs == null) {
            return -Errno.ENODEV;
        }
        if (cs == watchdog) {
            Clocksource next = bestWatchdog(cs);
            if (next == null) {
                return -Errno.EBUSY;
            }
            watchdog = next;
        }
        if (cs == current) {
            select(true);
            if (cs == current) {
                return -Errno.EBUSY;
            }
        }
        list.remove(cs);
        return buf.length();
    }

    /** sysfs_get_uname(): the written text without one trailing newline; null when empty or too long. */
    private static String uname(String buf) {
        if (buf.isEmpty() || buf.length() >= CS_NAME_LEN) {
            return null;
        }
        return buf.endsWith("\n") ? buf.substring(0, buf.length() - 1) : buf;
    }

    private Clocksource find(String name) {
        for (Clocksource cs : list) {
            if (cs.name().equals(name)) {
                return cs;
            }
        }
        return null;
    }

    /**
     * __clocksource_select(): the best high-resolution capable source (skipping the current one for a
     * fallback), replaced by the override when that is registered and usable; a change is logged.
     */
    private void select(boolean skipCurrent) {
        Clocksource best = null;
        for (Clocksource cs : list) {
            if (cs.validForHres() && !(skipCurrent && cs == current)) {
                best = cs;
                break;
            }
        }
        if (best == null) {
            return;
        }
        for (Clocksource cs : list) {
            if (skipCurrent && cs == current || !cs.name().equals(overrideName)) {
                continue;
            }
            if (cs.validForHres()) {
                best = cs;
            } else {
                kernel.printk(6, "clocksource: Override clocksource " + cs.name() + " is not currently HRT"
                        + " compatible - deferring");
            }
            break;
        }
        if (best != current) {
            kernel.printk(6, "clocksource: Switched to clocksource " + best.name());
            current = best;
        }
    }

    /**
     * The selection's invariants: the current source and the watchdog are registered, the current one is high
     * resolution capable (the tick is one-shot), the watchdog needs no verifying, and the list is by rating.
     */
    void check(List<String> errors) {
        if (!list.contains(current) || !current.validForHres()) {
            errors.add("clocksource: current " + current.name() + " is not a registered high-resolution source");
        }
        if (!list.contains(watchdog) || watchdog.mustVerify()) {
            errors.add("clocksource: watchdog " + watchdog.name() + " is not a registered verified source");
        }
        for (int i = 1; i < list.size(); i++) {
            if (list.get(i - 1).rating() < list.get(i).rating()) {
                errors.add("clocksource: list not ordered by rating at " + list.get(i).name());
            }
        }
    }

    /** clocksource_select_watchdog(true): the best source other than the old watchdog that needs no verifying. */
    private Clocksource bestWatchdog(Clocksource old) {
        Clocksource best = null;
        for (Clocksource cs : list) {
            if (cs.mustVerify() || cs == old) {
                continue;
            }
            if (best == null || cs.rating() > best.rating()) {
                best = cs;
            }
        }
        return best;
    }
}
