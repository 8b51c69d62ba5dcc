package io.simproc.proc;

import java.nio.charset.StandardCharsets;

/**
 * A seq_file buffer: the handful of seq_printf conversions procfs files use, without format-string parsing on the
 * hot path. {@code %*lu}-style fields right-align in a width and overflow it rather than truncating.
 */
public final class Seq {
    private final StringBuilder sb;

    public Seq() {
        this(4096);
    }

    public Seq(int capacity) {
        sb = new StringBuilder(capacity);
    }

    public Seq put(String s) {
        sb.append(s);
        return this;
    }

    public Seq put(char c) {
        sb.append(c);
        return this;
    }

    public Seq put(long v) {
        sb.append(v);
        return this;
    }

    /** {@code %<width>lu}: right-aligned, space-padded. */
    public Seq dec(long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        sb.append(s);
        return this;
    }

    /** {@code %-<width>s}: left-aligned, space-padded. */
    public Seq left(String s, int width) {
        sb.append(s);
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        return this;
    }

    /** {@code %<width>s}: right-aligned, space-padded. */
    public Seq right(String s, int width) {
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        sb.append(s);
        return this;
    }

    /** {@code %0<width>llx}: lower-case hex, zero-padded to at least width digits. */
    public Seq hex(long v, int width) {
        String s = Long.toHexString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
        return this;
    }

    public Seq spaces(int n) {
        for (int i = 0; i < n; i++) {
            sb.append(' ');
        }
        return this;
    }

    public Seq nl() {
        sb.append('\n');
        return this;
    }

    public int length() {
        return sb.length();
    }

    public byte[] bytes() {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
