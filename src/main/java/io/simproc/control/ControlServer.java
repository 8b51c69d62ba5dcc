package io.simproc.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The daemon's control socket: a UNIX domain socket in a directory only the mounting user can enter
 * ({@link ControlSocket}). Each connection carries one request line — the request's word and its arguments,
 * separated by tabs — and gets the reply lines of {@link Reply}. Connections are served each on its own thread, so
 * a long {@code advance} does not block a {@code status}.
 */
public final class ControlServer implements AutoCloseable {
    private final Daemon daemon;
    private final ControlRequests requests;
    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile boolean open = true;

    private ControlServer(Daemon daemon, ControlRequests requests, Path path, ServerSocketChannel server) {
        this.daemon = daemon;
        this.requests = requests;
        this.path = path;
        this.server = server;
        this.acceptor = new Thread(this::accept, "simproc-control");
        this.acceptor.setDaemon(true);
    }

    /**
     * Listen for the mount at {@code mountPoint}. A socket left by a daemon that died is replaced; one another
     * daemon still answers on is an error.
     */
    public static ControlServer start(Daemon daemon, ControlRequests requests, Path mountPoint) throws IOException {
        Path path = ControlSocket.of(mountPoint);
        ControlSocket.prepareDirectory(path.getParent());
        if (Files.exists(path)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException("another simproc daemon already listens on " + path);
            } catch (IOException dead) {
                if (dead.getMessage() != null && dead.getMessage().startsWith("another simproc daemon")) {
                    throw dead;
                }
                Files.delete(path);
            }
        }
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        ControlServer cs = new ControlServer(daemon, requests, path, s);
        cs.acceptor.start();
        return cs;
    }

    public Path path() {
        return path;
    }

    private void accept() {
        while (open) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "simproc-control-request");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                StandardCharsets.UTF_8)); Writer out = new OutputStreamWriter(Channels.newOutputStream(c),
                StandardCharsets.UTF_8)) {
            String line = in.readLine();
            Reply reply = new Reply(out);
            if (line == null || line.isEmpty()) {
                reply.fail(ControlException.USAGE, "empty request");
                return;
            }
            List<String> words = new ArrayList<>(Arrays.asList(line.split("\t", -1)));
            String name = words.remove(0);
            try {
                requests.handle(daemon, name, words, reply);
                if (!reply.ended()) {
                    reply.ok();
                }
            } catch (ControlException e) {
                reply.fail(e.status(), e.getMessage());
            } catch (RuntimeException e) {
                reply.fail(ControlException.FAILED, name + ": internal error (a simproc bug): " + e);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // the client went away; nothing to answer
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the socket file stays; the next daemon replaces it
        }
    }
}
