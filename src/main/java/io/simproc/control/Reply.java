package io.simproc.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * The daemon's side of one response (the protocol is in docs/SCENARIOS.md, "Control protocol"): lines tagged
 * {@code out} (for the client's stdout), {@code err} (stderr), {@code progress DONE TOTAL} (milliseconds of
 * simulated time), ended by {@code ok} or {@code fail STATUS MESSAGE}.
 */
public final class Reply {
    private final Writer w;
    private boolean ended;

    Reply(Writer w) {
        this.w = w;
    }

    public void out(String line) {
        send("out " + line);
    }

    public void err(String line) {
        send("err " + line);
    }

    public void progress(long doneMillis, long totalMillis) {
        send("progress " + doneMillis + " " + totalMillis);
    }

    void ok() {
        send("ok");
        ended = true;
    }

    void fail(int status, String message) {
        send("fail " + status + " " + message.replace('\n', ' '));
        ended = true;
    }

    boolean ended() {
        return ended;
    }

    private void send(String line) {
        try {
            w.write(line);
            w.write('\n');
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
