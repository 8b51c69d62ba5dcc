package io.simproc.physmap;

import io.simproc.mm.MigrateType;
import io.simproc.mm.PageblockSnapshot;
import io.simproc.mm.PageblockSnapshot.ZoneBlocks;
import io.simproc.physmap.Picture.Kind;
import io.simproc.physmap.Picture.Rect;
import io.simproc.physmap.Picture.Text;
import io.simproc.uapi.Page;

import java.util.List;

/**
 * Lays a {@link PageblockSnapshot} out as a {@link Picture}: one band per zone (labelled with node, zone and pfn
 * range), one cell per pageblock on a grid of {@value #COLUMNS} columns aligned to absolute pageblock numbers (so a
 * free block spanning two pageblocks never wraps), coloured by migrate type and shaded by how full the pageblock
 * is (pale: empty, saturated: full), holes in grey, every free buddy block of pageblock order or more outlined, and
 * a legend.
 */
public final class PhysMapLayout {
    static final int COLUMNS = 64;
    static final int PITCH = 10;
    static final int CELL = 9;
    static final int MARGIN = 16;
    static final int TITLE_HEIGHT = 30;
    static final int LABEL_HEIGHT = 20;
    static final int ZONE_GAP = 14;
    static final int LEGEND_LINE = 18;
    static final int LEGEND_COLUMNS = 3;
    static final int WHITE = 0xffffff;
    static final int HOLE_GREY = 0xd9d9d9;
    static final int OUTLINE = 0x000000;
    static final int TEXT = 0x222222;
    /** Share of the migrate type's colour an empty pageblock gets; a full one gets all of it. */
    static final double EMPTY_TINT = 0.12;

    private PhysMapLayout() {
    }

    /** The colour of a full pageblock of this migrate type. */
    public static int colour(MigrateType mt) {
        return switch (mt) {
            case UNMOVABLE -> 0xc0392b;
            case MOVABLE -> 0x27ae60;
            case RECLAIMABLE -> 0x2e86c1;
            case HIGHATOMIC -> 0x8e44ad;
            case CMA -> 0xe67e22;
            case ISOLATE -> 0x566573;
        };
    }

    /** A pageblock's fill: white mixed with its type's colour, more of the colour the fuller it is. */
    public static int shade(MigrateType mt, double fullness) {
        double t = EMPTY_TINT + (1 - EMPTY_TINT) * Math.max(0, Math.min(1, fullness));
        int c = colour(mt);
        int r = mix(WHITE >> 16 & 0xff, c >> 16 & 0xff, t);
        int g = mix(WHITE >> 8 & 0xff, c >> 8 & 0xff, t);
        int b = mix(WHITE & 0xff, c & 0xff, t);
        return r << 16 | g << 8 | b;
    }

    private static int mix(int from, int to, double t) {
        return (int) Math.round(from + (to - from) * t);
    }

    private static int rows(ZoneBlocks z) {
        long firstRow = z.firstPageblock() / COLUMNS;
        long lastRow = (z.firstPageblock() + z.nrPageblocks() - 1) / COLUMNS;
        return (int) (lastRow - firstRow + 1);
    }

    private static int legendItems(PageblockSnapshot s) {
        return s.migrateTypes().size() + 3;
    }

    public static Picture layout(PageblockSnapshot s, String title) {
        int width = Math.max(2 * MARGIN + COLUMNS * PITCH, 2 * MARGIN + monospaceWidth(title, 15));
        int height = MARGIN + TITLE_HEIGHT;
        for (ZoneBlocks z : s.zones()) {
            height += LABEL_HEIGHT + rows(z) * PITCH + ZONE_GAP;
        }
        int legendRows = (legendItems(s) + LEGEND_COLUMNS - 1) / LEGEND_COLUMNS;
        height += legendRows * LEGEND_LINE + MARGIN;
        Picture p = new Picture(width, height);
        p.add(new Rect(Kind.BACKGROUND, 0, 0, width, height, WHITE, -1, 0, null));
        p.add(new Text(Kind.TITLE, MARGIN, MARGIN + 14, 15, true, title));
        p.add(new Text(Kind.TITLE, MARGIN, MARGIN + 26, 10, false, String.format(
                "one cell per pageblock (%d pages, %d KiB); colour: migrate type; shade: share of its pages in use",
                1 << pageblockOrder(), (1 << pageblockOrder()) * Page.PAGE_SIZE / 1024)));
        int y = MARGIN + TITLE_HEIGHT;
        for (ZoneBlocks z : s.zones()) {
            y = zone(p, z, y);
        }
        legend(p, s, y);
        return p;
    }

    /** The width of {@code text} in a monospaced font of {@code size} px (glyphs are 0.6 em wide), rounded up. */
    static int monospaceWidth(String text, int size) {
        return (text.length() * size * 6 + 9) / 10;
    }

    private static int pageblockOrder() {
        return io.simproc.mm.PageAlloc.PAGEBLOCK_ORDER;
    }

    private static int zone(Picture p, ZoneBlocks z, int top) {
        p.add(new Text(Kind.ZONE_LABEL, MARGIN, top + 14, 12, true, String.format(
                "Node %d, zone %-7s pfn 0x%x-0x%x  %d pageblocks, %d free blocks of order >= %d", z.nodeId(),
                z.type().procName(), z.startPfn(), z.endPfn() - 1, z.nrPageblocks(), z.nrFreeBlocks(),
                pageblockOrder())));
        int gridTop = top + LABEL_HEIGHT;
        long firstRow = z.firstPageblock() / COLUMNS;
        int pbPages = 1 << pageblockOrder();
        for (int i = 0; i < z.nrPageblocks(); i++) {
            long pb = z.firstPageblock() + i;
            int x = MARGIN + (int) (pb % COLUMNS) * PITCH;
            int yy = gridTop + (int) (pb / COLUMNS - firstRow) * PITCH;
            long pfn = Math.max(pb * pbPages, z.startPfn());
            if (z.present(i) == 0) {
                p.add(new Rect(Kind.HOLE, x, yy, CELL, CELL, HOLE_GREY, -1, 0,
                        String.format("pfn 0x%x: no RAM", pfn)));
                continue;
            }
            MigrateType mt = z.migratetype(i);
            p.add(new Rect(Kind.CELL, x, yy, CELL, CELL, shade(mt, z.fullness(i)), -1, 0, String.format(
                    "pfn 0x%x: %s, %d of %d pages in use", pfn, mt.procName(), z.present(i) - z.free(i),
                    z.present(i))));
        }
        for (int j = 0; j < z.nrFreeBlocks(); j++) {
            long pb = z.freeBlockPfn(j) >>> pageblockOrder();
            int cells = 1 << (z.freeBlockOrder(j) - pageblockOrder());
            int x = MARGIN + (int) (pb % COLUMNS) * PITCH;
            int yy = gridTop + (int) (pb / COLUMNS - firstRow) * PITCH;
            p.add(new Rect(Kind.FREE_BLOCK, x, yy, cells * PITCH - (PITCH - CELL), CELL, -1, OUTLINE, 1,
                    String.format("free block of order %d at pfn 0x%x", z.freeBlockOrder(j), z.freeBlockPfn(j))));
        }
        return gridTop + rows(z) * PITCH + ZONE_GAP;
    }

    private static void legend(Picture p, PageblockSnapshot s, int top) {
        int colWidth = COLUMNS * PITCH / LEGEND_COLUMNS;
        int[] slot = {0};
        List<MigrateType> types = s.migrateTypes();
        for (MigrateType mt : types) {
            legendItem(p, top, colWidth, slot[0]++, colour(mt), -1, mt.procName());
        }
        legendItem(p, top, colWidth, slot[0]++, HOLE_GREY, -1, "no RAM (hole)");
        legendItem(p, top, colWidth, slot[0]++, WHITE, OUTLINE, "free block of order >= " + pageblockOrder());
        int i = slot[0]++;
        int x = MARGIN + (i % LEGEND_COLUMNS) * colWidth;
        int y = top + (i / LEGEND_COLUMNS) * LEGEND_LINE;
        for (int k = 0; k <= 4; k++) {
            p.add(new Rect(Kind.LEGEND, x + k * PITCH, y, CELL, CELL, shade(MigrateType.MOVABLE, k / 4.0), -1, 0,
                    null));
        }
        p.add(new Text(Kind.LEGEND, x + 5 * PITCH + 4, y + 9, 11, false, "empty to full"));
    }

    private static void legendItem(Picture p, int top, int colWidth, int i, int fill, int stroke, String label) {
        int x = MARGIN + (i % LEGEND_COLUMNS) * colWidth;
        int y = top + (i / LEGEND_COLUMNS) * LEGEND_LINE;
        p.add(new Rect(Kind.LEGEND, x, y, CELL, CELL, fill, stroke, stroke < 0 ? 0 : 2, null));
        p.add(new Text(Kind.LEGEND, x + PITCH + 6, y + 9, 11, false, label));
    }
}
