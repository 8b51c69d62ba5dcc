package io.simproc.workload;

import io.simproc.config.ConfigException;
import io.simproc.config.YamlNode;
import io.simproc.kernel.ElfImage;
import io.simproc.mm.MmStruct;
import io.simproc.uapi.Page;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The programs a simulated machine can exec and every ELF object they map, read from a YAML catalog. The embedded
 * catalog ({@value #RESOURCE}, schema in its header) describes a Debian 12 server, generated from the real files by
 * src/tools/gen-program-catalog; a user's catalog may add or replace objects and programs ({@link #load(Path)}). Linux
 * has no single counterpart: this is the root filesystem's ELF files as binfmt_elf (fs/binfmt_elf.c) and ld.so
 * (elf/dl-load.c, elf/dl-deps.c) map them, resolved ahead of time.
 *
 * <p>Invariants, checked when a catalog is read, each violation a {@link ConfigException} at file:line:col:
 * unknown keys are errors; object paths are absolute; every object has mappings that are page-aligned, in
 * increasing address order, not overlapping, the first at offset 0, all within the file; prot is r, rx or rw; a
 * relro mapping is r and directly followed by the rw rest of its data segment; only an executable may have a
 * fixed_base (ET_EXEC), at or above mmap_min_addr; every object a program names exists, its interpreter and
 * libraries are position independent and no object is mapped twice. A catalog is immutable.
 */
public final class ProgramCatalog {
    /** The embedded catalog, a Debian 12 (bookworm) x86_64 server. */
    public static final String RESOURCE = "/io/simproc/workload/programs.yaml";
    /** vm.mmap_min_addr's default: nothing may be mapped below it, fixed executables included. */
    static final long MMAP_MIN_ADDR = 65536;

    private static final String[] TOP_KEYS = {"objects", "programs"};
    private static final String[] OBJECT_KEYS = {"package", "size", "fixed_base", "mappings", "bss"};
    private static final String[] MAPPING_KEYS = {"offset", "size", "prot", "relro", "file_offset"};
    private static final String[] PROGRAM_KEYS = {"exe", "interp", "libs"};

    private final Map<String, ElfImage> objects;
    private final Map<String, YamlNode> programNodes;
    private final Map<String, Program> programs;

    private ProgramCatalog(Map<String, ElfImage> objects, Map<String, YamlNode> programNodes) {
        this.objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
        this.programNodes = Collections.unmodifiableMap(new LinkedHashMap<>(programNodes));
        Map<String, Program> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : programNodes.entrySet()) {
            out.put(e.getKey(), program(e.getKey(), e.getValue(), objects));
        }
        this.programs = Collections.unmodifiableMap(out);
    }

    /** The embedded catalog (read once). */
    public static ProgramCatalog embedded() {
        return Embedded.CATALOG;
    }

    /** The embedded catalog with a user's catalog file merged over it: its objects and programs add or replace. */
    public static ProgramCatalog load(Path extra) {
        String text;
        try {
            text = Files.readString(extra, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(extra.toString(), 0, 0, "cannot read program catalog: " + e.getMessage());
        }
        return withExtra(extra.toString(), text);
    }

    /** The embedded catalog with the catalog text (named file in errors) merged over it. */
    public static ProgramCatalog withExtra(String file, String text) {
        return embedded().merge(file, text);
    }

    /** A catalog on its own, without the embedded one. */
    public static ProgramCatalog parse(String file, String text) {
        return new ProgramCatalog(Map.of(), Map.of()).merge(file, text);
    }

    /** The program called name. */
    public Program program(String name) {
        Program p = programs.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no program '" + name + "' in the catalog (known: "
                    + String.join(", ", programs.keySet()) + ")");
        }
        return p;
    }

    /** The object at path. */
    public ElfImage object(String path) {
        ElfImage o = objects.get(path);
        if (o == null) {
            throw new IllegalArgumentException("no object " + path + " in the catalog");
        }
        return o;
    }

    /** The name of the first program (in catalog order) whose executable is at {@code exePath}, or null. */
    public String programWithExe(String exePath) {
        for (Program p : programs.values()) {
            if (p.exe().path().equals(exePath)) {
                return p.name();
            }
        }
        return null;
    }

    /** The programs' names, in catalog order. */
    public Set<String> programNames() {
        return programs.keySet();
    }

    /** The objects' paths, in catalog order. */
    public Set<String> objectPaths() {
        return objects.keySet();
    }

    private ProgramCatalog merge(String file, String text) {
        YamlNode root = YamlNode.parse(file, text);
        root.checkKeys(TOP_KEYS);
        Map<String, ElfImage> objs = new LinkedHashMap<>(objects);
        Map<String, YamlNode> progs = new LinkedHashMap<>(programNodes);
        YamlNode o = root.get("objects");
        if (o != null) {
            for (Map.Entry<String, YamlNode> e : o.mapping().entrySet()) {
                objs.put(e.getKey(), object(e.getKey(), o.keyNode(e.getKey()), e.getValue()));
            }
        }
        YamlNode p = root.get("programs");
        if (p != null) {
            for (Map.Entry<String, YamlNode> e : p.mapping().entrySet()) {
                if (e.getKey().isBlank() || e.getKey().contains("/")) {
                    throw p.keyNode(e.getKey()).error("program name '" + e.getKey() + "' must be a plain word");
                }
                progs.put(e.getKey(), e.getValue());
            }
        }
        return new ProgramCatalog(objs, progs);
    }

    private static ElfImage object(String path, YamlNode key, YamlNode n) {
        if (!path.startsWith("/") || path.endsWith("/")) {
            throw key.error("object '" + path + "' must be an absolute file path");
        }
        n.checkKeys(OBJECT_KEYS);
        if (n.get("package") != null) {
            n.get("package").string();
        }
        long fileSize = n.require("size").integer(1, Long.MAX_VALUE);
        long fixedBase = 0;
        YamlNode fb = n.get("fixed_base");
        if (fb != null) {
            fixedBase = pageAligned(fb, fb.integer(MMAP_MIN_ADDR, MmStruct.TASK_SIZE - Page.PAGE_SIZE));
        }
        long bss = n.get("bss") == null ? 0 : n.get("bss").integer(0, MmStruct.TASK_SIZE);
        YamlNode list = n.require("mappings");
        List<YamlNode> items = list.sequence();
        if (items.isEmpty()) {
            throw list.error(path + ": an object needs at least one mapping");
        }
        List<ElfImage.Mapping> mappings = new ArrayList<>();
        long end = 0;
        YamlNode relroNode = null;
        for (YamlNode m : items) {
            m.checkKeys(MAPPING_KEYS);
            YamlNode offNode = m.require("offset");
            long offset = pageAligned(offNode, offNode.integer(0, MmStruct.TASK_SIZE));
            YamlNode sizeNode = m.require("size");
            long size = pageAligned(sizeNode, sizeNode.integer(1, MmStruct.TASK_SIZE));
            String prot = m.require("prot").oneOf("r", "rx", "rw");
            boolean relro = m.get("relro") != null && m.get("relro").bool();
            YamlNode foNode = m.get("file_offset");
            long fileOffset = foNode == null ? offset : pageAligned(foNode, foNode.integer(0, Long.MAX_VALUE / 2));
            if (mappings.isEmpty() && offset != 0) {
                throw offNode.error(path + ": the first mapping must start at offset 0x0, the load base");
            }
            if (offset < end) {
                throw offNode.error(String.format("%s: the mapping at 0x%x overlaps the previous one, which ends at"
                        + " 0x%x", path, offset, end));
            }
            if (relroNode != null && !(prot.equals("rw") && offset == end)) {
                throw relroNode.error(path + ": a relro mapping must be directly followed by the rw rest of its"
                        + " data segment");
            }
            if (relro && !prot.equals("r")) {
                throw m.get("relro").error(path + ": a relro mapping is read-only: its prot must be r");
            }
            long fileEnd = fileOffset + size;
            if (fileEnd > pageAlign(fileSize)) {
                throw (foNode != null ? foNode : offNode).error(String.format("%s: the mapping at 0x%x reaches file"
                        + " offset 0x%x, past the end of the file (%d bytes)", path, offset, fileEnd, fileSize));
            }
            relroNode = relro ? m.get("relro") : null;
            mappings.add(new ElfImage.Mapping(offset, size, prot, relro, fileOffset));
            end = offset + size;
        }
        if (relroNode != null) {
            throw relroNode.error(path + ": a relro mapping must be directly followed by the rw rest of its data"
                    + " segment");
        }
        if (fixedBase != 0 && fixedBase + end + pageAlign(bss) > MmStruct.TASK_SIZE) {
            throw fb.error(String.format("%s: at fixed_base 0x%x the object ends past TASK_SIZE", path, fixedBase));
        }
        return new ElfImage(path, fileSize, mappings, bss, fixedBase);
    }

    private static Program program(String name, YamlNode n, Map<String, ElfImage> objects) {
        n.checkKeys(PROGRAM_KEYS);
        ElfImage exe = ref(name, n.require("exe"), objects);
        YamlNode interpNode = n.require("interp");
        ElfImage interp = positionIndependent(name, interpNode, ref(name, interpNode, objects));
        Set<String> mapped = new HashSet<>(List.of(exe.path(), interp.path()));
        List<ElfImage> libs = new ArrayList<>();
        YamlNode libsNode = n.get("libs");
        for (YamlNode l : libsNode == null ? List.<YamlNode>of() : libsNode.sequence()) {
            ElfImage lib = positionIndependent(name, l, ref(name, l, objects));
            if (!mapped.add(lib.path())) {
                throw l.error("program '" + name + "' maps " + lib.path() + " twice");
            }
            libs.add(lib);
        }
        return new Program(name, exe, interp, libs);
    }

    private static ElfImage ref(String program, YamlNode n, Map<String, ElfImage> objects) {
        String path = n.string();
        ElfImage o = objects.get(path);
        if (o == null) {
            throw n.error("program '" + program + "' needs " + path + ", which is not among the catalog's objects");
        }
        return o;
    }

    private static ElfImage positionIndependent(String program, YamlNode n, ElfImage o) {
        if (o.fixedBase() != 0) {
            throw n.error("program '" + program + "': " + o.path() + " has a fixed_base (ET_EXEC) and cannot be"
                    + " loaded as a shared object");
        }
        return o;
    }

    private static long pageAligned(YamlNode n, long v) {
        if ((v & ~Page.PAGE_MASK) != 0) {
            throw n.error(String.format("%s: 0x%x is not a multiple of the page size (0x%x)", n.path(), v,
                    Page.PAGE_SIZE));
        }
        return v;
    }

    private static long pageAlign(long v) {
        return (v + Page.PAGE_SIZE - 1) & Page.PAGE_MASK;
    }

    private static final class Embedded {
        static final ProgramCatalog CATALOG = read();

        private static ProgramCatalog read() {
            try (InputStream in = ProgramCatalog.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the embedded program catalog is missing from the jar");
                }
                return parse("embedded catalog (" + RESOURCE.substring(1) + ")",
                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the embedded program catalog", e);
            }
        }
    }
}
