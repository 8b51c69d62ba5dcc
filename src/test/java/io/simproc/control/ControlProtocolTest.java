package io.simproc.control;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.InOrder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.same;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

/**
 * The control protocol (docs/SCENARIOS.md, "Control protocol"), each side against a test double of its peer: the
 * daemon's {@link ControlServer} with a Mockito request and daemon, so that only the server's framing is under test;
 * the {@link ControlClient} with a Mockito listener and, where the daemon misbehaves, a scripted daemon on the socket.
 */
class ControlProtocolTest {
    @TempDir
    Path mnt;

    private final Daemon daemon = mock(Daemon.class);
    private final ControlRequest probe = mock(ControlRequest.class);
    private final ControlClient.Listener listener = mock(ControlClient.Listener.class);

    @BeforeEach
    void name() {
        when(probe.name()).thenReturn("probe");
        when(probe.usage()).thenReturn("ARG");
    }

    private ControlServer serve() throws IOException {
        return ControlServer.start(daemon, ControlRequests.of(probe), mnt);
    }

    private int send(String request, String... args) {
        return ControlClient.send(mnt, request, List.of(args), listener);
    }

    @Test
    void replyLinesReachTheListenerInOrderAndTheServerEndsTheRequestWithOk() throws IOException {
        doAnswer(call -> {
            Reply r = call.getArgument(2);
            r.progress(500, 1000);
            r.out("first");
            r.err("warning: second");
            r.out("");
            return null;
        }).when(probe).handle(any(), anyList(), any());
        try (ControlServer s = serve()) {
            assertEquals(0, send("probe"));
        }
        InOrder order = inOrder(listener);
        order.verify(listener).progress(500, 1000);
        order.verify(listener).out("first");
        order.verify(listener).err("warning: second");
        order.verify(listener).out("");
        verifyNoMoreInteractions(listener);
    }

    @Test
    void theRequestGetsTheDaemonAndItsArgumentsVerbatim() throws IOException {
        try (ControlServer s = serve()) {
            assertEquals(0, send("probe", "two words", "", "Ünïcode 5s"));
        }
        verify(probe).handle(same(daemon), eq(List.of("two words", "", "Ünïcode 5s")), any(Reply.class));
        verifyNoInteractions(daemon, listener);
    }

    @Test
    void aControlExceptionIsAFailWithItsStatusAndAMessageOnOneLine() throws IOException {
        doThrow(new ControlException(ControlException.FAILED, "probe: first line\nsecond line"))
                .doThrow(ControlException.usage("usage: ctl DIR probe ARG"))
                .when(probe).handle(any(), anyList(), any());
        try (ControlServer s = serve()) {
            ControlException failed = assertThrows(ControlException.class, () -> send("probe"));
            assertEquals(ControlException.FAILED, failed.status());
            assertEquals("probe: first line second line", failed.getMessage());
            ControlException usage = assertThrows(ControlException.class, () -> send("probe"));
            assertEquals(ControlException.USAGE, usage.status());
            assertEquals("usage: ctl DIR probe ARG", usage.getMessage());
        }
    }

    @Test
    void aBugInARequestIsAnInternalErrorAndTheDaemonKeepsServing() throws IOException {
        doThrow(new IllegalStateException("boom")).doNothing().when(probe).handle(any(), anyList(), any());
        try (ControlServer s = serve()) {
            ControlException e = assertThrows(ControlException.class, () -> send("probe"));
            assertEquals(ControlException.FAILED, e.status());
            assertEquals("probe: internal error (a simproc bug): java.lang.IllegalStateException: boom",
                    e.getMessage());
            assertEquals(0, send("probe"));
        }
    }

    @Test
    void anUnknownRequestNamesTheKnownOnes() throws IOException {
        try (ControlServer s = serve()) {
            ControlException e = assertThrows(ControlException.class, () -> send("frob"));
            assertEquals(ControlException.USAGE, e.status());
            assertEquals("unknown request 'frob' (requests: probe)", e.getMessage());
        }
        verify(probe, never()).handle(any(), anyList(), any());
    }

    /** A tab would split an argument in two on the wire: the client refuses it before the daemon sees a request. */
    @Test
    void anArgumentWithATabOrNewlineIsRefusedByTheClient() throws IOException {
        try (ControlServer s = serve()) {
            for (String bad : List.of("a\tb", "a\nb")) {
                ControlException e = assertThrows(ControlException.class, () -> send("probe", bad));
                assertEquals(ControlException.USAGE, e.status());
                assertEquals("arguments cannot contain tabs or newlines", e.getMessage());
            }
        }
        verify(probe, never()).handle(any(), anyList(), any());
    }

    /**
     * A daemon that answers with lines the client does not know, then hangs up without ok or fail: the known lines
     * reach the listener, the others are skipped, and the request fails saying so.
     */
    @Test
    void aDaemonThatHangsUpWithoutAnAnswerFailsTheRequest() throws Exception {
        Path socket = ControlSocket.of(mnt);
        ControlSocket.prepareDirectory(socket.getParent());
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = fake.accept()) {
                    String request = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                            StandardCharsets.UTF_8)).readLine();
                    c.write(ByteBuffer.wrap("out a\nhello from the future\nprogress 1 2\n"
                            .getBytes(StandardCharsets.UTF_8)));
                    return request;
                } catch (IOException e) {
                    return e.toString();
                }
            });
            ControlException e = assertThrows(ControlException.class, () -> send("probe", "x", "y z"));
            assertEquals("the daemon serving " + mnt + " closed the connection without an answer", e.getMessage());
            assertEquals("probe\tx\ty z", received.get(10, TimeUnit.SECONDS));
        } finally {
            Files.deleteIfExists(socket);
        }
        verify(listener).out("a");
        verify(listener).progress(1, 2);
        verifyNoMoreInteractions(listener);
    }

    @Test
    void aSecondDaemonForTheSameMountIsRefusedAndASocketLeftByADeadOneIsReplaced() throws IOException {
        try (ControlServer s = serve()) {
            IOException e = assertThrows(IOException.class, this::serve);
            assertEquals("another simproc daemon already listens on " + s.path(), e.getMessage());
        }
        Path socket = ControlSocket.of(mnt);
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "a daemon killed with SIGKILL leaves its socket file");
        try (ControlServer s = serve()) {
            assertEquals(0, send("probe"));
        }
    }
}
