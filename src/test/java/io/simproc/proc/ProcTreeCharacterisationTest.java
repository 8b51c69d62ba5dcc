package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Credentials;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.simproc.proc.ProcTestSupport.quote;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Characterisation test (golden master): it pins the current output of every proc file of the default machine
 * booted with {@link ProcTestSupport#SEED} (and the profile's fixed boot time), as root reads it, byte for byte
 * against src/test/resources/golden/&lt;path&gt;.txt, plus an INDEX.txt of every entry with its mode. It proves no
 * file correct (the sample-structure, cross-file and formula tests do that); it makes every change of output
 * visible. A difference is either an intended change of the simulation or format or a regression; the pinned
 * files are rewritten only on request, with {@code mvn test -Dtest=ProcTreeCharacterisationTest
 * -Dgolden.update=true}, and the diff is then reviewed like code. Files nobody may read (mode without read bits) are
 * listed in the index but not rendered, and so are files whose reading fails (with the errno in the index); links
 * are indexed with their targets. Of the pid directories (the kernel threads of the default machine) only the first
 * is walked and rendered, as the representative of them all; the others are indexed as directories.
 */
class ProcTreeCharacterisationTest {
    private static final Path GOLDEN = Path.of(System.getProperty("user.dir"), "src", "test", "resources", "golden");
    private static final String INDEX = "INDEX.txt";
    private static final String HOW_TO_UPDATE =
            "if the change is intended, run: mvn test -Dtest=ProcTreeCharacterisationTest -Dgolden.update=true and"
                    + " review the diff";

    /** Every file of the tree: path relative to golden/ → content (INDEX.txt first). */
    private static Map<String, byte[]> renderTree(ProcFs fs) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder();
        out.put(INDEX, null);
        walk(fs, (ProcDir) fs.lookup("/", Credentials.ROOT), "", index, out);
        out.put(INDEX, index.toString().getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static void walk(ProcFs fs, ProcDir dir, String path, StringBuilder index, Map<String, byte[]> out) {
        boolean firstPid = true;
        for (ProcEntry e : fs.list(dir, Credentials.ROOT)) {
            String p = path + "/" + e.name();
            String note = "";
            if (e instanceof ProcLink l) {
                String target = fs.readlink(l, Credentials.ROOT);
                note = target == null ? " (readlink: ENOENT)" : " -> " + target;
            } else if (e instanceof ProcFile f && (f.mode() & 0444) != 0) {
                try {
                    out.put(p.substring(1) + ".txt", fs.render(f, Credentials.ROOT));
                } catch (ProcException ex) {
                    note = " (read: errno " + ex.errno() + ", " + ex.getMessage() + ")";
                }
            }
            index.append(String.format("%04o %s%s%s%n", e.mode(), p, e instanceof ProcDir ? "/" : "", note));
            if (e instanceof ProcDir d) {
                boolean pidDir = path.isEmpty() && ProcBase.nameToInt(e.name()) > 0;
                if (!pidDir || firstPid) {
                    walk(fs, d, p, index, out);
                }
                firstPid &= !pidDir;
            }
        }
    }

    @Test
    void everyProcFileStillRendersAsPinned() throws IOException {
        Map<String, byte[]> rendered = renderTree(ProcTestSupport.shared());
        if (Boolean.getBoolean("golden.update")) {
            update(rendered);
            abort("-Dgolden.update=true: the pinned files were rewritten, nothing was compared; review the diff");
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : rendered.entrySet()) {
            Path golden = GOLDEN.resolve(e.getKey());
            if (!Files.exists(golden)) {
                problems.add(e.getKey() + ": no pinned output");
                continue;
            }
            String difference = firstDifference(Files.readAllBytes(golden), e.getValue());
            if (difference != null) {
                problems.add(e.getKey() + ": " + difference);
            }
        }
        for (String stale : existingGoldenFiles()) {
            if (!rendered.containsKey(stale)) {
                problems.add(stale + ": pinned output of an entry that no longer exists");
            }
        }
        if (!problems.isEmpty()) {
            fail("rendered files differ from their pinned output (" + HOW_TO_UPDATE + "):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** The same profile and seed give the same bytes in every file, whatever else ran in this JVM before. */
    @Test
    void bootingTwiceWithTheSameSeedGivesIdenticalTrees() {
        Map<String, byte[]> a = renderTree(ProcTestSupport.bootDefault());
        Map<String, byte[]> b = renderTree(ProcTestSupport.bootDefault());
        assertEquals(a.keySet(), b.keySet());
        for (String f : a.keySet()) {
            assertArrayEquals(a.get(f), b.get(f), f + " differs between two boots with the same seed");
        }
    }

    /** The seed matters: another seed gives another machine history (so the pinned files pin the seed's effect). */
    @Test
    void anotherSeedGivesAnotherBuddyState() {
        Kernel other = Kernel.boot(MachineProfileLoader.loadDefault(), ProcTestSupport.SEED + 1);
        ProcFs fs = new ProcFs(other, ProcTree.create(SysctlTable.create()));
        assertFalse(ProcTestSupport.read(fs, "/buddyinfo").equals(ProcTestSupport.read(ProcTestSupport.shared(),
                "/buddyinfo")), "buddyinfo does not depend on the seed");
    }

    private static String firstDifference(byte[] expected, byte[] actual) {
        String e = new String(expected, StandardCharsets.UTF_8);
        String a = new String(actual, StandardCharsets.UTF_8);
        if (e.equals(a)) {
            return null;
        }
        String[] el = e.split("\n", -1);
        String[] al = a.split("\n", -1);
        for (int i = 0; i < Math.max(el.length, al.length); i++) {
            String x = i < el.length ? el[i] : "<end of file>";
            String y = i < al.length ? al[i] : "<end of file>";
            if (!x.equals(y)) {
                return "line " + (i + 1) + "\n      pinned:   " + quote(x) + "\n      rendered: " + quote(y);
            }
        }
        return "bytes differ (" + expected.length + " pinned, " + actual.length + " rendered)";
    }

    private static List<String> existingGoldenFiles() throws IOException {
        if (!Files.isDirectory(GOLDEN)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(GOLDEN)) {
            return s.filter(Files::isRegularFile).map(p -> GOLDEN.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    private static void update(Map<String, byte[]> rendered) throws IOException {
        for (String stale : existingGoldenFiles()) {
            if (!rendered.containsKey(stale)) {
                Files.delete(GOLDEN.resolve(stale));
            }
        }
        for (Map.Entry<String, byte[]> e : rendered.entrySet()) {
            Path p = GOLDEN.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        System.err.println("pinned output rewritten in " + GOLDEN + " (" + rendered.size() + " files)");
    }
}
