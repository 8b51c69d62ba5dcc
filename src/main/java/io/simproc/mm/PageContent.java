package io.simproc.mm;

/**
 * The data of a user page, abstracted to one 16-bit word kept beside its struct page ({@link MemMap#content}): what
 * a task that loads from the page reads. The word follows the data wherever the kernel moves or copies it, so that
 * "every task still reads the same data" can be checked after migration, swap and fork.
 *
 * <ul>
 * <li>A page-cache page holds its file's data at its index: {@link #fileWord} of (device, inode, index), whether it
 * was read from the device or created (shmem, a file extended by a write). Stores into the page cache (write(),
 * shared writable mappings) leave it: the device does not record what was written, so the word names the file
 * offset, not its latest bytes.</li>
 * <li>An anonymous page gets a fresh word from every store the kernel sees: the write fault that allocates it
 * (do_anonymous_page), the copy a write to a shared or private file page makes (wp_page_copy, a private file
 * COW), and the write fault that reuses a page it alone maps (wp_page_reuse). Stores to a page already mapped
 * writable do not fault and are not seen. The shared zero page reads {@link #ZERO}.</li>
 * <li>swap_writepage copies the word into the slot ({@link Swapfile#slotContent}), a swap-in reads it back, and
 * migration copies it to the new page.</li>
 * </ul>
 * Words of stores come from a counter over 1..{@link #STORE_MAX} (wrapping): deterministic, and two pages written
 * one after the other never read the same. A store's word stands for data of its own: two pages holding store words
 * are never the same data, even when the counter has wrapped onto the same word ({@link #sameData}). Data several
 * programs load alike — an image, a file copied into memory ({@link #dataWord}) — has words above STORE_MAX, the
 * same page for page in every process; zero-filled data is {@link #ZERO}. KSM merges only pages that hold the
 * same data.
 */
public final class PageContent {
    /** The data of a zero-filled page. */
    public static final char ZERO = 0;
    /** The highest word of a store; named data has the words above. */
    public static final char STORE_MAX = 0x7fff;
    /** An odd multiplier: page index → data word is a bijection over 32768 consecutive pages. */
    private static final long DATA_STRIDE = 7919;

    private final MemMap map;
    private char lastStore;

    PageContent(MemMap map) {
        this.map = map;
    }

    /** A store the kernel saw: the page's data becomes a new word. */
    void store(int pfn) {
        char w = (char) (lastStore + 1);
        if (w > STORE_MAX) {
            w = 1;
        }
        lastStore = w;
        map.setContent(pfn, w);
    }

    /** The page now holds (a copy of) {@code word}. */
    void set(int pfn, char word) {
        map.setContent(pfn, word);
    }

    char word(int pfn) {
        return (char) map.content(pfn);
    }

    /**
     * The word of page {@code index} of data named {@code name} (an image several programs load, a scenario's
     * {@code touch data:}); "zero" names zero-filled pages ({@link #ZERO}). Other names have words above
     * {@link #STORE_MAX}, and any 32768 consecutive pages of one name hold different words (an affine map modulo
     * 32768 from an offset the name picks): the pages of an image of up to 128 MiB are not taken for each other.
     */
    public static char dataWord(String name, long index) {
        if (name.equals("zero")) {
            return ZERO;
        }
        long offset = name.hashCode() * 0x9E3779B97F4A7C15L;
        return (char) (STORE_MAX + 1 + ((offset + index * DATA_STRIDE) & STORE_MAX));
    }

    /**
     * Whether two words are the same data: equal, and not a store's word (each store's data is its own; its word
     * only names it).
     */
    public static boolean sameData(int a, int b) {
        return a == b && (a == ZERO || a > STORE_MAX);
    }


    /** The word of a file's data at {@code index}: a mix of the file's identity (device and inode) and the index. */
    public static char fileWord(AddressSpace file, long index) {
        long h = file.ino() * 0x9E3779B97F4A7C15L;
        h ^= ((long) file.devMajor() << 20 | file.devMinor()) * 0xC2B2AE3D27D4EB4FL;
        h ^= index * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (char) h;
    }
}
