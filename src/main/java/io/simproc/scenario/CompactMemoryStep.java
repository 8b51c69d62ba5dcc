package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;

/**
 * {@code compact_memory}: full compaction. Without a node it is {@code echo 1 > /proc/sys/vm/compact_memory} as root
 * — written through /proc/sys, so it is the same compact_nodes() the knob runs; with {@code node: N} it is
 * {@code echo 1 > /sys/devices/system/node/nodeN/compact}, written through the machine's /sys (compact_node() of that
 * node only). A node the machine does not have is ENOENT, as the missing sysfs file.
 */
final class CompactMemoryStep implements Step {
    private final int node;

    private CompactMemoryStep(int node) {
        this.node = node;
    }

    static final class Kind implements StepKind {
        /** MAX_NUMNODES of x86_64 (NODES_SHIFT 10). */
        static final int MAX_NUMNODES = 1024;

        @Override
        public String key() {
            return "compact_memory";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            if (value.isScalar() && value.scalar().isEmpty()) {
                return new CompactMemoryStep(-1);
            }
            if (!value.isMapping()) {
                throw value.error("compact_memory: expected {} (every node) or {node: N}");
            }
            value.checkKeys("node");
            YamlNode n = value.get("node");
            return new CompactMemoryStep(n == null ? -1 : (int) n.integer(0, MAX_NUMNODES - 1));
        }
    }

    @Override
    public void run(ScenarioRun run) {
        ProcFs fs = node >= 0 ? run.sysFs() : run.procFs();
        String path = node >= 0 ? "/devices/system/node/node" + node + "/compact" : "/sys/vm/compact_memory";
        ProcEntry f = fs.lookup(path, Credentials.ROOT);
        if (!(f instanceof ProcFile file)) {
            throw StepException.errno(describe() + ": " + (node >= 0 ? "/sys" : "/proc") + path, -Errno.ENOENT);
        }
        int r = fs.write(file, Credentials.ROOT, "1\n".getBytes(StandardCharsets.UTF_8), 0);
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
    }

    @Override
    public String describe() {
        return node < 0 ? "compact_memory" : "compact_memory of node " + node;
    }
}
