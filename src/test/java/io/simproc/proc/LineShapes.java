package io.simproc.proc;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.simproc.proc.ProcTestSupport.quote;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Line "shapes": a line with its numbers abstracted away and everything that makes the layout kept (labels, runs
 * of spaces, columns, trailing spaces), so that a rendered file can be compared with a real 6.18 sample taken on a
 * machine with other numbers. Two flavours, matching the two ways seq_file prints numbers:
 * <ul>
 *   <li>{@link #digits}: left-aligned {@code %lu} (zoneinfo, vmstat, stat): each run of digits becomes {@code #},
 *       spaces stay as they are;</li>
 *   <li>{@link #rightAligned}: right-aligned {@code %8lu}, {@code %6lu}, {@code %12lu} (meminfo, buddyinfo,
 *       pagetypeinfo): each run of spaces followed by digits becomes {@code <n>} with n the length of padding plus
 *       number, so equal shapes mean every number ends in the same column as in the sample.</li>
 * </ul>
 */
final class LineShapes {
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern PADDED_NUMBER = Pattern.compile(" *[0-9]+");

    private LineShapes() {
    }

    /** Every run of digits becomes '#'; everything else, spaces included, is kept. */
    static String digits(String line) {
        return DIGITS.matcher(line).replaceAll("#");
    }

    /** Every run of spaces-then-digits becomes {@code <n>}, n its length (where the right-aligned number ends). */
    static String rightAligned(String line) {
        Matcher m = PADDED_NUMBER.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, "<" + (m.end() - m.start()) + ">");
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Asserts that {@code actual} has as many lines as {@code sample} and that line i of both has the same shape;
     * on failure names the first differing line with both texts and both shapes.
     */
    static void assertSameShapes(String what, List<String> sample, List<String> actual, UnaryOperator<String> shape) {
        int n = Math.min(sample.size(), actual.size());
        for (int i = 0; i < n; i++) {
            String s = shape.apply(sample.get(i));
            String a = shape.apply(actual.get(i));
            if (!s.equals(a)) {
                fail(what + ": line " + (i + 1) + " has another shape than in the 6.18 sample\n"
                        + "  sample: " + quote(sample.get(i)) + "\n"
                        + "  ours:   " + quote(actual.get(i)) + "\n"
                        + "  sample shape: " + quote(s) + "\n"
                        + "  our shape:    " + quote(a));
            }
        }
        if (sample.size() != actual.size()) {
            String first = sample.size() > n ? "first missing sample line: " + quote(sample.get(n))
                    : "first extra line: " + quote(actual.get(n));
            fail(what + ": " + actual.size() + " lines where the 6.18 sample has " + sample.size() + "; " + first);
        }
    }

    /** Asserts that every line matches {@code regex}, naming the first that does not. */
    static void assertAllMatch(String what, List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        for (int i = 0; i < lines.size(); i++) {
            if (!p.matcher(lines.get(i)).matches()) {
                fail(what + ": line " + (i + 1) + " " + quote(lines.get(i)) + " does not match " + regex);
            }
        }
    }
}
