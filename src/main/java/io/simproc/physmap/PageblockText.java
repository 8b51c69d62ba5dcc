package io.simproc.physmap;

import io.simproc.mm.MigrateType;
import io.simproc.mm.PageblockSnapshot;
import io.simproc.mm.PageblockSnapshot.ZoneBlocks;
import io.simproc.mm.ZoneType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link PageblockSnapshot} as lines of text, to carry it from a daemon to the command that draws it:
 * {@code types Unmovable Movable ...}, then per zone {@code zone NID TYPE START_PFN END_PFN FIRST_PAGEBLOCK N}
 * followed by N lines {@code MT PRESENT FREE} (MT an index into the types) and {@code free PFN ORDER} lines for its
 * free blocks of pageblock order or more.
 */
public final class PageblockText {
    private PageblockText() {
    }

    public static void write(PageblockSnapshot s, Consumer<String> line) {
        StringBuilder types = new StringBuilder("types");
        for (MigrateType mt : s.migrateTypes()) {
            types.append(' ').append(mt.name());
        }
        line.accept(types.toString());
        for (ZoneBlocks z : s.zones()) {
            line.accept(String.format("zone %d %s %d %d %d %d", z.nodeId(), z.type().name(), z.startPfn(), z.endPfn(),
                    z.firstPageblock(), z.nrPageblocks()));
            for (int i = 0; i < z.nrPageblocks(); i++) {
                line.accept(z.migratetype(i).ordinal() + " " + z.present(i) + " " + z.free(i));
            }
            for (int j = 0; j < z.nrFreeBlocks(); j++) {
                line.accept("free " + z.freeBlockPfn(j) + " " + z.freeBlockOrder(j));
            }
        }
    }

    /** Parse what {@link #write} produced; IllegalArgumentException names the first line that is not. */
    public static PageblockSnapshot parse(List<String> lines) {
        List<MigrateType> types = new ArrayList<>();
        List<ZoneBlocks> zones = new ArrayList<>();
        int i = 0;
        try {
            String[] head = lines.get(i++).split(" ");
            if (!head[0].equals("types")) {
                throw new IllegalArgumentException("expected 'types'");
            }
            for (int t = 1; t < head.length; t++) {
                types.add(MigrateType.valueOf(head[t]));
            }
            while (i < lines.size()) {
                String[] z = lines.get(i++).split(" ");
                if (!z[0].equals("zone") || z.length != 7) {
                    throw new IllegalArgumentException("expected 'zone'");
                }
                int n = Integer.parseInt(z[6]);
                byte[] mt = new byte[n];
                short[] present = new short[n];
                short[] free = new short[n];
                for (int b = 0; b < n; b++) {
                    String[] f = lines.get(i++).split(" ");
                    mt[b] = (byte) MigrateType.of(Integer.parseInt(f[0])).ordinal();
                    present[b] = Short.parseShort(f[1]);
                    free[b] = Short.parseShort(f[2]);
                }
                List<long[]> fb = new ArrayList<>();
                while (i < lines.size() && lines.get(i).startsWith("free ")) {
                    String[] f = lines.get(i++).split(" ");
                    fb.add(new long[] {Long.parseLong(f[1]), Integer.parseInt(f[2])});
                }
                long[] pfns = new long[fb.size()];
                byte[] orders = new byte[fb.size()];
                for (int j = 0; j < pfns.length; j++) {
                    pfns[j] = fb.get(j)[0];
                    orders[j] = (byte) fb.get(j)[1];
                }
                zones.add(new ZoneBlocks(Integer.parseInt(z[1]), ZoneType.valueOf(z[2]), Long.parseLong(z[3]),
                        Long.parseLong(z[4]), Long.parseLong(z[5]), mt, present, free, pfns, orders));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("pageblock map line " + i + ": " + e.getMessage(), e);
        }
        return PageblockSnapshot.of(zones, types);
    }
}
