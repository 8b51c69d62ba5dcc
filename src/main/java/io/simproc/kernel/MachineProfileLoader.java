package io.simproc.kernel;

import io.simproc.config.ConfigException;
import io.simproc.config.Sizes;
import io.simproc.config.YamlNode;
import io.simproc.mm.KernelConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads machine profiles (YAML, documented in docs/MACHINES.md). Every mistake is a {@link ConfigException}
 * naming file, line and column; unknown keys are errors. Values not given take the defaults of the embedded
 * default machine.
 */
public final class MachineProfileLoader {
    /** The profile used when none is given: an 8 GiB, 4-CPU, single-node machine with a 2 GiB swap partition. */
    public static final String DEFAULT_RESOURCE = "/io/simproc/machines/default.yaml";

    static final long MIN_RAM = 64L << 20;
    static final long MAX_RAM = 4L << 40;
    private static final long SECTION_BYTES = 128L << 20;

    private static final String[] KEYS = {"name", "description", "release", "hostname", "boot_time", "cpu",
        "memory", "nodes", "movablecore", "crashkernel", "cma", "thp", "kernel_image", "e820", "swap", "disks",
        "processes", "cgroup", "zram"};

    private MachineProfileLoader() {
    }

    public static MachineProfile loadDefault() {
        try (InputStream in = MachineProfileLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("embedded default machine profile is missing from the jar");
            }
            return parse("embedded default (" + DEFAULT_RESOURCE.substring(1) + ")",
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the embedded default machine profile", e);
        }
    }

    public static MachineProfile load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, 0, "cannot read machine profile: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    public static MachineProfile parse(String file, String text) {
        return fromNode(YamlNode.parse(file, text));
    }

    /** Build a profile from an already parsed mapping (scenario files embed one under {@code machine:}). */
    public static MachineProfile fromNode(YamlNode root) {
        root.checkKeys(KEYS);
        Map<String, YamlNode> m = root.mapping();
        String name = m.containsKey("name") ? m.get("name").string() : "machine";
        String release = m.containsKey("release") ? m.get("release").string() : "6.18.0-simproc";
        String hostname = m.containsKey("hostname") ? m.get("hostname").string() : "simproc";
        long bootEpoch = m.containsKey("boot_time") ? bootTime(m.get("boot_time")) : 1767225600L;
        MachineProfile.CpuModel cpu = cpu(m.get("cpu"));

        List<E820Entry> e820;
        if (m.containsKey("e820")) {
            if (m.containsKey("memory")) {
                throw m.get("memory").error("give either 'memory' or an explicit 'e820' map, not both");
            }
            e820 = e820(m.get("e820"));
        } else {
            YamlNode mem = m.get("memory");
            long ram = mem == null ? 8L << 30 : mem.size();
            if (mem != null && (ram < MIN_RAM || ram > MAX_RAM)) {
                throw mem.error("memory must be between 64M and 4T, got " + Sizes.format(ram));
            }
            e820 = E820Layout.generate(ram);
        }
        long ramBytes = e820.stream().filter(e -> e.type() == E820Entry.Type.RAM).mapToLong(E820Entry::size).sum();
        List<Long> nodes = nodes(m.get("nodes"), ramBytes);

        long movablecore = m.containsKey("movablecore") ? m.get("movablecore").size() : 0;
        if (movablecore != 0 && movablecore >= ramBytes / 2) {
            throw m.get("movablecore").error("movablecore must leave at least half the RAM to the kernel");
        }
        long crashkernel = m.containsKey("crashkernel") ? m.get("crashkernel").size() : 0;
        if (crashkernel != 0 && crashkernel > ramBytes / 4) {
            throw m.get("crashkernel").error("crashkernel must be at most a quarter of the RAM");
        }
        MachineProfile.CmaArea cma = m.containsKey("cma") ? cma(m.get("cma"), ramBytes) : MachineProfile.CmaArea.NONE;
        KernelConfig.ThpMode thp = KernelConfig.ThpMode.MADVISE;
        if (m.containsKey("thp")) {
            thp = KernelConfig.ThpMode.valueOf(m.get("thp").oneOf("always", "madvise", "never")
                    .toUpperCase(java.util.Locale.ROOT));
        }
        MachineProfile.KernelImage image = m.containsKey("kernel_image")
                ? kernelImage(m.get("kernel_image")) : defaultKernelImage();
        checkImageInRam(root, image, e820);
        MachineProfile.CgroupMode cgroup = MachineProfile.CgroupMode.V2;
        if (m.containsKey("cgroup")) {
            cgroup = MachineProfile.CgroupMode.valueOf(m.get("cgroup").oneOf("v1", "v2")
                    .toUpperCase(java.util.Locale.ROOT));
        }
        List<DiskProfileLoader.SwapEntry> swap = m.containsKey("swap") ? swap(m.get("swap")) : List.of();
        DiskProfileLoader.Result disks = DiskProfileLoader.resolve(m.get("disks"), swap);
        return new MachineProfile(name, root.file(), release, hostname, cpu, nodes, e820, image, movablecore,
                crashkernel, cma, new KernelConfig(cma.size() != 0, thp), disks.swap(), disks.disks(), bootEpoch,
                m.get("processes"), cgroup, m.containsKey("zram") ? zram(m.get("zram")) : null);
    }

    /**
     * cma: SIZE[@BASE[-LIMIT]], early_cma()'s syntax: the size rounded up to a pageblock (CMA_MIN_ALIGNMENT_BYTES,
     * as mm/cma.c rounds it), at most a quarter of the RAM; a fixed area (BASE + SIZE = LIMIT) must start on a
     * pageblock boundary.
     */
    private static MachineProfile.CmaArea cma(YamlNode n, long ramBytes) {
        String text = n.scalar().trim();
        String[] at = text.split("@", -1);
        long size;
        long base = 0;
        long limit = 0;
        try {
            size = Sizes.parseBytes(at[0]);
            if (at.length == 2) {
                String[] range = at[1].split("-", -1);
                base = Sizes.parseBytes(range[0]);
                if (range.length == 2) {
                    limit = Sizes.parseBytes(range[1]);
                } else if (range.length > 2) {
                    throw new IllegalArgumentException(text);
                }
            } else if (at.length > 2) {
                throw new IllegalArgumentException(text);
            }
        } catch (IllegalArgumentException e) {
            throw n.error("cma: '" + text + "' is not SIZE[@BASE[-LIMIT]] (e.g. 64M, 64M@4G, 64M@256M-320M)");
        }
        long align = 2L << 20;
        size = (size + align - 1) & -align;
        if (size > ramBytes / 4) {
            throw n.error("cma must be at most a quarter of the RAM");
        }
        if (limit != 0 && base + size > limit) {
            throw n.error("cma: the area of " + Sizes.format(size) + " at " + Sizes.format(base)
                    + " exceeds its limit " + Sizes.format(limit));
        }
        MachineProfile.CmaArea area = new MachineProfile.CmaArea(size, base, limit);
        if (area.fixed() && (base & (align - 1)) != 0) {
            throw n.error("cma: a fixed area must be aligned to 2M (a pageblock)");
        }
        return area;
    }

    private static long bootTime(YamlNode n) {
        String s = n.scalar().trim();
        if (s.chars().allMatch(Character::isDigit)) {
            return n.integer();
        }
        try {
            return Instant.parse(s).getEpochSecond();
        } catch (DateTimeParseException e) {
            throw n.error("boot_time must be seconds since the epoch or an ISO instant like 2026-01-01T00:00:00Z");
        }
    }

    private static MachineProfile.CpuModel cpu(YamlNode n) {
        MachineProfile.CpuModel d = defaultCpu(4);
        if (n == null) {
            return d;
        }
        if (n.isScalar()) {
            return defaultCpu((int) n.integer(1, 256));
        }
        n.checkKeys("count", "vendor_id", "family", "model", "model_name", "stepping", "microcode", "mhz",
                "cache_kb", "tlb_size", "cores_per_socket", "flags", "bugs", "bogomips", "address_bits");
        Map<String, YamlNode> m = n.mapping();
        int count = m.containsKey("count") ? (int) m.get("count").integer(1, 256) : d.count();
        int physBits = d.physicalBits();
        int virtBits = d.virtualBits();
        if (m.containsKey("address_bits")) {
            YamlNode ab = m.get("address_bits");
            ab.checkKeys("physical", "virtual");
            physBits = ab.get("physical") == null ? physBits : (int) ab.get("physical").integer(32, 57);
            virtBits = ab.get("virtual") == null ? virtBits : (int) ab.get("virtual").integer(48, 57);
        }
        return new MachineProfile.CpuModel(count,
                str(m, "vendor_id", d.vendorId()),
                m.containsKey("family") ? (int) m.get("family").integer(0, 255) : d.family(),
                m.containsKey("model") ? (int) m.get("model").integer(0, 255) : d.model(),
                str(m, "model_name", d.modelName()),
                m.containsKey("stepping") ? (int) m.get("stepping").integer(0, 15) : d.stepping(),
                m.containsKey("microcode") ? m.get("microcode").integer(0, 0xffff_ffffL) : d.microcode(),
                m.containsKey("mhz") ? m.get("mhz").number() : d.mhz(),
                m.containsKey("cache_kb") ? (int) m.get("cache_kb").integer(0, 1 << 20) : d.cacheKb(),
                m.containsKey("tlb_size") ? (int) m.get("tlb_size").integer(0, 1 << 16) : d.tlbSize(),
                m.containsKey("cores_per_socket") ? (int) m.get("cores_per_socket").integer(1, 256) : count,
                str(m, "flags", d.flags()),
                str(m, "bugs", d.bugs()),
                m.containsKey("bogomips") ? m.get("bogomips").number() : d.bogomips(),
                physBits, virtBits);
    }

    private static String str(Map<String, YamlNode> m, String key, String dflt) {
        return m.containsKey(key) ? m.get(key).string() : dflt;
    }

    static MachineProfile.CpuModel defaultCpu(int count) {
        return new MachineProfile.CpuModel(count, "GenuineIntel", 6, 106,
                "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 6, 0xd0003f5L, 2899.998, 55296, 0, count,
                "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss"
                        + " ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid"
                        + " aperfmperf tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe"
                        + " popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm"
                        + " 3dnowprefetch invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase tsc_adjust bmi1"
                        + " avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb"
                        + " avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves wbnoinvd ida arat"
                        + " avx512vbmi pku ospke avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg tme"
                        + " avx512_vpopcntdq rdpid md_clear flush_l1d arch_capabilities",
                "spectre_v1 spectre_v2 spec_store_bypass swapgs mmio_stale_data eibrs_pbrsb gds bhi its",
                5799.99, 46, 48);
    }

    private static List<Long> nodes(YamlNode n, long ramBytes) {
        if (n == null) {
            return List.of(ramBytes);
        }
        if (n.isScalar()) {
            int count = (int) n.integer(1, 64);
            long each = ramBytes / count;
            if (count > 1 && each < 4 * SECTION_BYTES) {
                throw n.error("each NUMA node needs at least 512M of RAM");
            }
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(i == count - 1 ? ramBytes - each * (count - 1) : each);
            }
            return out;
        }
        List<Long> out = new ArrayList<>();
        long sum = 0;
        for (YamlNode e : n.sequence()) {
            long b = e.size();
            if (b < 4 * SECTION_BYTES) {
                throw e.error("each NUMA node needs at least 512M of RAM");
            }
            out.add(b);
            sum += b;
        }
        if (out.isEmpty() || out.size() > 64) {
            throw n.error("nodes must list 1 to 64 node sizes");
        }
        long slack = SECTION_BYTES * out.size() + (1L << 30);
        if (Math.abs(sum - ramBytes) > slack) {
            throw n.error("node sizes add up to " + Sizes.human(sum) + " but the machine has "
                    + Sizes.human(ramBytes) + " of RAM");
        }
        out.set(out.size() - 1, out.get(out.size() - 1) + (ramBytes - sum));
        return out;
    }

    private static List<E820Entry> e820(YamlNode n) {
        List<E820Entry> out = new ArrayList<>();
        long lastEnd = -1;
        for (YamlNode e : n.sequence()) {
            e.checkKeys("start", "end", "type");
            long start = e.require("start").integer();
            long end = e.require("end").integer();
            if (end < start) {
                throw e.error(String.format("e820 range %#x-%#x ends before it starts", start, end));
            }
            if (start <= lastEnd) {
                throw e.error(String.format("e820 range %#x-%#x overlaps or is out of order", start, end));
            }
            E820Entry.Type type = E820Entry.Type.valueOf(e.require("type")
                    .oneOf("ram", "reserved", "acpi", "nvs", "unusable", "pmem").toUpperCase(java.util.Locale.ROOT));
            out.add(new E820Entry(start, end, type));
            lastEnd = end;
        }
        long ram = out.stream().filter(x -> x.type() == E820Entry.Type.RAM).mapToLong(E820Entry::size).sum();
        if (ram < MIN_RAM) {
            throw n.error("the e820 map has " + Sizes.human(ram) + " of RAM; at least 64M is needed");
        }
        return out;
    }

    private static MachineProfile.KernelImage kernelImage(YamlNode n) {
        n.checkKeys("code", "rodata", "data", "bss");
        MachineProfile.KernelImage d = defaultKernelImage();
        long[] code = range(n.get("code"), d.codeStart(), d.codeSize());
        long[] rodata = range(n.get("rodata"), d.rodataStart(), d.rodataSize());
        long[] data = range(n.get("data"), d.dataStart(), d.dataSize());
        long[] bss = range(n.get("bss"), d.bssStart(), d.bssSize());
        if (!(code[0] + code[1] <= rodata[0] && rodata[0] + rodata[1] <= data[0] && data[0] + data[1] <= bss[0])) {
            throw n.error("kernel image sections must be in the order code, rodata, data, bss without overlap");
        }
        return new MachineProfile.KernelImage(code[0], code[1], rodata[0], rodata[1], data[0], data[1], bss[0],
                bss[1]);
    }

    private static long[] range(YamlNode n, long start, long size) {
        if (n == null) {
            return new long[] {start, size};
        }
        n.checkKeys("start", "size");
        long s = n.get("start") == null ? start : n.get("start").integer();
        long z = n.get("size") == null ? size : n.get("size").size();
        if (z <= 0) {
            throw n.error("section size must be positive");
        }
        return new long[] {s, z};
    }

    /** The layout of a 6.18 x86_64 kernel loaded at 16 MiB (the sample machine's /proc/iomem). */
    static MachineProfile.KernelImage defaultKernelImage() {
        return new MachineProfile.KernelImage(0x1000000L, 0x120bb08L, 0x2400000L, 0xa0a000L, 0x3000000L,
                0x27c140L, 0x3b34000L, 0x124000L);
    }

    private static void checkImageInRam(YamlNode root, MachineProfile.KernelImage img, List<E820Entry> e820) {
        long start = img.codeStart();
        long end = img.bssStart() + img.bssSize() - 1;
        for (E820Entry e : e820) {
            if (e.type() == E820Entry.Type.RAM && e.start() <= start && e.end() >= end) {
                return;
            }
        }
        throw root.error(String.format("the kernel image %#x-%#x does not fit in one System RAM range", start, end));
    }

    /**
     * {@code zram: {size: 4G, algorithm: lz4, mem_limit: 1G, priority: 100}}: the size is required; the algorithm
     * defaults to lzo-rle (the kernel's default) and must be one the kernel has, the priority to 100
     * (zram-generator's swap-priority).
     */
    private static MachineProfile.ZramSetup zram(YamlNode n) {
        n.checkKeys("size", "algorithm", "mem_limit", "priority");
        long size = n.require("size").size();
        if (size < 40L << 10) {
            throw n.get("size").error("zram size must be at least 40K");
        }
        String alg = n.get("algorithm") == null ? "lzo-rle" : n.get("algorithm").string();
        if (io.simproc.mm.Zcomp.of(alg) == null) {
            throw n.get("algorithm").error("zram algorithm: one of " + io.simproc.mm.Zcomp.availableShow(null)
                    .trim().replace(" ", ", "));
        }
        long limit = n.get("mem_limit") == null ? 0 : n.get("mem_limit").size();
        int prio = n.get("priority") == null ? 100 : (int) n.get("priority").integer(-1, 32767);
        return new MachineProfile.ZramSetup(size, alg, limit, prio);
    }

    /** The swap areas as written; a partition's size may be left out when the profile gives its disks. */
    private static List<DiskProfileLoader.SwapEntry> swap(YamlNode n) {
        List<DiskProfileLoader.SwapEntry> out = new ArrayList<>();
        int prio = -2;
        for (YamlNode e : n.sequence()) {
            e.checkKeys("path", "type", "size", "priority");
            String path = e.require("path").string();
            if (!path.startsWith("/")) {
                throw e.get("path").error("swap path must be absolute, got '" + path + "'");
            }
            String type = e.get("type") == null ? (path.startsWith("/dev/") ? "partition" : "file")
                    : e.get("type").oneOf("partition", "file");
            long size = e.get("size") == null ? -1 : e.get("size").size();
            if (size >= 0 && size < 40L << 10) {
                throw e.get("size").error("swap area must be at least 40K");
            }
            int p = e.get("priority") == null ? prio-- : (int) e.get("priority").integer(-1, 32767);
            out.add(new DiskProfileLoader.SwapEntry(e, path, type, size, p));
        }
        return out;
    }
}
