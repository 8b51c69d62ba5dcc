package io.simproc.mm;

/**
 * enum memcg_stat_item (include/linux/memcontrol.h): the counters a memory cgroup keeps beside the node counters it
 * shares with its lruvecs, in the kernel's order after MEMCG_SWAP. {@code MEMCG_KMEM} is in pages (every page
 * charged for kernel memory: slab, stacks, page tables, percpu), {@code MEMCG_PERCPU_B} in bytes,
 * {@code MEMCG_VMALLOC} in pages; sockets and zswap are subsystems this machine does not have (always 0).
 */
public enum MemcgStatItem {
    MEMCG_SOCK,
    MEMCG_PERCPU_B,
    MEMCG_VMALLOC,
    MEMCG_KMEM,
    MEMCG_ZSWAP_B,
    MEMCG_ZSWAPPED
}
