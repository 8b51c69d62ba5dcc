package io.simproc.record;

import java.io.IOException;
import java.io.Writer;

/**
 * A recording as CSV (RFC 4180): a header {@code time_s} then one column per series, {@code NAME (UNIT)}; one row
 * per sample, the scenario time in seconds with three decimals and each value exact (docs/RECORDING.md). A series
 * without a value at a sample (a process not yet started, the first sample of a rate) has an empty cell; the value
 * "max" of a cgroup limit is {@code +Inf}.
 */
final class CsvWriter {
    private CsvWriter() {
    }

    static void write(Recording r, Writer out) throws IOException {
        StringBuilder b = new StringBuilder("time_s");
        for (Recording.Series s : r.series()) {
            b.append(',').append(quote(s.name() + " (" + s.unit() + ")"));
        }
        out.write(b.append('\n').toString());
        for (int i = 0; i < r.samples(); i++) {
            b.setLength(0);
            b.append(Numbers.seconds(r.millis(i)));
            for (int s = 0; s < r.series().size(); s++) {
                double v = r.value(s, i);
                b.append(',');
                if (!Double.isNaN(v)) {
                    b.append(Numbers.format(v, 0));
                }
            }
            out.write(b.append('\n').toString());
        }
    }

    private static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
