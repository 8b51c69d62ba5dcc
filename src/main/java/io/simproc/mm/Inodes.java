package io.simproc.mm;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The inodes with a page cache that the memory manager serves: regular files and block devices, in creation order
 * (the superblocks' s_inodes lists that drop_caches walks, fs/drop_caches.c). The VFS creates them and evicts an
 * unlinked one with {@link #evictInode} (iput_final(), fs/inode.c); {@link #nrBlockdevPages} is Buffers.
 */
public final class Inodes {
    private final MemoryManager mm;
    private final Set<AddressSpace> files = new LinkedHashSet<>();

    Inodes(MemoryManager mm) {
        this.mm = mm;
    }

    /**
     * A regular file's page cache (an executable, a library, a data file) with the identity maps prints:
     * device major:minor and inode number.
     */
    public AddressSpace newFile(String path, long sizeBytes, int devMajor, int devMinor, long ino) {
        return add(path, sizeBytes, devMajor, devMinor, ino, false);
    }

    /**
     * The page cache of a block device's inode (bdev): raw reads of the device and filesystem metadata go through
     * it, and its pages are Buffers.
     */
    public AddressSpace newBlockdev(String path, long sizeBytes, int devMajor, int devMinor) {
        return add(path, sizeBytes, devMajor, devMinor, 0, true);
    }

    private AddressSpace add(String path, long sizeBytes, int devMajor, int devMinor, long ino, boolean blockdev) {
        mm.assertWriter();
        int id = mm.mappings().register(null);
        AddressSpace a = new AddressSpace(id, path, sizeBytes, devMajor, devMinor, ino, false, blockdev);
        mm.mappings().set(id, a);
        files.add(a);
        return a;
    }

    /** Regular files and block devices, in creation order. */
    public Collection<AddressSpace> files() {
        return Collections.unmodifiableCollection(files);
    }

    /**
     * iput_final() of an unlinked file: its page cache goes (pages still mapped stay until unmapped, when the
     * last mapping takes the rest), its id is released once nothing is cached or mapped.
     */
    public void evictInode(AddressSpace a) {
        mm.assertWriter();
        a.unlinked = true;
        mm.filemap().truncate(a, 0, 0);
        if (!a.isMapped() && a.nrPages() == 0) {
            files.remove(a);
            mm.mappings().release(a.id());
        }
    }

    /** nr_blockdev_pages(): pages cached by block-device inodes (Buffers). */
    public long nrBlockdevPages() {
        long n = 0;
        for (AddressSpace a : files) {
            if (a.isBlockdev()) {
                n += a.nrPages();
            }
        }
        return n;
    }
}
