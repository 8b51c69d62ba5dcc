package io.simproc.record;

import io.simproc.scenario.SeriesExpr;

/**
 * One series to record: its name (the expression as written, {@code rate(...)} included), the expression it reads,
 * whether it is the per-second change of that expression between samples, and how it is shown — its unit (null:
 * taken from the first reading, "bytes" for a size, else "number") and the group of its chart panel.
 */
record SeriesDef(String name, SeriesExpr expr, boolean rate, String unit, String group) {
    /** The unit once a reading of the expression says whether it is a size. */
    String unitFor(boolean bytes) {
        String base = unit != null ? unit : bytes ? "bytes" : "number";
        return rate ? base + "/s" : base;
    }
}
