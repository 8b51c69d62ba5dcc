package io.simproc.mm;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The page cache index of one file (the xarray of an address_space): page offset → pfn, stored in chunks of 512
 * entries so that a large, sparsely cached file costs little. Iteration is in offset order.
 */
final class PageCacheIndex {
    private static final int CHUNK_SHIFT = 9;
    private static final int CHUNK = 1 << CHUNK_SHIFT;
    private final TreeMap<Long, int[]> chunks = new TreeMap<>();
    private long size;

    int get(long index) {
        int[] c = chunks.get(index >>> CHUNK_SHIFT);
        return c == null ? -1 : c[(int) (index & (CHUNK - 1))];
    }

    void put(long index, int pfn) {
        int[] c = chunks.computeIfAbsent(index >>> CHUNK_SHIFT, k -> {
            int[] a = new int[CHUNK];
            Arrays.fill(a, -1);
            return a;
        });
        int i = (int) (index & (CHUNK - 1));
        if (c[i] < 0) {
            size++;
        }
        c[i] = pfn;
    }

    void remove(long index) {
        long key = index >>> CHUNK_SHIFT;
        int[] c = chunks.get(key);
        if (c == null) {
            return;
        }
        int i = (int) (index & (CHUNK - 1));
        if (c[i] >= 0) {
            c[i] = -1;
            size--;
            for (int v : c) {
                if (v >= 0) {
                    return;
                }
            }
            chunks.remove(key);
        }
    }

    long size() {
        return size;
    }

    /** Visit the cached offsets in order. */
    void forEachIndex(LongConsumer action) {
        for (Map.Entry<Long, int[]> e : chunks.entrySet()) {
            long base = e.getKey() << CHUNK_SHIFT;
            int[] c = e.getValue().clone();
            for (int i = 0; i < CHUNK; i++) {
                if (c[i] >= 0) {
                    action.accept(base + i);
                }
            }
        }
    }
}
