package io.simproc.sysfs;

import io.simproc.proc.ProcEntry;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * /sys/fs (fs_kobj, fs/namespace.c: mnt_init()) with the directories two built-in file systems register there at
 * init whether or not anything of theirs is mounted: XFS's global statistics (fs/xfs/xfs_super.c: init_xfs_fs()
 * adds xfs/stats; fs/xfs/xfs_sysfs.c, xfs_stats.c) and Btrfs's feature list (fs/btrfs/sysfs.c:
 * btrfs_init_sysfs()). The modelled guest kernel builds both in (CONFIG_XFS_FS=y, CONFIG_BTRFS_FS=y) and mounts
 * neither, so every XFS counter is 0 and neither has per-device directories. Between them is cgroup, the mount point of
 * the cgroup2 hierarchy ({@link CgroupFs}). The other entries of /sys/fs (ext4, fuse, bpf, pstore, tmpfs, erofs) are
 * not served.
 */
final class FsKobj {
    /**
     * xfs_stats_format()'s lines: each group of struct xfsstats (fs/xfs/xfs_stats.c: xfsstats_offset[]) with its
     * number of counters, then the 64-bit byte counters (xpc), defer_relog, and debug (CONFIG_XFS_DEBUG off: 0).
     */
    private static final Map<String, Integer> XFS_STATS = xfsStats();

    /** Btrfs's supported features (fs/btrfs/sysfs.c: btrfs_supported_feature_attrs and the static_feature ones). */
    private static final Map<String, String> BTRFS_FEATURES = btrfsFeatures();

    private FsKobj() {
    }

    /** /sys/fs: btrfs/, cgroup/ and xfs/. */
    static ProcEntry dir(io.simproc.kernel.Kernel kernel) {
        List<ProcEntry> features = new ArrayList<>();
        BTRFS_FEATURES.forEach((name, value) -> features.add(Sysfs.text(name, value)));
        return Sysfs.dir("fs", List.of(
                Sysfs.dir("btrfs", List.of(Sysfs.dir("features", features))),
                CgroupFs.dir(kernel),
                Sysfs.dir("xfs", List.of(Sysfs.dir("stats", List.of(
                        Sysfs.ro("stats", ctx -> xfsStatsText()),
                        Sysfs.attr("stats_clear", 0200, null, (ctx, buf) -> xfsStatsClear(buf))))))));
    }

    private static byte[] xfsStatsText() {
        StringBuilder out = new StringBuilder();
        XFS_STATS.forEach((name, counters) -> out.append(name).append(" 0".repeat(counters)).append('\n'));
        return out.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * stats_clear_store() (fs/xfs/xfs_sysfs.c): a number (kstrtoint's error if it is none; read here in decimal,
     * where the kernel also takes 0x and 0 prefixes), of which only 1 is accepted: it zeroes the counters, 0 here
     * already. Any other number is EINVAL.
     */
    private static int xfsStatsClear(String buf) {
        Sysfs.Parsed v = Sysfs.kstrtoul(buf);
        if (!v.ok()) {
            return -v.errno();
        }
        return v.value() == 1 ? 0 : -Errno.EINVAL;
    }

    private static Map<String, Integer> xfsStats() {
        Map<String, Integer> s = new LinkedHashMap<>();
        s.put("extent_alloc", 4);
        s.put("abt", 4);
        s.put("blk_map", 7);
        s.put("bmbt", 4);
        s.put("dir", 4);
        s.put("trans", 3);
        s.put("ig", 7);
        s.put("log", 5);
        s.put("push_ail", 10);
        s.put("xstrat", 2);
        s.put("rw", 2);
        s.put("attr", 4);
        s.put("icluster", 3);
        s.put("vnodes", 8);
        s.put("buf", 9);
        for (String btree : List.of("abtb2", "abtc2", "bmbt2", "ibt2", "fibt2", "rmapbt", "refcntbt", "rmapbt_mem",
                "rcbagbt", "rtrmapbt", "rtrmapbt_mem", "rtrefcntbt")) {
            s.put(btree, 15);
        }
        s.put("qm", 8);
        s.put("xpc", 3);
        s.put("defer_relog", 1);
        s.put("debug", 1);
        return s;
    }

    private static Map<String, String> btrfsFeatures() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("acl", "1");
        f.put("block_group_tree", "0");
        f.put("compress_lzo", "0");
        f.put("compress_zstd", "0");
        f.put("default_subvol", "0");
        f.put("extended_iref", "1");
        f.put("free_space_tree", "0");
        f.put("metadata_uuid", "0");
        f.put("mixed_groups", "0");
        f.put("no_holes", "0");
        f.put("raid1c34", "0");
        f.put("raid56", "0");
        f.put("rmdir_subvol", "0");
        f.put("send_stream_version", "2");
        f.put("simple_quota", "0");
        f.put("skinny_metadata", "0");
        f.put("supported_checksums", "crc32c xxhash64 sha256 blake2b");
        f.put("supported_rescue_options",
                "usebackuproot nologreplay ignorebadroots ignoredatacsums ignoremetacsums ignoresuperflags all");
        f.put("supported_sectorsizes", "4096");
        f.put("temp_fsid", "0");
        return f;
    }
}
