package io.simproc.mm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Memory policies as mpol_parse_str() reads them, mpol_new() checks them and mpol_to_str() prints them. */
class MempolicyTest {
    private static final long TWO_NODES = 0b11;

    private static String made(String text, long memoryNodes) {
        return Mempolicy.toString(Mempolicy.parse(text).create(memoryNodes));
    }

    @Test
    void policiesPrintAsNumaMapsShowsThem() {
        assertEquals("default", made("default", TWO_NODES));
        assertNull(Mempolicy.parse("default").create(TWO_NODES), "MPOL_DEFAULT removes the task's policy");
        assertEquals("local", made("local", TWO_NODES));
        assertEquals("prefer:1", made("prefer:1", TWO_NODES));
        assertEquals("local", made("prefer", TWO_NODES), "prefer without a node is local allocation");
        assertEquals("bind:0-1", made("bind:0-1", TWO_NODES));
        assertEquals("bind:1", made("bind:1", TWO_NODES));
        assertEquals("interleave:0-1", made("interleave", TWO_NODES), "interleave over every node with memory");
        assertEquals("interleave:0,2-3", made("interleave:0,2,3", 0b1111));
        assertEquals("bind:1", made("bind:1,5", TWO_NODES), "nodes without memory are dropped");
    }

    @Test
    void malformedOrImpossiblePoliciesAreRefused() {
        for (String bad : new String[] {"bind", "local:0", "default:1", "prefer:0-1", "prefer:0,1", "bogus",
            "bind:", "bind:1-0", "bind:a", "interleave:64", "bind:0,,1", "BIND:0"}) {
            assertThrows(IllegalArgumentException.class, () -> Mempolicy.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Mempolicy.parse("bind:5").create(TWO_NODES));
        assertThrows(IllegalArgumentException.class, () -> Mempolicy.parse("prefer:2").create(TWO_NODES));
    }

    @Test
    void interleaveWalksTheMaskInOrder() {
        Mempolicy p = Mempolicy.parse("interleave:1,3,4").create(0b11111);
        assertEquals(3, p.nextNodeIn(1));
        assertEquals(4, p.nextNodeIn(3));
        assertEquals(1, p.nextNodeIn(4), "wraps to the first node");
        assertEquals(1, p.nextNodeIn(Mempolicy.MAX_NUMNODES - 1), "a fresh round robin starts at the first node");
        int[] want = {1, 3, 4, 1, 3, 4, 1};
        for (int ilx = 0; ilx < want.length; ilx++) {
            assertEquals(want[ilx], MempolicyAlloc.interleaveNid(p, ilx), "ilx " + ilx);
        }
    }
}
