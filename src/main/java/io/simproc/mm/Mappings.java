package io.simproc.mm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What a struct page's mapping field points to. In the kernel page->mapping is a pointer to an anon_vma or an
 * address_space; here the mem_map holds ints, so the field holds an id into this table: 0 is "none", every other id
 * names an {@link AnonVma} or an {@link AddressSpace}. Released ids are reused, latest first.
 */
public final class Mappings {
    private static final Object NONE = new Object();
    private final List<Object> owners = new ArrayList<>(List.of(NONE));
    private final ArrayDeque<Integer> freeIds = new ArrayDeque<>();

    /** A new id, naming {@code owner} (which may be set later with {@link #set}). */
    int register(Object owner) {
        Integer id = freeIds.poll();
        if (id == null) {
            owners.add(owner);
            return owners.size() - 1;
        }
        owners.set(id, owner);
        return id;
    }

    void set(int id, Object owner) {
        owners.set(id, owner);
    }

    void release(int id) {
        owners.set(id, null);
        freeIds.push(id);
    }

    /** The AnonVma or AddressSpace a page's mapping id names, or null. */
    public Object get(int id) {
        return id <= 0 || id >= owners.size() ? null : owners.get(id);
    }

    /** Every registered AnonVma and AddressSpace (for invariant checks). */
    List<Object> live() {
        List<Object> out = new ArrayList<>();
        for (Object o : owners) {
            if (o instanceof AnonVma || o instanceof AddressSpace) {
                out.add(o);
            }
        }
        return out;
    }
}
