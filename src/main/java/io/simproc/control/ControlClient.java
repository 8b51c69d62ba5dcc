package io.simproc.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The client side of the control protocol: send one request, hand each reply line to a listener. */
public final class ControlClient {
    /** What the client does with the reply lines. */
    public interface Listener {
        void out(String line);

        void err(String line);

        void progress(long doneMillis, long totalMillis);
    }

    private ControlClient() {
    }

    /**
     * Send {@code request} with {@code args} to the daemon serving {@code mountPoint}; returns 0 on {@code ok}, or
     * throws ControlException with the daemon's status and message.
     */
    public static int send(Path mountPoint, String request, List<String> args, Listener listener) {
        Path path = ControlSocket.of(mountPoint);
        if (!Files.exists(path)) {
            throw new ControlException(ControlException.FAILED, "no simproc daemon serves " + mountPoint + " (no"
                    + " control socket " + path + "); mount one with mount-scripts/simproc-up " + mountPoint);
        }
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path));
             Writer w = new OutputStreamWriter(Channels.newOutputStream(c), StandardCharsets.UTF_8);
             BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                     StandardCharsets.UTF_8))) {
            StringBuilder line = new StringBuilder(request);
            for (String a : args) {
                if (a.contains("\t") || a.contains("\n")) {
                    throw ControlException.usage("arguments cannot contain tabs or newlines");
                }
                line.append('\t').append(a);
            }
            w.write(line.append('\n').toString());
            w.flush();
            for (String r; (r = in.readLine()) != null; ) {
                if (r.equals("ok")) {
                    return 0;
                } else if (r.startsWith("fail ")) {
                    String[] f = r.split(" ", 3);
                    throw new ControlException(Integer.parseInt(f[1]), f.length > 2 ? f[2] : "failed");
                } else if (r.startsWith("out ")) {
                    listener.out(r.substring(4));
                } else if (r.startsWith("err ")) {
                    listener.err(r.substring(4));
                } else if (r.startsWith("progress ")) {
                    String[] f = r.split(" ");
                    listener.progress(Long.parseLong(f[1]), Long.parseLong(f[2]));
                }
            }
            throw new ControlException(ControlException.FAILED, "the daemon serving " + mountPoint
                    + " closed the connection without an answer");
        } catch (IOException e) {
            throw new ControlException(ControlException.FAILED, "no simproc daemon answers for " + mountPoint
                    + " on " + path + " (" + e.getMessage() + "); it may have died: mount-scripts/simproc-down "
                    + mountPoint + ", then simproc-up");
        }
    }
}
