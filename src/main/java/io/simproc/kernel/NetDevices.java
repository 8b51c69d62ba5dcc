package io.simproc.kernel;

import java.util.List;

/**
 * The network devices of the simulated machine, in ifindex order: the loopback device and eth0, the virtio network
 * device on PCI slot 0000:00:03.0 (its queue interrupts are in {@link Interrupts}). The network itself is not
 * simulated: no packet moves, so every counter of these devices is 0.
 *
 * @param name      the interface name
 * @param ifindex   its index (and iflink)
 * @param type      ARPHRD_* (include/uapi/linux/if_arp.h)
 * @param mtu       the MTU
 * @param flags     IFF_* of an up device (include/uapi/linux/if.h)
 * @param address   the hardware address (QEMU's default MAC for the virtio device)
 * @param broadcast the broadcast hardware address
 * @param operstate RFC 2863 operational state as sysfs prints it
 * @param sysfsPath where its kobject is under /sys/devices
 */
public record NetDevices(String name, int ifindex, int type, int mtu, int flags, String address, String broadcast,
                         String operstate, String sysfsPath) {
    /** ARPHRD_LOOPBACK and ARPHRD_ETHER. */
    static final int ARPHRD_LOOPBACK = 772;
    static final int ARPHRD_ETHER = 1;
    /** IFF_UP | IFF_LOOPBACK | IFF_RUNNING; IFF_UP | IFF_BROADCAST | IFF_MULTICAST. */
    static final int LO_FLAGS = 0x9;
    static final int ETH_FLAGS = 0x1003;

    /** The machine's devices. */
    public static List<NetDevices> all() {
        return List.of(
                new NetDevices("lo", 1, ARPHRD_LOOPBACK, 65536, LO_FLAGS, "00:00:00:00:00:00", "00:00:00:00:00:00",
                        "unknown", "virtual/net/lo"),
                new NetDevices("eth0", 2, ARPHRD_ETHER, 1500, ETH_FLAGS, "52:54:00:12:34:56", "ff:ff:ff:ff:ff:ff",
                        "up", "pci0000:00/0000:00:03.0/virtio2/net/eth0"));
    }
}
