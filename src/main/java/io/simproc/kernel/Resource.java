package io.simproc.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * struct resource (kernel/resource.c): a named physical address range [start, end] with child ranges, the tree
 * /proc/iomem prints depth-first. Children are kept sorted and must nest inside their parent.
 */
public final class Resource {
    private final String name;
    private final long start;
    private final long end;
    private final List<Resource> children = new ArrayList<>();

    public Resource(String name, long start, long end) {
        if (end < start) {
            throw new IllegalArgumentException(String.format("resource %s %#x-%#x is empty", name, start, end));
        }
        this.name = name;
        this.start = start;
        this.end = end;
    }

    public String name() {
        return name;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public List<Resource> children() {
        return Collections.unmodifiableList(children);
    }

    /**
     * insert_resource(): place {@code r} under the deepest existing range that contains it (a range equal to an
     * existing one becomes its child, as a driver's claim nests under its device), keeping siblings in address
     * order. Returns false if it straddles a sibling's boundary.
     */
    public boolean insert(Resource r) {
        if (r.start < start || r.end > end) {
            return false;
        }
        for (Resource c : children) {
            if (r.start >= c.start && r.end <= c.end) {
                return c.insert(r);
            }
            if (r.start <= c.end && r.end >= c.start) {
                return false;
            }
        }
        int i = 0;
        while (i < children.size() && children.get(i).start < r.start) {
            i++;
        }
        children.add(i, r);
        return true;
    }
}
