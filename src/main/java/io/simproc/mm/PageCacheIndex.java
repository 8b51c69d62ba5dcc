package io.simproc.mm;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * The page cache index of one file (the xarray of an address_space): page offset → pfn, or a shadow entry left by
 * reclaim (mm/workingset.c), stored in chunks of 512 entries so that a large, sparsely cached file costs little.
 * Entries are {@link #EMPTY}, a pfn (≥ 0), or a shadow (≤ {@link #SHADOW_BASE}, see {@link Workingset}).
 * Iteration is in offset order. {@link #size()} counts pages only; {@link #nrShadows()} the shadows.
 *
 * <p>Like the xarray, a radix tree: the chunks hang from a directory of 64-chunk nodes indexed by the high bits of
 * the offset (offsets are below 2^32), so that a lookup anywhere in the file is two array loads. Each chunk carries
 * its count of non-empty entries in a slot past its 512 entries, so that removing an entry knows at once whether
 * the chunk is now empty and can go.
 */
final class PageCacheIndex {
    static final int EMPTY = -1;
    /** The largest encoded shadow value; shadows are SHADOW_BASE − payload. */
    static final int SHADOW_BASE = -2;
    private static final int CHUNK_SHIFT = 9;
    private static final int CHUNK = 1 << CHUNK_SHIFT;
    /** Where a chunk keeps its count of non-empty entries. */
    private static final int USED = CHUNK;
    private static final int NODE_SHIFT = 6;
    private static final int NODE = 1 << NODE_SHIFT;
    /** dir[key >>> NODE_SHIFT][key & (NODE - 1)]: the chunk at key (offset >>> CHUNK_SHIFT), or null. */
    private int[][][] dir = new int[1][][];
    private long size;
    private long shadows;

    private int[] chunk(long key) {
        long hi = key >>> NODE_SHIFT;
        if (hi >= dir.length) {
            return null;
        }
        int[][] node = dir[(int) hi];
        return node == null ? null : node[(int) key & (NODE - 1)];
    }

    private void setChunk(long key, int[] c) {
        int hi = (int) (key >>> NODE_SHIFT);
        if (hi >= dir.length) {
            dir = Arrays.copyOf(dir, Math.max(hi + 1, dir.length * 2));
        }
        int[][] node = dir[hi];
        if (node == null) {
            node = dir[hi] = new int[NODE][];
        }
        node[(int) key & (NODE - 1)] = c;
    }

    /** The pfn caching index, or -1 (also when only a shadow is there). */
    int get(long index) {
        int v = raw(index);
        return v >= 0 ? v : EMPTY;
    }

    /** The entry at index: pfn, shadow or EMPTY. */
    int raw(long index) {
        int[] c = chunk(index >>> CHUNK_SHIFT);
        return c == null ? EMPTY : c[(int) (index & (CHUNK - 1))];
    }

    /** Store a pfn or a shadow at index, replacing what was there. */
    void put(long index, int entry) {
        long key = index >>> CHUNK_SHIFT;
        int[] c = chunk(key);
        if (c == null) {
            c = new int[CHUNK + 1];
            Arrays.fill(c, 0, CHUNK, EMPTY);
            setChunk(key, c);
        }
        int i = (int) (index & (CHUNK - 1));
        if (c[i] == EMPTY) {
            c[USED]++;
        }
        account(c[i], -1);
        c[i] = entry;
        account(entry, 1);
        if (entry == EMPTY) {
            release(key, c);
        }
    }

    private void account(int entry, int delta) {
        if (entry >= 0) {
            size += delta;
        } else if (entry <= SHADOW_BASE) {
            shadows += delta;
        }
    }

    /** Clear the entry at index (page or shadow). */
    void remove(long index) {
        long key = index >>> CHUNK_SHIFT;
        int[] c = chunk(key);
        if (c == null) {
            return;
        }
        int i = (int) (index & (CHUNK - 1));
        if (c[i] == EMPTY) {
            return;
        }
        account(c[i], -1);
        c[i] = EMPTY;
        release(key, c);
    }

    /** One entry of chunk {@code c} was emptied: drop the chunk when it was its last. */
    private void release(long key, int[] c) {
        if (--c[USED] == 0) {
            setChunk(key, null);
        }
    }

    long size() {
        return size;
    }

    long nrShadows() {
        return shadows;
    }

    /**
     * Visit the offsets that hold a page, in order. Each chunk of 512 offsets is read as it was when the visit
     * reached it, so the action may remove entries (its own or others of that chunk).
     */
    void forEachIndex(LongConsumer action) {
        for (long key = 0; key < (long) dir.length << NODE_SHIFT; key++) {
            int[] live = chunk(key);
            if (live == null) {
                continue;
            }
            int[] c = live.clone();
            long base = key << CHUNK_SHIFT;
            for (int i = 0; i < CHUNK; i++) {
                if (c[i] >= 0) {
                    action.accept(base + i);
                }
            }
        }
    }

    /** Forget the shadow entries at or beyond {@code fromIndex} (truncation); pages stay. */
    void clearShadowsFrom(long fromIndex) {
        for (long key = fromIndex >>> CHUNK_SHIFT; key < (long) dir.length << NODE_SHIFT; key++) {
            int[] c = chunk(key);
            if (c == null) {
                continue;
            }
            long base = key << CHUNK_SHIFT;
            for (int i = 0; i < CHUNK; i++) {
                if (c[i] <= SHADOW_BASE && base + i >= fromIndex) {
                    remove(base + i);
                }
            }
        }
    }
}
