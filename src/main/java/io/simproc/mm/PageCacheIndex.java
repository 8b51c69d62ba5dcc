package io.simproc.mm;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The page cache index of one file (the xarray of an address_space): page offset → pfn, or a shadow entry left by
 * reclaim (mm/workingset.c), stored in chunks of 512 entries so that a large, sparsely cached file costs little.
 * Entries are {@link #EMPTY}, a pfn (≥ 0), or a shadow (≤ {@link #SHADOW_BASE}, see {@link Workingset}).
 * Iteration is in offset order. {@link #size()} counts pages only; {@link #nrShadows()} the shadows. Each chunk
 * carries its count of non-empty entries in a slot past its 512 entries, so that removing an entry knows at once
 * whether the chunk is now empty.
 */
final class PageCacheIndex {
    static final int EMPTY = -1;
    /** The largest encoded shadow value; shadows are SHADOW_BASE − payload. */
    static final int SHADOW_BASE = -2;
    private static final int CHUNK_SHIFT = 9;
    private static final int CHUNK = 1 << CHUNK_SHIFT;
    /** Where a chunk keeps its count of non-empty entries. */
    private static final int USED = CHUNK;
    private final TreeMap<Long, int[]> chunks = new TreeMap<>();
    private long size;
    private long shadows;
    /**
     * The chunk the last lookup asked for, or null when there is none at that key (reads and writes of a file are
     * mostly sequential, and a file read for the first time asks many times for a chunk that does not exist yet).
     */
    private long lastKey = -1;
    private int[] lastChunk;

    private int[] chunk(long key) {
        if (key == lastKey) {
            return lastChunk;
        }
        int[] c = chunks.get(key);
        lastKey = key;
        lastChunk = c;
        return c;
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
            chunks.put(key, c);
            lastKey = key;
            lastChunk = c;
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
        if (--c[USED] > 0) {
            return;
        }
        chunks.remove(key);
        if (key == lastKey) {
            lastChunk = null;
        }
    }

    long size() {
        return size;
    }

    long nrShadows() {
        return shadows;
    }

    /** Visit the offsets that hold a page, in order (safe against removal during the visit). */
    void forEachIndex(LongConsumer action) {
        for (Map.Entry<Long, int[]> e : new TreeMap<>(chunks).entrySet()) {
            long base = e.getKey() << CHUNK_SHIFT;
            int[] c = e.getValue().clone();
            for (int i = 0; i < CHUNK; i++) {
                if (c[i] >= 0) {
                    action.accept(base + i);
                }
            }
        }
    }

    /** Forget the shadow entries at or beyond {@code fromIndex} (truncation); pages stay. */
    void clearShadowsFrom(long fromIndex) {
        for (Map.Entry<Long, int[]> e : new TreeMap<>(chunks.tailMap(fromIndex >>> CHUNK_SHIFT, true)).entrySet()) {
            long base = e.getKey() << CHUNK_SHIFT;
            int[] c = e.getValue();
            for (int i = 0; i < CHUNK; i++) {
                if (c[i] <= SHADOW_BASE && base + i >= fromIndex) {
                    remove(base + i);
                }
            }
        }
    }
}
