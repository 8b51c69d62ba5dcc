package io.simproc.mm;

/**
 * struct oom_control: the failing request's GFP mask and order, and the memory cgroup whose limit it hit (null for
 * a global OOM raised by the page allocator, which goes to the kernel's OOM killer through
 * {@link KernelServices#outOfMemory}; no nodemask).
 */
public record OomControl(int gfpMask, int order, MemCgroup memcg) {
    public OomControl(int gfpMask, int order) {
        this(gfpMask, order, null);
    }

    /** is_memcg_oom(). */
    public boolean isMemcgOom() {
        return memcg != null;
    }
}
