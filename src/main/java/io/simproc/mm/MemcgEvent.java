package io.simproc.mm;

/**
 * enum memcg_memory_event (include/linux/memcontrol.h): what memory.events and memory.events.local count, and
 * memory.swap.events (the SWAP_ ones), in that order.
 */
public enum MemcgEvent {
    LOW("low"),
    HIGH("high"),
    MAX("max"),
    OOM("oom"),
    OOM_KILL("oom_kill"),
    OOM_GROUP_KILL("oom_group_kill"),
    SWAP_HIGH("high"),
    SWAP_MAX("max"),
    SWAP_FAIL("fail");

    private final String key;

    MemcgEvent(String key) {
        this.key = key;
    }

    /** The key memory.events (or memory.swap.events) prints. */
    public String key() {
        return key;
    }
}
