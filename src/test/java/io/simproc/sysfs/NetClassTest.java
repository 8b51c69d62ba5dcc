package io.simproc.sysfs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /sys/class/net and the device kobjects behind it, agreeing with /proc/net/dev. */
class NetClassTest {
    @Test
    void classNetLinksToTheDevicesOfProcNetDev() {
        SysFixture f = SysFixture.boot("memory: 1G\ncpu: {count: 2}\n", 1);
        assertEquals(List.of("lo", "eth0"), f.list("/class/net"));
        assertEquals("../../devices/virtual/net/lo", f.link("/class/net/lo"));
        assertEquals("../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0", f.link("/class/net/eth0"));
        String dev = f.proc("/net/dev");
        for (String name : f.list("/class/net")) {
            assertTrue(dev.contains(String.format("%6s: ", name)), name + " is in /proc/net/dev");
            assertEquals("0\n", f.sys("/class/net/" + name + "/statistics/rx_bytes"));
            assertEquals("0\n", f.sys("/class/net/" + name + "/statistics/tx_packets"));
            assertEquals(24, f.list("/class/net/" + name + "/statistics").size());
        }
        assertEquals("1\n", f.sys("/devices/virtual/net/lo/ifindex"));
        assertEquals("772\n", f.sys("/devices/virtual/net/lo/type"));
        assertEquals("0x1003\n", f.sys("/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/flags"));
        assertEquals("up\n", f.sys("/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/operstate"));
        assertEquals(0444, f.mode("/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/mtu"));
    }
}
