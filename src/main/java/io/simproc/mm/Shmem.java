package io.simproc.mm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * mm/shmem.c's objects: the backing of shared anonymous mappings and SysV segments, each an {@link AddressSpace}
 * whose pages are Shmem. An object is charged to Committed_AS for its whole size when created (shmem_acct_size) and
 * uncharged when freed; a shared anonymous mapping's object goes away with its last mapping.
 */
public final class Shmem {
    private final MemoryManager mm;
    private final Set<AddressSpace> anonymous = new LinkedHashSet<>();
    private final Set<AddressSpace> objects = new LinkedHashSet<>();
    private long nextIno = 1;

    Shmem(MemoryManager mm) {
        this.mm = mm;
    }

    /**
     * shmem_file_setup(): a shmem object of {@code sizeBytes}. Unless {@code noreserve}, its whole size is charged
     * to Committed_AS as shmem_acct_size does, checked by the overcommit policy for the current task's address space
     * {@code current} (may be null); null when refused.
     */
    public AddressSpace fileSetup(String path, long sizeBytes, boolean anonymousMapping, MmStruct current,
                                  boolean noreserve) {
        mm.assertWriter();
        long pages = (sizeBytes + io.simproc.uapi.Page.PAGE_SIZE - 1) >>> io.simproc.uapi.Page.PAGE_SHIFT;
        if (!noreserve && mm.overcommit().vmEnoughMemory(current, pages) < 0) {
            return null;
        }
        int id = mm.mappings().register(null);
        AddressSpace a = new AddressSpace(id, path, sizeBytes, 0, 1, nextIno++, true, false);
        a.chargedPages = noreserve ? 0 : pages;
        mm.mappings().set(id, a);
        objects.add(a);
        if (anonymousMapping) {
            anonymous.add(a);
        }
        return a;
    }

    /** Every live shmem object (for invariant checks). */
    Collection<AddressSpace> objects() {
        return Collections.unmodifiableCollection(objects);
    }

    /** A shared anonymous mapping's object: it goes away with its last mapping. */
    boolean isAnonymous(AddressSpace a) {
        return anonymous.contains(a);
    }

    /** shmem_evict_inode(): the object's last user went (or it was removed); its pages and its charge go with it. */
    public void free(AddressSpace a) {
        mm.assertWriter();
        if (!objects.remove(a)) {
            return;
        }
        anonymous.remove(a);
        List<Long> cached = new ArrayList<>();
        a.pages.forEachIndex(cached::add);
        for (long idx : cached) {
            mm.filemap().deleteFromPageCache(a, idx, 0);
        }
        mm.overcommit().addCommitted(-a.chargedPages);
        mm.mappings().release(a.id());
    }
}
