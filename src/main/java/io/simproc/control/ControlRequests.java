package io.simproc.control;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests a daemon answers, by word. A new request is one {@link ControlRequest} class added in
 * {@link #standard()}, and a line in docs/SCENARIOS.md, "Live control".
 */
public final class ControlRequests {
    private final Map<String, ControlRequest> requests;

    private ControlRequests(Map<String, ControlRequest> requests) {
        this.requests = Collections.unmodifiableMap(requests);
    }

    /** Every request simproc has. */
    public static ControlRequests standard() {
        return of(new StatusRequest(), new ApplyRequest(), new AdvanceRequest(), new PacingRequest("pause"),
                new PacingRequest("resume"), new PacingRequest("speed"), new SpawnRequest(), new KillRequest(),
                new DmesgRequest(), new SaveRequest(), new RecordRequest(),
                new PageblocksRequest(), new CgroupRequest());
    }

    /** A registry of these requests. */
    public static ControlRequests of(ControlRequest... list) {
        Map<String, ControlRequest> m = new LinkedHashMap<>();
        for (ControlRequest r : list) {
            m.put(r.name(), r);
        }
        return new ControlRequests(m);
    }

    /** The same requests and {@code more} (a command of another package adds its own). */
    public ControlRequests with(ControlRequest... more) {
        Map<String, ControlRequest> m = new LinkedHashMap<>(requests);
        for (ControlRequest r : more) {
            m.put(r.name(), r);
        }
        return new ControlRequests(m);
    }

    /** The request words, in order. */
    public List<String> names() {
        return List.copyOf(requests.keySet());
    }

    void handle(Daemon daemon, String name, List<String> args, Reply reply) {
        ControlRequest r = requests.get(name);
        if (r == null) {
            throw ControlException.usage("unknown request '" + name + "' (requests: " + String.join(", ",
                    requests.keySet()) + ")");
        }
        r.handle(daemon, args, reply);
    }

    /** The arguments must number between min and max, else a usage error naming the request's usage. */
    static void arity(ControlRequest r, List<String> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw ControlException.usage("usage: ctl DIR " + r.name() + (r.usage().isEmpty() ? "" : " " + r.usage()));
        }
    }
}
