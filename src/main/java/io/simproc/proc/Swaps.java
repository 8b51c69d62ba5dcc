package io.simproc.proc;

import io.simproc.mm.Swapfile;

/**
 * /proc/swaps (mm/swapfile.c swap_show): a header, then per active area its escaped path padded to 40 columns,
 * "partition" or "file\t", Size and Used in KiB (a second tab after each value below 10000000) and the priority.
 */
public final class Swaps implements ProcFile.Renderer {
    static final String HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

    @Override
    public byte[] render(ProcContext ctx) {
        Seq s = new Seq(256);
        s.put(HEADER);
        for (Swapfile.SwapInfo si : ctx.kernel().mm().swap().areas()) {
            String path = escape(si.path());
            s.put(path);
            int pad = path.length() < 40 ? 40 - path.length() : 1;
            for (int i = 0; i < pad; i++) {
                s.put(' ');
            }
            s.put(si.isFile() ? "file\t" : "partition");
            long sizeKb = si.pages() << 2;
            long usedKb = si.inuse() << 2;
            s.put('\t').put(sizeKb).put(sizeKb < 10000000 ? "\t" : "");
            s.put('\t').put(usedKb).put(usedKb < 10000000 ? "\t" : "");
            s.put('\t').put(si.prio()).nl();
        }
        return s.bytes();
    }

    /** seq_file_path(m, file, " \t\n\\"): those characters as \ooo. */
    static String escape(String path) {
        StringBuilder b = new StringBuilder();
        for (char c : path.toCharArray()) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
                b.append(String.format("\\%03o", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
