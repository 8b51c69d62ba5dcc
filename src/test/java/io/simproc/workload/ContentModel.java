package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.PageContent;
import io.simproc.mm.PageTable;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The content property tests' model: what each task stored at each address, and what a load there reads now. */
final class ContentModel {
    private ContentModel() {
    }

    /** What a load at addr reads: the mapped page's word, a swap slot's, the zero page's for an empty or special PTE. */
    static int readWord(Kernel k, Task t, long addr) {
        long pte = t.mm().pageTable().get(addr);
        if (PageTable.isSwap(pte)) {
            return k.mm().swap().slotContent(PageTable.swapEntryOf(pte));
        }
        if (pte == 0 || (pte & PageTable._PAGE_SPECIAL) != 0) {
            return PageContent.ZERO;
        }
        return k.mm().memMap().content(PageTable.pfnOf(pte));
    }

    /** Every live task of {@code tasks} reads at each address of its model the word the model holds. */
    static void assertEveryTaskReadsItsModel(Kernel k, List<Task> tasks, Map<Integer, Map<Long, Integer>> model,
            long seed) {
        for (Task t : tasks) {
            if (k.tasks().get(t.pid()) == t && t.mm() != null) {
                for (Map.Entry<Long, Integer> e : model.get(t.pid()).entrySet()) {
                    assertEquals((int) e.getValue(), readWord(k, t, e.getKey()), "seed " + seed + " pid " + t.pid()
                            + " at " + Long.toHexString(e.getKey()));
                }
            }
        }
    }
}
