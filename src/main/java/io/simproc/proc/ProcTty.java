package io.simproc.proc;

import java.util.List;

/**
 * /proc/tty (fs/proc/proc_tty.c: proc_tty_init()): {@code drivers}, the tty drivers the modelled 6.18 guest kernel
 * registers at boot (all built in: the pseudo-devices, the 8250 serial port, the Unix98 ptys and the virtual
 * console), {@code ldiscs}, its line disciplines, and the empty {@code ldisc} directory. The tty layer itself is not
 * simulated: no terminal is opened or closed, and these lists never change. {@code driver/} (mode 0500), where a
 * serial driver shows its port counters, is not served.
 */
public final class ProcTty {
    /** TTYAUX_MAJOR and TTY_MAJOR (include/uapi/linux/major.h). */
    static final int TTYAUX_MAJOR = 5;
    static final int TTY_MAJOR = 4;
    /** MINORBITS (include/linux/kdev_t.h). */
    static final int MINORBITS = 20;

    /**
     * A registered struct tty_driver as show_tty_range() prints it: driver_name (null prints "unknown"), the
     * device name, the first device number, how many minors, and its type (and subtype) label.
     */
    record TtyDriver(String driverName, String name, int major, int minorStart, int num, String type) {
    }

    /** tty_drivers in registration order (tty_register_driver() appends). */
    static final List<TtyDriver> DRIVERS = List.of(
            new TtyDriver("serial", "ttyS", TTY_MAJOR, 64, 1, "serial"),
            new TtyDriver("pty_slave", "pts", 136, 0, 1 << MINORBITS, "pty:slave"),
            new TtyDriver("pty_master", "ptm", 128, 0, 1 << MINORBITS, "pty:master"),
            new TtyDriver(null, "tty", TTY_MAJOR, 1, 63, "console"));

    /** The registered line disciplines: name and number (N_TTY, N_NULL). */
    record Ldisc(String name, int num) {
    }

    static final List<Ldisc> LDISCS = List.of(new Ldisc("n_tty", 0), new Ldisc("n_null", 27));

    private ProcTty() {
    }

    /** The directory, 0555, in procfs's name order (shorter names first). */
    public static ProcDir dir() {
        return ProcDir.of("tty", List.of(ProcDir.of("ldisc", List.of()),
                ProcFile.readOnly("ldiscs", 0444, ctx -> ldiscs()),
                ProcFile.readOnly("drivers", 0444, ctx -> drivers())));
    }

    /** show_tty_driver(): the pseudo-drivers first, then each driver, one line per major its minors span. */
    static byte[] drivers() {
        Seq s = new Seq(1024);
        pseudo(s, "/dev/tty", "tty", TTYAUX_MAJOR, 0, "system:/dev/tty");
        pseudo(s, "/dev/console", "console", TTYAUX_MAJOR, 1, "system:console");
        pseudo(s, "/dev/ptmx", "ptmx", TTYAUX_MAJOR, 2, "system");
        pseudo(s, "/dev/vc/0", "vc/0", TTY_MAJOR, 0, "system:vtmaster");
        for (TtyDriver d : DRIVERS) {
            long from = mkdev(d.major(), d.minorStart());
            long to = from + d.num();
            while (major(from) < major(to)) {
                long next = mkdev(major(from) + 1, 0);
                range(s, d, from, next - from);
                from = next;
            }
            if (from != to) {
                range(s, d, from, to - from);
            }
        }
        return s.bytes();
    }

    private static void pseudo(Seq s, String driver, String name, int major, int minor, String type) {
        s.left(driver, 20).put(" /dev/").left(name, 8).put(' ').dec(major, 3).put(' ').dec(minor, 7).put(' ')
                .put(type).nl();
    }

    /** show_tty_range(). */
    private static void range(Seq s, TtyDriver d, long from, long num) {
        s.left(d.driverName() == null ? "unknown" : d.driverName(), 20).put(" /dev/").left(d.name(), 8).put(' ');
        if (d.num() > 1) {
            s.dec(major(from), 3).put(' ').put(minor(from)).put('-').put(minor(from) + num - 1).put(' ');
        } else {
            s.dec(major(from), 3).put(' ').dec(minor(from), 7).put(' ');
        }
        s.put(d.type()).nl();
    }

    /** tty_ldiscs_seq_show(): {@code "%-10s %2d\n"}. */
    static byte[] ldiscs() {
        Seq s = new Seq(64);
        for (Ldisc l : LDISCS) {
            s.left(l.name(), 10).put(' ').dec(l.num(), 2).nl();
        }
        return s.bytes();
    }

    private static long mkdev(long major, long minor) {
        return major << MINORBITS | minor;
    }

    private static long major(long dev) {
        return dev >>> MINORBITS;
    }

    private static long minor(long dev) {
        return dev & ((1L << MINORBITS) - 1);
    }
}
