package io.simproc.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The {@code disks} key and the disks a profile without it gets from its swap partitions (docs/MACHINES.md). */
class DiskProfileTest {
    private static final long G = 1L << 30;

    private static MachineProfile parse(String yaml) {
        return MachineProfileLoader.parse("test.yaml", yaml);
    }

    @Test
    void theDefaultMachineHasVdaWithARootAndASwapPartition() {
        MachineProfile p = MachineProfileLoader.loadDefault();
        assertEquals(1, p.disks().size());
        MachineProfile.Disk vda = p.disks().get(0);
        assertEquals("vda", vda.name());
        assertEquals(32 * G / 512, vda.nrSects());
        long root = 30 * G / 512 - 4096;
        assertEquals(List.of(
                new MachineProfile.Partition(1, 2048, root, "/", "ext4"),
                new MachineProfile.Partition(2, 2048 + root, 2 * G / 512, null, null)), vda.partitions(),
                "the root takes what 1 MiB at the start, the swap and the backup GPT at the end leave");
        assertEquals(2 * G, p.swap().get(0).sizeBytes());
    }

    @Test
    void withoutSwapTheRootTakesTheWholeDiskLessItsEnds() {
        MachineProfile.Disk vda = parse("memory: 1G\n").disks().get(0);
        MachineProfile.Partition root = vda.partitions().get(0);
        assertEquals(2048, root.startSect());
        assertEquals((32 * G / 512 - 34 - 2048) / 2048 * 2048, root.nrSects());
    }

    @Test
    void anNvmeSwapPartitionNamesItsDiskAndLeavesPartitionOneToTheRoot() {
        MachineProfile p = parse("swap:\n  - {path: /dev/nvme0n1p3, size: 8G}\n");
        MachineProfile.Disk d = p.disks().get(0);
        assertEquals("nvme0n1", d.name());
        assertEquals(List.of(1, 3), d.partitions().stream().map(MachineProfile.Partition::partno).toList());
        assertEquals("/", d.partitions().get(0).mount());
        MachineProfile.Partition swap = d.partitions().get(1);
        assertEquals(8 * G / 512, swap.nrSects());
        assertEquals(0, swap.startSect() % 2048);
        assertEquals(d.partitions().get(0).startSect() + d.partitions().get(0).nrSects(), swap.startSect());
    }

    @Test
    void explicitDisksAreLaidOutOnMebibyteBoundaries() {
        MachineProfile p = parse("""
                disks:
                  - name: sda
                    size: 64G
                    partitions:
                      - {size: 40G, mount: /}
                      - {size: 1000M}
                      - {mount: /srv, fstype: xfs}
                swap:
                  - path: /dev/sda2
                """);
        List<MachineProfile.Partition> parts = p.disks().get(0).partitions();
        assertEquals(2048, parts.get(0).startSect());
        assertEquals(2048 + 40 * G / 512, parts.get(1).startSect());
        assertEquals(2048 + 40 * G / 512 + 1000L * 2048, parts.get(2).startSect());
        long end = parts.get(2).startSect() + parts.get(2).nrSects();
        assertEquals(true, end <= 64 * G / 512 - 34 && end > 64 * G / 512 - 34 - 2048);
        assertEquals("xfs", parts.get(2).fstype());
        assertNull(parts.get(1).mount());
        assertEquals(1000L << 20, p.swap().get(0).sizeBytes(), "the swap area is its whole partition");
    }

    private static MachineProfileLoaderTest.Bad bad(String what, String yaml, int line, int column, String message) {
        return new MachineProfileLoaderTest.Bad(what, yaml, line, column, message);
    }

    static Stream<MachineProfileLoaderTest.Bad> badProfiles() {
        String disk = "disks:\n  - name: vda\n    size: 8G\n    partitions:\n      - {size: 6G, mount: /}\n"
                + "      - {size: 1G}\n";
        return Stream.of(
                bad("swap partition not on the disks", disk + "swap:\n  - path: /dev/vda3\n", 8, 11,
                        "test.yaml:8:11: swap partition /dev/vda3 is not a partition of the machine's disks"),
                bad("swap on the root file system", disk + "swap:\n  - path: /dev/vda1\n", 8, 11,
                        "test.yaml:8:11: /dev/vda1 holds the file system mounted at /"),
                bad("swap size not the partition's", disk + "swap:\n  - {path: /dev/vda2, size: 2G}\n", 8, 29,
                        "test.yaml:8:29: swap on /dev/vda2 is the whole partition, 1073741824 bytes: leave size out"
                                + " or give that"),
                bad("no root", "disks:\n  - name: vda\n    size: 8G\n", 2, 3,
                        "test.yaml:2:3: exactly one partition must be mounted at /, found 0"),
                bad("unknown disk name", "disks:\n  - name: hda\n    size: 8G\n", 2, 11,
                        "test.yaml:2:11: disk name 'hda' is not one of vdX, sdX, xvdX, nvmeNnM"),
                bad("partitions past the end", "disks:\n  - name: vda\n    size: 8G\n    partitions:\n"
                        + "      - {size: 8G, mount: /}\n", 5, 9, "test.yaml:5:9: partition 1 does not fit on vda"),
                bad("a size left out before the last", "disks:\n  - name: vda\n    size: 8G\n    partitions:\n"
                        + "      - {mount: /}\n      - {size: 1G}\n", 5, 9,
                        "test.yaml:5:9: only the last partition may leave out its size (it takes the rest)"),
                bad("a swap partition name without a disk", "swap:\n  - {path: /dev/mapper/swap, type: partition,"
                        + " size: 1G}\n", 2, 12, "test.yaml:2:12: swap partition /dev/mapper/swap is not a partition"
                        + " name this machine can have (/dev/vda2, /dev/sdb1, /dev/nvme0n1p3...); give the disks with"
                        + " 'disks'"),
                bad("a partition number past the minors", "swap:\n  - {path: /dev/vda16, size: 1G}\n", 2, 12,
                        "test.yaml:2:12: vda has minors for partitions 1 to 15 only"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badProfiles")
    void mistakesAreReportedWithFileLineColumnAndAnExactMessage(MachineProfileLoaderTest.Bad bad) {
        new MachineProfileLoaderTest().mistakesAreReportedWithFileLineColumnAndAnExactMessage(bad);
    }
}
