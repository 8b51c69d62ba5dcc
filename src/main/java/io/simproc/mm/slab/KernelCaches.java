package io.simproc.mm.slab;

import static io.simproc.mm.slab.KmemCache.SLAB_ACCOUNT;
import static io.simproc.mm.slab.KmemCache.SLAB_HAS_CTOR;
import static io.simproc.mm.slab.KmemCache.SLAB_HWCACHE_ALIGN;
import static io.simproc.mm.slab.KmemCache.SLAB_RECLAIM_ACCOUNT;
import static io.simproc.mm.slab.KmemCache.SLAB_TYPESAFE_BY_RCU;

/**
 * The named caches the core kernel creates during start_kernel() (vmalloc_init, anon_vma_init, pid_idr_init,
 * cred_init, fork_init, proc_caches_init, vfs_caches_init, buffer_init, radix_tree_init, the filesystems and the
 * network stack), in creation order, with the object sizes, alignment and flags of a 6.18 x86_64 build. Holds the
 * handles the rest of the kernel allocates from.
 *
 * <p>SLAB_ACCOUNT (every object charged to the allocating task's memory cgroup) as 6.18 creates them:
 * anon_vma and anon_vma_chain (mm/rmap.c: anon_vma_init), pid (kernel/pid.c: pid_idr_init), cred_jar
 * (kernel/cred.c: cred_init), task_struct (kernel/fork.c: fork_init), sighand_cache, signal_cache, files_cache,
 * fs_cache and mm_struct (kernel/fork.c: proc_caches_init), vm_area_struct (mm/vma_init.c: vma_state_init),
 * dentry (fs/dcache.c: dcache_init), inode_cache (fs/inode.c: inode_init), filp (fs/file_table.c: files_init),
 * mnt_cache (fs/namespace.c: mnt_init), proc_inode_cache (fs/proc/inode.c: proc_init_kmemcache), seq_file
 * (fs/seq_file.c: seq_file_init), shmem_inode_cache (mm/shmem.c: shmem_init_inodecache), sock_inode_cache
 * (net/socket.c: init_inodecache), ext4_inode_cache (fs/ext4/super.c: init_inodecache). Not accounted: vmap_area,
 * the ACPI caches, names_cache (a path's buffer, freed before the system call returns), buffer_head and
 * radix_tree_node (accounted per call with __GFP_ACCOUNT where the kernel charges them, not by the cache),
 * kernfs_node_cache, kernfs_iattrs_cache, proc_dir_entry, skbuff_head_cache, ext4_extent_status and
 * jbd2_journal_head.
 */
public final class KernelCaches {
    public final KmemCache vmapArea;
    public final KmemCache anonVmaChain;
    public final KmemCache anonVma;
    public final KmemCache pid;
    public final KmemCache credJar;
    public final KmemCache taskStruct;
    public final KmemCache sighandCache;
    public final KmemCache signalCache;
    public final KmemCache filesCache;
    public final KmemCache fsCache;
    public final KmemCache mmStruct;
    public final KmemCache vmAreaStruct;
    public final KmemCache namesCache;
    public final KmemCache dentry;
    public final KmemCache inodeCache;
    public final KmemCache filp;
    public final KmemCache mntCache;
    public final KmemCache bufferHead;
    public final KmemCache radixTreeNode;
    public final KmemCache kernfsNodeCache;
    public final KmemCache kernfsIattrsCache;
    public final KmemCache procDirEntry;
    public final KmemCache procInodeCache;
    public final KmemCache seqFile;
    public final KmemCache shmemInodeCache;
    public final KmemCache skbuffHeadCache;
    public final KmemCache sockInodeCache;
    public final KmemCache acpiNamespace;
    public final KmemCache acpiOperand;
    public final KmemCache ext4InodeCache;
    public final KmemCache ext4ExtentStatus;
    public final KmemCache jbd2JournalHead;

    KernelCaches(Slab s) {
        vmapArea = s.createCache("vmap_area", 64, 0, 0);
        acpiNamespace = s.createCache("Acpi-Namespace", 40, 0, 0);
        acpiOperand = s.createCache("Acpi-Operand", 72, 0, 0);
        anonVmaChain = s.createCache("anon_vma_chain", 64, 0, SLAB_ACCOUNT);
        anonVma = s.createCache("anon_vma", 96, 0, SLAB_TYPESAFE_BY_RCU | SLAB_HAS_CTOR | SLAB_ACCOUNT);
        pid = s.createCache("pid", 112, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
        credJar = s.createCache("cred_jar", 184, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
        taskStruct = s.createCache("task_struct", 10048, 64, SLAB_ACCOUNT);
        sighandCache = s.createCache("sighand_cache", 2088, 0,
                SLAB_HWCACHE_ALIGN | SLAB_TYPESAFE_BY_RCU | SLAB_HAS_CTOR | SLAB_ACCOUNT);
        signalCache = s.createCache("signal_cache", 1088, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
        filesCache = s.createCache("files_cache", 704, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
        fsCache = s.createCache("fs_cache", 56, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
        mmStruct = s.createCache("mm_struct", 1344, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
        vmAreaStruct = s.createCache("vm_area_struct", 176, 0, SLAB_ACCOUNT);
        namesCache = s.createCache("names_cache", 4096, 0, SLAB_HWCACHE_ALIGN);
        dentry = s.createCache("dentry", 192, 0, SLAB_HWCACHE_ALIGN | SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT);
        inodeCache = s.createCache("inode_cache", 600, 0, SLAB_RECLAIM_ACCOUNT | SLAB_HAS_CTOR | SLAB_ACCOUNT);
        filp = s.createCache("filp", 232, 0, SLAB_HWCACHE_ALIGN | SLAB_TYPESAFE_BY_RCU | SLAB_ACCOUNT);
        mntCache = s.createCache("mnt_cache", 320, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
        bufferHead = s.createCache("buffer_head", 104, 0, SLAB_RECLAIM_ACCOUNT);
        radixTreeNode = s.createCache("radix_tree_node", 568, 0, SLAB_RECLAIM_ACCOUNT | SLAB_HAS_CTOR);
        kernfsNodeCache = s.createCache("kernfs_node_cache", 128, 0, 0);
        kernfsIattrsCache = s.createCache("kernfs_iattrs_cache", 88, 0, 0);
        procDirEntry = s.createCache("proc_dir_entry", 192, 0, 0);
        procInodeCache = s.createCache("proc_inode_cache", 704, 0,
                SLAB_RECLAIM_ACCOUNT | SLAB_HAS_CTOR | SLAB_ACCOUNT);
        seqFile = s.createCache("seq_file", 120, 0, SLAB_ACCOUNT);
        shmemInodeCache = s.createCache("shmem_inode_cache", 768, 0, SLAB_HAS_CTOR | SLAB_ACCOUNT);
        skbuffHeadCache = s.createCache("skbuff_head_cache", 232, 0, SLAB_HWCACHE_ALIGN);
        sockInodeCache = s.createCache("sock_inode_cache", 824, 0,
                SLAB_HWCACHE_ALIGN | SLAB_RECLAIM_ACCOUNT | SLAB_HAS_CTOR | SLAB_ACCOUNT);
        jbd2JournalHead = s.createCache("jbd2_journal_head", 120, 0, SLAB_RECLAIM_ACCOUNT);
        ext4ExtentStatus = s.createCache("ext4_extent_status", 40, 0, SLAB_RECLAIM_ACCOUNT);
        ext4InodeCache = s.createCache("ext4_inode_cache", 1176, 0,
                SLAB_RECLAIM_ACCOUNT | SLAB_HAS_CTOR | SLAB_ACCOUNT);
    }
}
