package io.simproc.mm.vmalloc;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemcgKmem;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.uapi.Page;

/**
 * Kernel stacks with CONFIG_VMAP_STACK (kernel/fork.c alloc_thread_stack_node / free_thread_stack): THREAD_SIZE
 * (16 KiB) of vmalloc space aligned to THREAD_ALIGN, plus its guard page; up to NR_CACHED_STACKS freed stacks are
 * kept per CPU and handed to the next task forked there without going back to vmalloc. A stack in use counts in
 * NR_KERNEL_STACK_KB (KernelStack, nr_kernel_stack) on the nodes of its pages; a cached one only in VmallocUsed.
 * The stack is vmalloc'ed without __GFP_ACCOUNT (THREADINFO_GFP & ~__GFP_ACCOUNT); its pages are charged to the
 * forking task's memory cgroup page by page while a task holds it (memcg_charge_kernel_stack), so it counts in the
 * group's kernel_stack and not in its vmalloc.
 */
public final class ThreadStacks {
    /** THREAD_SIZE on x86_64 (THREAD_SIZE_ORDER 2). */
    public static final int THREAD_SIZE = 16384;
    /** NR_CACHED_STACKS. */
    static final int NR_CACHED_STACKS = 2;
    /** What %pS prints for the stack allocation, alloc_thread_stack_node inlined into kernel_clone. */
    public static final String CALLER = "kernel_clone+0x94/0x3e0";

    private final MemoryManager mm;
    private final Vmalloc vmalloc;
    private final long[][] cached;
    private long inUse;

    public ThreadStacks(MemoryManager mm, Vmalloc vmalloc) {
        this.mm = mm;
        this.vmalloc = vmalloc;
        this.cached = new long[mm.nrCpus()][NR_CACHED_STACKS];
    }

    /** alloc_thread_stack_node(): a stack for a task forked on {@code cpu}; its address, or 0 without memory. */
    public long alloc(int cpu) {
        mm.assertWriter();
        long addr = 0;
        for (int i = 0; i < NR_CACHED_STACKS; i++) {
            if (cached[cpu][i] != 0) {
                addr = cached[cpu][i];
                cached[cpu][i] = 0;
                break;
            }
        }
        if (addr == 0) {
            VmapArea a = vmalloc.vmalloc(THREAD_SIZE, THREAD_SIZE, Gfp.GFP_KERNEL | Gfp.__GFP_ZERO,
                    mm.cpuToNode(cpu), cpu, CALLER);
            if (a == null) {
                return 0;
            }
            addr = a.start();
        }
        if (!memcgChargeKernelStack(vmalloc.area(addr))) {
            cacheOrFree(addr, cpu);
            return 0;
        }
        account(addr, 1);
        inUse++;
        return addr;
    }

    /**
     * memcg_charge_kernel_stack(): each page of the stack charged to current's group (the forking task's), since
     * a cached stack changes hands without vmalloc; false, with nothing charged, when the group refuses.
     */
    private boolean memcgChargeKernelStack(VmapArea a) {
        MemcgKmem kmem = mm.memcontrol().kmem();
        for (int i = 0; i < a.nrPages(); i++) {
            if (kmem.chargePage(a.page(i), 0, Gfp.GFP_KERNEL) != 0) {
                for (int j = 0; j < i; j++) {
                    kmem.unchargePage(a.page(j), 0);
                }
                return false;
            }
        }
        return true;
    }

    /** free_thread_stack(): into this CPU's cache if it has room, else vfree. */
    public void free(long addr, int cpu) {
        mm.assertWriter();
        account(addr, -1);
        VmapArea a = vmalloc.area(addr);
        for (int i = 0; i < a.nrPages(); i++) {
            mm.memcontrol().kmem().unchargePage(a.page(i), 0);
        }
        inUse--;
        cacheOrFree(addr, cpu);
    }

    private void cacheOrFree(long addr, int cpu) {
        for (int i = 0; i < NR_CACHED_STACKS; i++) {
            if (cached[cpu][i] == 0) {
                cached[cpu][i] = addr;
                return;
            }
        }
        vmalloc.vfree(addr, cpu);
    }

    /** account_kernel_stack(): each page's KiB on its node, and in the group it is charged to. */
    private void account(long addr, int sign) {
        VmapArea a = vmalloc.area(addr);
        for (int i = 0; i < a.nrPages(); i++) {
            mm.memcontrol().kmem().modKmemPageState(a.page(i), NodeStatItem.NR_KERNEL_STACK_KB,
                    sign * (Page.PAGE_SIZE / 1024L));
        }
    }

    /** Stacks of live tasks. */
    public long inUse() {
        return inUse;
    }

    /** NR_KERNEL_STACK_KB must be THREAD_SIZE in KiB per stack in use. */
    public void check(java.util.List<String> errors) {
        long kb = mm.vmstat().globalNodeState(NodeStatItem.NR_KERNEL_STACK_KB);
        if (kb != inUse * (THREAD_SIZE / 1024)) {
            errors.add("NR_KERNEL_STACK_KB " + kb + " but " + inUse + " stacks in use");
        }
    }
}
