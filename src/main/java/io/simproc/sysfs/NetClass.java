package io.simproc.sysfs;

import io.simproc.kernel.NetDevices;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * The network devices in sysfs (net/core/net-sysfs.c): each device's kobject under /sys/devices with the
 * attributes tools read and its statistics/ directory (netstat_attrs, every counter 0: the network is not
 * simulated), and /sys/class/net with a link per device.
 */
final class NetClass {
    /** netstat_attrs, in the kernel's order. */
    static final List<String> STATISTICS = List.of("rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors",
            "tx_errors", "rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors", "rx_over_errors",
            "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors", "rx_missed_errors", "tx_aborted_errors",
            "tx_carrier_errors", "tx_fifo_errors", "tx_heartbeat_errors", "tx_window_errors", "rx_compressed",
            "tx_compressed", "rx_nohandler");

    private NetClass() {
    }

    /** The device directory of d (its last path component is the device's name). */
    static ProcDir deviceDir(NetDevices d) {
        List<ProcEntry> stats = new ArrayList<>();
        for (String s : STATISTICS) {
            stats.add(Sysfs.value(s, 0));
        }
        return Sysfs.dir(d.name(), List.of(
                Sysfs.value("addr_assign_type", 0),
                Sysfs.value("addr_len", 6),
                Sysfs.text("address", d.address()),
                Sysfs.text("broadcast", d.broadcast()),
                Sysfs.value("carrier", 1),
                Sysfs.text("dev_id", "0x0"),
                Sysfs.value("dev_port", 0),
                Sysfs.value("dormant", 0),
                Sysfs.text("flags", "0x" + Integer.toHexString(d.flags())),
                Sysfs.value("ifindex", d.ifindex()),
                Sysfs.value("iflink", d.ifindex()),
                Sysfs.value("mtu", d.mtu()),
                Sysfs.text("operstate", d.operstate()),
                Sysfs.value("tx_queue_len", 1000),
                Sysfs.value("type", d.type()),
                Sysfs.dir("statistics", stats)));
    }

    /** /sys/class/net: a link per device to its kobject. */
    static ProcDir classDir() {
        List<ProcEntry> links = new ArrayList<>();
        for (NetDevices d : NetDevices.all()) {
            links.add(Sysfs.link(d.name(), "../../devices/" + d.sysfsPath()));
        }
        return Sysfs.dir("net", links);
    }

    /**
     * The directories under /sys/devices that hold the devices: virtual/net/lo and the PCI path of eth0, each
     * path component a directory.
     */
    static List<ProcEntry> deviceTrees() {
        List<ProcEntry> roots = new ArrayList<>();
        for (NetDevices d : NetDevices.all()) {
            String[] parts = d.sysfsPath().split("/");
            ProcEntry e = deviceDir(d);
            for (int i = parts.length - 2; i >= 0; i--) {
                e = Sysfs.dir(parts[i], List.of(e));
            }
            roots.add(e);
        }
        return roots;
    }
}
