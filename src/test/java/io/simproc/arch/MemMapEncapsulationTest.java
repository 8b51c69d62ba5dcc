package io.simproc.arch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The mem_map's array is MemMap's own: no production source file but MemMap.java indexes {@code mem[]}; every other
 * class reads and writes struct pages through MemMap's accessors (and list links through PageLists, which
 * {@link ArchitectureTest} checks).
 */
class MemMapEncapsulationTest {
    private static final Pattern INDEXING = Pattern.compile("\\bmem\\[");

    /** {@code file:line} of each line under {@code root} that indexes {@code mem[]}, MemMap.java excepted. */
    static List<String> indexingOutsideMemMap(Path root) throws IOException {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java")).sorted()::iterator) {
                if (f.getFileName().toString().equals("MemMap.java")) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (INDEXING.matcher(lines.get(i)).find()) {
                        hits.add(root.relativize(f) + ":" + (i + 1));
                    }
                }
            }
        }
        return hits;
    }

    @Test
    void noProductionFileOutsideMemMapIndexesTheMemMapArray() throws IOException {
        assertEquals(List.of(), indexingOutsideMemMap(Path.of("src/main/java")));
    }

    @Test
    void theScanFindsIndexingEverywhereButInMemMap(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("mm"));
        Files.writeString(dir.resolve("mm/Vmscan.java"), "class Vmscan {\n  int f(int[] mem) { return mem[3]; }\n}\n");
        Files.writeString(dir.resolve("mm/Rmap.java"), "class Rmap {\n\n  int f() { return map.mem[0] + 1; }\n}\n");
        Files.writeString(dir.resolve("mm/MemMap.java"), "class MemMap {\n  int f() { return mem[0]; }\n}\n");
        Files.writeString(dir.resolve("mm/Folios.java"), "class Folios {\n  int f() { return map.flags(0); }\n}\n");
        assertEquals(List.of(Path.of("mm/Rmap.java") + ":3", Path.of("mm/Vmscan.java") + ":2"),
                indexingOutsideMemMap(dir));
    }
}
