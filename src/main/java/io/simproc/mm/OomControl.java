package io.simproc.mm;

/**
 * struct oom_control for a global OOM raised by the page allocator: the failing request's GFP mask and order (no
 * nodemask, no memcg), handed to the kernel's OOM killer through {@link KernelServices#outOfMemory}.
 */
public record OomControl(int gfpMask, int order) {
}
