package io.simproc.mm;

import io.simproc.uapi.Page;

/**
 * zram's compression backends (drivers/block/zram/zcomp.c backends[], of a kernel built with
 * CONFIG_ZRAM_BACKEND_LZO and CONFIG_ZRAM_BACKEND_LZ4, as the reference guest's is: {@code [lzo-rle] lzo lz4}) and
 * the simulation's model of what they make of a page and what it costs.
 *
 * <p>A page's compressed size depends on its data class ({@link DataClass}) and the algorithm: the class gives a
 * mean ratio, and a hash of the page's content word places the page in a spread around it, so the same data always
 * compresses to the same size and the sizes of a class follow a distribution, not one value. Zero-filled and
 * same-filled pages are caught before compression (page_same_filled()) and cost no storage.
 *
 * <p>The ratios and speeds are lzbench's published figures for the Silesia corpus (lzbench README, lzbench 1.8,
 * "lz4 1.9.2: 2.101, 737 MB/s compression, 4448 MB/s decompression; lzo1x 2.10 -1: 2.106, 689 MB/s, 1042 MB/s"):
 * text compresses as Silesia does; a heap is taken to compress a third better (pointers and small integers are
 * mostly zero bytes, about 3:1 with lzo), which is the model's assumption, not a measurement. lzo-rle is lzo with
 * run-length encoding of zero runs (lib/lzo/lzo1x_compress.c, LZO_VERSION 1 streams): the same ratio, faster on
 * the zero runs anonymous memory has, modelled as lzo's ratio at a compression 5 % faster (the model's choice). Random data does not compress:
 * lzo and lz4 emit it with their literal-run overhead, more than huge_class_size, and zram stores such a page
 * uncompressed (a huge page).
 */
public enum Zcomp {
    LZO_RLE("lzo-rle", 1.0, 5_600, 3_900),
    LZO("lzo", 1.0, 5_900, 3_900),
    LZ4("lz4", 2.106 / 2.101, 5_600, 900);

    /** Nanoseconds page_same_filled() takes to read a page (a 4 KiB scan at about 10 GB/s). */
    static final long SAME_FILLED_CHECK_NANOS = 400;
    /** Mean compressed size of a page of text with lzo (Silesia ratio 2.106) and of a heap (3.0). */
    private static final int TEXT_MEAN = (int) (Page.PAGE_SIZE / 2.106);
    private static final int HEAP_MEAN = Page.PAGE_SIZE / 3;
    /** How far a page's size may lie from its class's mean: ± this fraction. */
    private static final double TEXT_SPREAD = 0.25;
    private static final double HEAP_SPREAD = 0.6;
    /** What lzo and lz4 make of an incompressible page: its bytes and their literal-run headers. */
    private static final int INCOMPRESSIBLE = Page.PAGE_SIZE + Page.PAGE_SIZE / 255 + 16;

    private final String name;
    /** The size this algorithm gives relative to lzo's (lz4's Silesia ratio 2.101 against lzo's 2.106). */
    private final double sizeFactor;
    private final long compressNanos;
    private final long decompressNanos;

    Zcomp(String name, double sizeFactor, long compressNanos, long decompressNanos) {
        this.name = name;
        this.sizeFactor = sizeFactor;
        this.compressNanos = compressNanos;
        this.decompressNanos = decompressNanos;
    }

    /** The name comp_algorithm shows and takes. */
    public String algName() {
        return name;
    }

    /** The backend named {@code name}, or null (zcomp_available_algorithm()). */
    public static Zcomp of(String name) {
        for (Zcomp z : values()) {
            if (z.name.equals(name)) {
                return z;
            }
        }
        return null;
    }

    /** zcomp_available_show(): the backends, the selected one in brackets, each followed by a space. */
    public static String availableShow(Zcomp selected) {
        StringBuilder sb = new StringBuilder();
        for (Zcomp z : values()) {
            sb.append(z == selected ? "[" + z.name + "]" : z.name).append(' ');
        }
        return sb.toString();
    }

    /** CPU time to compress one page (its 4 KiB at the algorithm's speed). */
    long compressNanos() {
        return compressNanos;
    }

    /** CPU time to decompress one page. */
    long decompressNanos() {
        return decompressNanos;
    }

    /**
     * page_same_filled(): whether a page of class {@code dc} holding {@code word} is one machine word repeated
     * (the zero page's data, or a class whose pages are).
     */
    static boolean sameFilled(DataClass dc, char word) {
        return word == PageContent.ZERO || dc == DataClass.ZERO || dc == DataClass.SAME;
    }

    /**
     * The size zcomp_compress() gives a page of class {@code dc} holding {@code word} (not a same-filled one):
     * the class's mean for this algorithm, moved within the class's spread by a hash of the word. May exceed
     * PAGE_SIZE for incompressible data.
     */
    int compressedSize(DataClass dc, char word) {
        if (dc == DataClass.RANDOM) {
            return INCOMPRESSIBLE;
        }
        int mean = dc == DataClass.TEXT ? TEXT_MEAN : HEAP_MEAN;
        double spread = dc == DataClass.TEXT ? TEXT_SPREAD : HEAP_SPREAD;
        long h = word * 0x9E3779B97F4A7C15L;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        double u = ((h >>> 11) * 0x1.0p-53) * 2 - 1;
        int size = (int) Math.round(mean * sizeFactor * (1 + spread * u));
        return Math.max(1, size);
    }
}
