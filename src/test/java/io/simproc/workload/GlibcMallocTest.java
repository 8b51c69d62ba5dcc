package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MmDebug;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Vma;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The malloc model as the kernel sees it: brk steps, the mmap threshold, reuse and trimming. */
class GlibcMallocTest {
    private Kernel k;
    private Task task;
    private GlibcMalloc malloc;

    @BeforeEach
    void process() {
        k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 512M\n"), 1);
        k.setDebugChecks(true);
        Program bash = ProgramCatalog.embedded().program("bash");
        k.mutate(() -> {
            task = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(task, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            malloc = new GlibcMalloc(k, task);
            return null;
        });
    }

    private Vma heap() {
        for (Vma v : task.mm().vmas()) {
            if ("[heap]".equals(v.name())) {
                return v;
            }
        }
        return null;
    }

    @Test
    void smallRequestsGrowTheHeapIn132KiBSteps() {
        k.mutate(() -> {
            assertNull(heap(), "no heap before the first malloc");
            long p = malloc.malloc(100);
            assertTrue(p > 0);
            assertEquals(132 * 1024, heap().size(), "request + M_TOP_PAD + MINSIZE, rounded to pages");
            assertEquals(task.mm().startBrk(), heap().start());
            for (int i = 0; i < 1000; i++) {
                malloc.malloc(100);
            }
            assertEquals(132 * 1024, heap().size(), "1001 × 112 bytes still fit in the first step");
            // 1001 chunks of request2size(100) = 112 bytes leave 135168 - 112112 = 23056 bytes of top chunk.
            // malloc(60 KiB) needs 61456 + MINSIZE: the heap grows by PAGE_ALIGN(61456 + 131072 + 32 - 23056).
            malloc.malloc(60 * 1024);
            assertEquals(135168 + 172032, heap().size());
            return null;
        });
    }

    @Test
    void largeRequestsGetTheirOwnMappingAndGoBackOnFree() {
        k.mutate(() -> {
            int before = task.mm().mapCount();
            long total = task.mm().totalVm();
            long p = malloc.malloc(200 * 1024);
            assertTrue(p > 0);
            assertEquals(total + (204 * 1024 >> 12), task.mm().totalVm(), "200 KiB + header, page aligned");
            assertNull(heap(), "mmap'ed chunks do not touch the heap");
            malloc.free(p);
            assertEquals(total, task.mm().totalVm());
            assertEquals(before, task.mm().mapCount());
            return null;
        });
    }

    @Test
    void freedChunksAreReusedAndTheTopIsTrimmed() {
        k.mutate(() -> {
            List<Long> ptrs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ptrs.add(malloc.malloc(4000));
            }
            long grown = heap().size();
            assertTrue(grown > 600 * 1024, "200 × 4 KiB needs several steps: " + grown);
            long first = ptrs.get(0);
            malloc.free(first);
            assertEquals(first, malloc.malloc(4000), "best fit reuses the freed chunk");
            for (int i = 199; i >= 0; i--) {
                malloc.free(ptrs.get(i));
            }
            assertNotNull(heap());
            assertTrue(heap().size() <= 132 * 1024 + 8192, "the free top was given back: " + heap().size());
            assertEquals(0, malloc.inUseBytes());
            return null;
        });
    }

    @Test
    void touchedHeapIsAnonymousRss() {
        k.mutate(() -> {
            long anon = task.mm().rss(MmStruct.MM_ANONPAGES);
            long p = malloc.malloc(64 * 1024);
            k.syscalls().touch(task, p, 64 * 1024, true);
            assertTrue(task.mm().rss(MmStruct.MM_ANONPAGES) - anon >= 16);
            assertTrue(MmDebug.violations(k.mm()).isEmpty());
            return null;
        });
    }
}
