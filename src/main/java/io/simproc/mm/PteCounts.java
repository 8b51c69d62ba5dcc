package io.simproc.mm;

import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link MmDebug}'s walk of every page table counted: the PTEs mapping each page frame, the huge (PSE) ones
 * among them, and the swap PTEs naming each slot of each swap area (those naming no slot of an area apart). Plain
 * arrays indexed by pfn and slot, allocated at the first PTE of their kind: the walk runs after every timer in
 * tests.
 */
final class PteCounts {
    private final int nrPfns;
    private final Swapfile swap;
    private int[] ptes;
    private int[] psePtes;
    private final int[][] swapPtes = new int[Swapfile.MAX_SWAPFILES][];
    private final Set<Integer> strayEntries = new TreeSet<>();

    PteCounts(int nrPfns, Swapfile swap) {
        this.nrPfns = nrPfns;
        this.swap = swap;
    }

    void addPte(int pfn, boolean pse) {
        if (ptes == null) {
            ptes = new int[nrPfns];
        }
        ptes[pfn]++;
        if (pse) {
            if (psePtes == null) {
                psePtes = new int[nrPfns];
            }
            psePtes[pfn]++;
        }
    }

    void addSwapPte(int entry) {
        int type = Swapfile.type(entry);
        int offset = Swapfile.offset(entry);
        Swapfile.SwapInfo si = type < Swapfile.MAX_SWAPFILES ? swap.area(type) : null;
        if (si == null || offset >= si.maxPages) {
            strayEntries.add(entry);
            return;
        }
        if (swapPtes[type] == null) {
            swapPtes[type] = new int[si.maxPages];
        }
        swapPtes[type][offset]++;
    }

    /** PTEs mapping pfn. */
    int ptes(int pfn) {
        return ptes == null ? 0 : ptes[pfn];
    }

    /** Huge PTEs mapping pfn. */
    int psePtes(int pfn) {
        return psePtes == null ? 0 : psePtes[pfn];
    }

    /** Swap PTEs naming slot {@code offset} of area {@code type}. */
    int swapPtes(int type, int offset) {
        int[] area = swapPtes[type];
        return area == null || offset >= area.length ? 0 : area[offset];
    }

    /** The swap entries PTEs name that are no slot of an area. */
    Set<Integer> strayEntries() {
        return strayEntries;
    }
}
