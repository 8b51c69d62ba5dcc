package io.simproc.mm;

/**
 * What kind of data a process keeps in its anonymous memory, as far as a compressor can tell: the simulation's
 * content words ({@link PageContent}) name a page's data but not its bytes, so how well a page compresses comes
 * from the class of data its owner writes (a scenario's {@code spawn: {data: text}}) and, within the class, from
 * the word ({@link Zcomp#compressedSize}). docs/ZRAM.md describes the model.
 */
public enum DataClass {
    /** A heap of pointers, small integers and padding: what anonymous memory usually holds (the default). */
    HEAP("heap"),
    /** Text: logs, JSON, source, an interpreter's strings. */
    TEXT("text"),
    /** Already compressed or encrypted data (media, TLS buffers): no compressor makes it smaller. */
    RANDOM("random"),
    /** Every page a repeated machine word (memset to a pattern): same-filled pages zram stores without data. */
    SAME("same"),
    /** Zero-filled pages. */
    ZERO("zero");

    private final String key;

    DataClass(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The class named {@code key}, or null. */
    public static DataClass of(String key) {
        for (DataClass c : values()) {
            if (c.key.equals(key)) {
                return c;
            }
        }
        return null;
    }
}
