package io.simproc.sysctl;

import io.simproc.uapi.Errno;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the sysctl number parser against a simple model: a number written in any base the kernel detects,
 * with any leading whitespace and a whitespace or second-number tail, reads back as itself when it fits a C int and
 * is EINVAL otherwise; what a read prints parses back to the same vector; and arbitrary input never throws and
 * always returns -EINVAL or a count within the write. jqwik prints the seed of a failing case.
 */
class ProcDoIntVecPropertyTest {
    private static final int EINVAL = -Errno.EINVAL;

    private record Parsed(ProcDoIntVec.Result result, List<Long> values) {
    }

    private static Parsed parse(String input, int length) {
        List<Long> values = new ArrayList<>();
        ProcDoIntVec.Result r = ProcDoIntVec.write(input.getBytes(StandardCharsets.ISO_8859_1), 0, length, false,
                (i, magnitude, negative) -> {
                    Integer v = ProcDoIntVec.toInt(magnitude, negative);
                    if (v == null) {
                        return EINVAL;
                    }
                    values.add((long) v);
                    return 0;
                });
        return new Parsed(r, values);
    }

    @Provide
    Arbitrary<Long> values() {
        return Arbitraries.oneOf(Arbitraries.longs().between(-(1L << 40), 1L << 40),
                Arbitraries.longs().between(Integer.MIN_VALUE - 2L, Integer.MIN_VALUE + 2L),
                Arbitraries.longs().between(Integer.MAX_VALUE - 2L, Integer.MAX_VALUE + 2L));
    }

    @Property(tries = 500)
    void aNumberInAnyBaseReadsBackWhenItFitsAnInt(@ForAll("values") long v, @ForAll @IntRange(max = 2) int base,
                                                  @ForAll("whitespace") String lead, @ForAll("tails") String tail) {
        String magnitude = switch (base) {
            case 0 -> Long.toString(Math.abs(v));
            case 1 -> "0x" + Long.toHexString(Math.abs(v));
            default -> "0" + Long.toOctalString(Math.abs(v));
        };
        String input = lead + (v < 0 ? "-" : "") + magnitude + tail;
        Parsed p = parse(input, 1);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            assertEquals(EINVAL, p.result().returned(), input);
            assertEquals(List.of(), p.values());
        } else {
            int unread = tail.startsWith(" 7") ? tail.length() - 1 : 0;
            assertEquals(input.length() - unread, p.result().returned(), input);
            assertEquals(List.of(v), p.values(), input);
        }
    }

    @Provide
    Arbitrary<String> whitespace() {
        return Arbitraries.strings().withChars(' ', '\t', '\n').ofMaxLength(4);
    }

    @Provide
    Arbitrary<String> tails() {
        return Arbitraries.of("", "\n", " \n", "\t", "  ", " 70\n", " 7");
    }

    @Property(tries = 300)
    void whatAReadPrintsParsesBackToTheSameVector(@ForAll @Size(min = 1, max = 5) List<Integer> vector) {
        long[] values = vector.stream().mapToLong(Integer::longValue).toArray();
        String text = new String(ProcDoIntVec.format(values), StandardCharsets.US_ASCII);
        Parsed p = parse(text, values.length);
        assertEquals(text.length(), p.result().returned());
        assertEquals(vector.stream().map(Integer::longValue).toList(), p.values());
    }

    @Property(tries = 1000)
    void anyInputGivesEinvalOrACountWithinTheWrite(@ForAll("junk") String input,
                                                  @ForAll @IntRange(min = 1, max = 5) int length) {
        Parsed p = parse(input, length);
        int r = p.result().returned();
        assertTrue(r == EINVAL || (r >= 0 && r <= input.length()), "returned " + r + " for '" + input + "'");
        assertTrue(p.values().size() <= length);
        if (r > 0) {
            assertTrue(p.values().size() >= 1, "a successful non-empty write stores at least one entry");
        }
        assertEquals(p.values().size(), p.result().valuesAccepted());
    }

    @Provide
    Arbitrary<String> junk() {
        return Arbitraries.strings().withChars("0123456789xX- \t\nab\r").ofMaxLength(30);
    }
}
