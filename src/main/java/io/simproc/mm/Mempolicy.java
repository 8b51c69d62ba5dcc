package io.simproc.mm;

/**
 * struct mempolicy (include/linux/mempolicy.h, mm/mempolicy.c): where a task's user pages come from. A task
 * without one (task->mempolicy == NULL) allocates on the node it runs on with the whole zonelist as fallback; the
 * simulation represents that as a null policy, so the default costs the fault path nothing. Immutable: a task
 * changes policy by taking a new one (set_mempolicy(2)), and a fork shares its parent's (mpol_dup copies a value
 * nobody changes).
 *
 * <p>Modes, in enum mempolicy_mode order: MPOL_DEFAULT (only as a request: it removes the task's policy),
 * MPOL_PREFERRED (one node first, then the normal fallback), MPOL_BIND (only the nodes of the mask), MPOL_INTERLEAVE
 * (page by page over the nodes of the mask), MPOL_LOCAL (the node the task runs on, written out).
 */
public final class Mempolicy {
    /** MAX_NUMNODES of the simulation: node masks are one long. */
    public static final int MAX_NUMNODES = 64;

    /** enum mempolicy_mode (MPOL_PREFERRED_MANY and MPOL_WEIGHTED_INTERLEAVE are not simulated). */
    public enum Mode {
        DEFAULT("default"),
        PREFERRED("prefer"),
        BIND("bind"),
        INTERLEAVE("interleave"),
        LOCAL("local");

        /** policy_modes[]: the name mpol_to_str() prints and mpol_parse_str() reads. */
        final String modeName;

        Mode(String modeName) {
            this.modeName = modeName;
        }
    }

    private final Mode mode;
    private final long nodes;

    private Mempolicy(Mode mode, long nodes) {
        this.mode = mode;
        this.nodes = nodes;
    }

    public Mode mode() {
        return mode;
    }

    /** pol->nodes as a bit mask (bit n: node n); 0 for MPOL_LOCAL. */
    public long nodes() {
        return nodes;
    }

    /**
     * mpol_new() as set_mempolicy(2) calls it on a machine whose online nodes with memory are {@code memoryNodes}:
     * the requested nodes are narrowed to those (mpol_set_nodemask); MPOL_DEFAULT with no nodes gives null (no
     * policy), MPOL_LOCAL takes no nodes, MPOL_PREFERRED keeps the first node (none: MPOL_LOCAL), the other modes
     * need at least one node left. Throws IllegalArgumentException (EINVAL) otherwise.
     */
    public static Mempolicy create(Mode mode, long requested, long memoryNodes) {
        switch (mode) {
            case DEFAULT:
                if (requested != 0) {
                    throw new IllegalArgumentException("the default policy takes no nodes");
                }
                return null;
            case LOCAL:
                if (requested != 0) {
                    throw new IllegalArgumentException("the local policy takes no nodes");
                }
                return new Mempolicy(Mode.LOCAL, 0);
            case PREFERRED:
                if (requested == 0) {
                    return new Mempolicy(Mode.LOCAL, 0);
                }
                break;
            default:
                break;
        }
        long allowed = requested & memoryNodes;
        if (allowed == 0) {
            throw new IllegalArgumentException("no node of " + nodelist(requested) + " is online with memory (online: "
                    + nodelist(memoryNodes) + ")");
        }
        return new Mempolicy(mode, mode == Mode.PREFERRED ? Long.lowestOneBit(allowed) : allowed);
    }

    /**
     * mpol_parse_str(): {@code <mode>[:<nodelist>]} — "default", "local", "prefer:N" (one node), "bind:LIST",
     * "interleave[:LIST]" (every node with memory without a list), LIST as bitmap_parselist() reads it ("0-1,3").
     * Returns the requested mode and nodes, to be checked against the machine by {@link #create}; throws
     * IllegalArgumentException on a malformed string.
     */
    public static Request parse(String text) {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        String list = colon < 0 ? null : text.substring(colon + 1);
        Mode mode = null;
        for (Mode m : Mode.values()) {
            if (m.modeName.equals(name)) {
                mode = m;
            }
        }
        if (mode == null) {
            throw new IllegalArgumentException("unknown memory policy '" + name
                    + "' (default, local, prefer:N, bind:NODES, interleave[:NODES])");
        }
        switch (mode) {
            case DEFAULT:
            case LOCAL:
                if (list != null) {
                    throw new IllegalArgumentException("'" + name + "' takes no node list");
                }
                return new Request(mode, 0, false);
            case PREFERRED:
                if (list != null && !list.matches("[0-9]+")) {
                    throw new IllegalArgumentException("'prefer' takes one node, got '" + list + "'");
                }
                break;
            case BIND:
                if (list == null) {
                    throw new IllegalArgumentException("'bind' needs a node list (bind:0-1)");
                }
                break;
            default:
                break;
        }
        if (list == null) {
            return new Request(mode, 0, mode == Mode.INTERLEAVE);
        }
        return new Request(mode, parseNodelist(list), false);
    }

    /** A policy as written, before the machine's nodes narrow it; {@code allNodes}: interleave with no list. */
    public record Request(Mode mode, long nodes, boolean allNodes) {
        /** mpol_new() against the machine's nodes with memory; IllegalArgumentException is EINVAL. */
        public Mempolicy create(long memoryNodes) {
            return Mempolicy.create(mode, allNodes ? memoryNodes : nodes, memoryNodes);
        }
    }

    /** bitmap_parselist() for node numbers below {@link #MAX_NUMNODES}. */
    static long parseNodelist(String list) {
        if (list.isEmpty()) {
            throw new IllegalArgumentException("empty node list");
        }
        long mask = 0;
        for (String part : list.split(",", -1)) {
            if (!part.matches("[0-9]+(-[0-9]+)?")) {
                throw new IllegalArgumentException("bad node list '" + list + "' (like 0-1,3)");
            }
            String[] r = part.split("-");
            int lo = node(r[0], list);
            int hi = node(r[r.length - 1], list);
            if (hi < lo) {
                throw new IllegalArgumentException("bad node range '" + part + "'");
            }
            for (int n = lo; n <= hi; n++) {
                mask |= 1L << n;
            }
        }
        return mask;
    }

    private static int node(String digits, String list) {
        if (digits.length() > 2 || Integer.parseInt(digits) >= MAX_NUMNODES) {
            throw new IllegalArgumentException("node " + digits + " of '" + list + "' is beyond MAX_NUMNODES ("
                    + MAX_NUMNODES + ")");
        }
        return Integer.parseInt(digits);
    }

    /** "%*pbl" of a node mask: ranges of set bits, "0-1,3". */
    static String nodelist(long mask) {
        StringBuilder s = new StringBuilder();
        int n = 0;
        while (n < MAX_NUMNODES) {
            if ((mask & (1L << n)) == 0) {
                n++;
                continue;
            }
            int end = n;
            while (end + 1 < MAX_NUMNODES && (mask & (1L << (end + 1))) != 0) {
                end++;
            }
            s.append(s.length() == 0 ? "" : ",").append(n);
            if (end > n) {
                s.append('-').append(end);
            }
            n = end + 1;
        }
        return s.toString();
    }

    /**
     * mpol_to_str(): what numa_maps prints in its policy field — "default" for a task without a policy (pass
     * null), else the mode's name and ":" with the node list when the mode has nodes ("prefer:1", "bind:0-1",
     * "interleave:0-1", "local").
     */
    public static String toString(Mempolicy pol) {
        if (pol == null) {
            return Mode.DEFAULT.modeName;
        }
        return pol.nodes == 0 ? pol.mode.modeName : pol.mode.modeName + ":" + nodelist(pol.nodes);
    }

    @Override
    public String toString() {
        return toString(this);
    }

    /** nodes_subset(). */
    boolean within(long mask) {
        return (nodes & ~mask) == 0;
    }

    /** nodes_weight(). */
    int weight() {
        return Long.bitCount(nodes);
    }

    /** first_node(). */
    int firstNode() {
        return Long.numberOfTrailingZeros(nodes);
    }

    /** next_node_in(): the next node of the mask after {@code nid}, wrapping around. */
    int nextNodeIn(int nid) {
        long above = nid + 1 >= MAX_NUMNODES ? 0 : nodes & (-1L << (nid + 1));
        return above != 0 ? Long.numberOfTrailingZeros(above) : firstNode();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mempolicy p && p.mode == mode && p.nodes == nodes;
    }

    @Override
    public int hashCode() {
        return mode.hashCode() * 31 + Long.hashCode(nodes);
    }
}
