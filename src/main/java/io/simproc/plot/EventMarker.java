package io.simproc.plot;

import org.jfree.chart.plot.ValueMarker;

/** A vertical line at the scenario time of an event (OOM kill, compaction run, drop_caches), of one kind. */
final class EventMarker extends ValueMarker {
    private final String kind;

    EventMarker(double seconds, String kind) {
        super(seconds);
        this.kind = kind;
    }

    String kind() {
        return kind;
    }
}
