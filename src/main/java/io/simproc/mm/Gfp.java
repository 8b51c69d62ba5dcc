package io.simproc.mm;

/**
 * GFP flags with the kernel's bit values (include/linux/gfp_types.h), so masks print as the kernel prints them
 * (GFP_KERNEL = 0xcc0, GFP_HIGHUSER_MOVABLE = 0x100cca), plus gfp_zone() and gfp_migratetype().
 */
public final class Gfp {
    public static final int __GFP_DMA = 0x01;
    public static final int __GFP_HIGHMEM = 0x02;
    public static final int __GFP_DMA32 = 0x04;
    public static final int __GFP_MOVABLE = 0x08;
    public static final int __GFP_RECLAIMABLE = 0x10;
    public static final int __GFP_HIGH = 0x20;
    public static final int __GFP_IO = 0x40;
    public static final int __GFP_FS = 0x80;
    public static final int __GFP_ZERO = 0x100;
    public static final int __GFP_DIRECT_RECLAIM = 0x400;
    public static final int __GFP_KSWAPD_RECLAIM = 0x800;
    public static final int __GFP_WRITE = 0x1000;
    public static final int __GFP_NOWARN = 0x2000;
    public static final int __GFP_RETRY_MAYFAIL = 0x4000;
    public static final int __GFP_NOFAIL = 0x8000;
    public static final int __GFP_NORETRY = 0x10000;
    public static final int __GFP_MEMALLOC = 0x20000;
    public static final int __GFP_COMP = 0x40000;
    public static final int __GFP_NOMEMALLOC = 0x80000;
    public static final int __GFP_HARDWALL = 0x100000;
    public static final int __GFP_THISNODE = 0x200000;
    public static final int __GFP_ACCOUNT = 0x400000;

    public static final int __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
    public static final int GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
    public static final int GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
    public static final int GFP_NOWAIT = __GFP_KSWAPD_RECLAIM | __GFP_NOWARN;
    public static final int GFP_NOIO = __GFP_RECLAIM;
    public static final int GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
    public static final int GFP_USER = GFP_KERNEL | __GFP_HARDWALL;
    public static final int GFP_DMA = __GFP_DMA;
    public static final int GFP_DMA32 = __GFP_DMA32;
    public static final int GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
    public static final int GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
    public static final int GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN)
            & ~__GFP_RECLAIM;
    public static final int GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;
    /** GFP_RECLAIM_MASK (mm/internal.h): the flags that steer reclaim (__GFP_NOLOCKDEP is not modelled). */
    public static final int GFP_RECLAIM_MASK = __GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN
            | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC;

    private Gfp() {
    }

    /** gfp_zone(): the highest zone an allocation may use. */
    public static ZoneType gfpZone(int gfp) {
        if ((gfp & __GFP_DMA) != 0) {
            return ZoneType.DMA;
        }
        if ((gfp & __GFP_DMA32) != 0) {
            return ZoneType.DMA32;
        }
        if ((gfp & (__GFP_HIGHMEM | __GFP_MOVABLE)) == (__GFP_HIGHMEM | __GFP_MOVABLE)) {
            return ZoneType.MOVABLE;
        }
        return ZoneType.NORMAL;
    }

    /** gfp_migratetype(). */
    public static MigrateType gfpMigratetype(int gfp) {
        if ((gfp & __GFP_MOVABLE) != 0) {
            return MigrateType.MOVABLE;
        }
        if ((gfp & __GFP_RECLAIMABLE) != 0) {
            return MigrateType.RECLAIMABLE;
        }
        return MigrateType.UNMOVABLE;
    }

    /** Names %pGg tries first, largest composites before their parts (include/trace/events/mmflags.h order). */
    private static final Object[][] NAMES = {
        {GFP_TRANSHUGE, "GFP_TRANSHUGE"},
        {GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"},
        {GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
        {GFP_HIGHUSER, "GFP_HIGHUSER"},
        {GFP_USER, "GFP_USER"},
        {GFP_KERNEL | __GFP_ACCOUNT, "GFP_KERNEL_ACCOUNT"},
        {GFP_KERNEL, "GFP_KERNEL"},
        {GFP_NOFS, "GFP_NOFS"},
        {GFP_ATOMIC, "GFP_ATOMIC"},
        {GFP_NOIO, "GFP_NOIO"},
        {GFP_NOWAIT, "GFP_NOWAIT"},
        {GFP_DMA, "GFP_DMA"},
        {__GFP_HIGHMEM, "__GFP_HIGHMEM"},
        {GFP_DMA32, "GFP_DMA32"},
        {__GFP_HIGH, "__GFP_HIGH"},
        {__GFP_IO, "__GFP_IO"},
        {__GFP_FS, "__GFP_FS"},
        {__GFP_NOWARN, "__GFP_NOWARN"},
        {__GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"},
        {__GFP_NOFAIL, "__GFP_NOFAIL"},
        {__GFP_NORETRY, "__GFP_NORETRY"},
        {__GFP_COMP, "__GFP_COMP"},
        {__GFP_ZERO, "__GFP_ZERO"},
        {__GFP_NOMEMALLOC, "__GFP_NOMEMALLOC"},
        {__GFP_MEMALLOC, "__GFP_MEMALLOC"},
        {__GFP_HARDWALL, "__GFP_HARDWALL"},
        {__GFP_THISNODE, "__GFP_THISNODE"},
        {__GFP_RECLAIMABLE, "__GFP_RECLAIMABLE"},
        {__GFP_MOVABLE, "__GFP_MOVABLE"},
        {__GFP_ACCOUNT, "__GFP_ACCOUNT"},
        {__GFP_WRITE, "__GFP_WRITE"},
        {__GFP_RECLAIM, "__GFP_RECLAIM"},
        {__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"},
        {__GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"},
    };

    /** The flag names printk's %pGg prints for a mask, e.g. "GFP_HIGHUSER_MOVABLE|__GFP_COMP"; "none" for 0. */
    public static String describe(int gfp) {
        if (gfp == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        int rest = gfp;
        for (Object[] e : NAMES) {
            int mask = (Integer) e[0];
            if (mask != 0 && (rest & mask) == mask) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(e[1]);
                rest &= ~mask;
            }
        }
        if (rest != 0) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append(String.format("%#x", rest));
        }
        return sb.toString();
    }

    public static boolean allowsBlocking(int gfp) {
        return (gfp & __GFP_DIRECT_RECLAIM) != 0;
    }
}
