package io.simproc.sysfs;

import io.simproc.proc.ProcTestSupport;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * /sys/fs's XFS statistics and Btrfs feature list against the 6.18 guest's (reference-6.18/sys/fs: the kernel builds
 * both file systems in and mounts neither), and stats_clear as fs/xfs/xfs_sysfs.c answers a write.
 */
class FsKobjTest {
    private static final List<String> BTRFS_FEATURES = List.of("acl", "block_group_tree", "compress_lzo",
            "compress_zstd", "default_subvol", "extended_iref", "free_space_tree", "metadata_uuid", "mixed_groups",
            "no_holes", "raid1c34", "raid56", "rmdir_subvol", "send_stream_version", "simple_quota",
            "skinny_metadata", "supported_checksums", "supported_rescue_options", "supported_sectorsizes",
            "temp_fsid");

    private static SysFixture boot() {
        return SysFixture.boot("memory: 1G\ncpu: {count: 2}\n", 1);
    }

    @Test
    void xfsStatisticsAreTheGuestsAllZero() {
        SysFixture f = boot();
        assertEquals(ProcTestSupport.sample("sys/fs/xfs/stats/stats"), f.sys("/fs/xfs/stats/stats"));
        assertEquals(List.of("stats", "stats_clear"), f.list("/fs/xfs/stats"));
        assertEquals(0444, f.mode("/fs/xfs/stats/stats"));
        assertEquals(0200, f.mode("/fs/xfs/stats/stats_clear"));
    }

    @Test
    void btrfsFeaturesAreTheGuests() {
        SysFixture f = boot();
        assertEquals(BTRFS_FEATURES, f.list("/fs/btrfs/features"));
        for (String name : BTRFS_FEATURES) {
            assertEquals(ProcTestSupport.sample("sys/fs/btrfs/features/" + name), f.sys("/fs/btrfs/features/" + name),
                    name);
            assertEquals(0444, f.mode("/fs/btrfs/features/" + name), name);
        }
    }

    @Test
    void statsClearTakesOneAndRefusesEverythingElse() {
        SysFixture f = boot();
        assertEquals(2, f.writeSys("/fs/xfs/stats/stats_clear", "1\n", Credentials.ROOT));
        assertEquals(-Errno.EINVAL, f.writeSys("/fs/xfs/stats/stats_clear", "2\n", Credentials.ROOT));
        assertEquals(-Errno.EINVAL, f.writeSys("/fs/xfs/stats/stats_clear", "yes\n", Credentials.ROOT));
        assertEquals(ProcTestSupport.sample("sys/fs/xfs/stats/stats"), f.sys("/fs/xfs/stats/stats"), "still all 0");
    }
}
