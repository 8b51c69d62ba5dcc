package io.simproc.sysfs;

import io.simproc.kernel.Clocksources;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcException;
import io.simproc.proc.ProcFile;
import io.simproc.uapi.Errno;

import java.util.List;

/**
 * /sys/devices/system/clocksource and /sys/bus/clocksource (kernel/time/clocksource.c: init_clocksource_sysfs()
 * registers the clocksource subsystem and its one device, clocksource0): {@code available_clocksource},
 * {@code current_clocksource} (a write chooses the source, as {@link Clocksources#storeCurrent} does) and
 * {@code unbind_clocksource} over {@link Clocksources}, plus what the driver core gives every device and subsystem
 * root — uevent, power/ (runtime PM, unsupported for these), the subsystem link, and the bus directory. A uevent
 * or power knob write fails with EIO: there is no udev or runtime PM behind them.
 */
final class ClocksourceDevices {
    private ClocksourceDevices() {
    }

    /** devices/system/clocksource: the subsystem's root device and clocksource0. */
    static ProcEntry dir() {
        ProcEntry device = Sysfs.dir("clocksource0", List.of(
                Sysfs.ro("available_clocksource", ctx -> Sysfs.line(ctx.kernel().clocksources().available())),
                Sysfs.attr("current_clocksource", 0644,
                        ctx -> Sysfs.line(ctx.kernel().clocksources().current()),
                        (ctx, buf) -> ctx.kernel().clocksources().storeCurrent(buf)),
                power(),
                Sysfs.link("subsystem", "../../../../bus/clocksource"),
                uevent(),
                Sysfs.wo("unbind_clocksource", (ctx, buf) -> ctx.kernel().clocksources().unbind(buf))));
        return Sysfs.dir("clocksource", List.of(device, power(), uevent()));
    }

    /** bus/clocksource (bus_register()): its devices, no drivers, and the bus attributes. */
    static ProcEntry bus() {
        byte[] one = Sysfs.line("1");
        return Sysfs.dir("clocksource", List.of(
                Sysfs.dir("devices", List.of(
                        Sysfs.link("clocksource0", "../../../devices/system/clocksource/clocksource0"))),
                Sysfs.dir("drivers", List.of()),
                Sysfs.attr("drivers_autoprobe", 0644, ctx -> one, null),
                Sysfs.wo("drivers_probe", null),
                Sysfs.wo("uevent", null)));
    }

    /** A device's uevent (dev_uevent_show()): no variables for a device without a class or device number. */
    private static ProcFile uevent() {
        return Sysfs.attr("uevent", 0644, ctx -> new byte[0], null);
    }

    /**
     * power/ of a device whose driver never enabled runtime PM (drivers/base/power/sysfs.c, runtime attributes):
     * autosuspend_delay_ms reads as EIO since the device does not use autosuspend.
     */
    private static ProcEntry power() {
        byte[] zero = Sysfs.line("0");
        return Sysfs.dir("power", List.of(
                Sysfs.attr("autosuspend_delay_ms", 0644, ctx -> {
                    throw new ProcException(Errno.EIO);
                }, null),
                Sysfs.attr("control", 0644, ctx -> Sysfs.line("auto"), null),
                Sysfs.ro("runtime_active_time", ctx -> zero),
                Sysfs.text("runtime_status", "unsupported"),
                Sysfs.ro("runtime_suspended_time", ctx -> zero)));
    }
}
