package io.simproc.proc;

import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.simproc.proc.ProcTestSupport.USER;
import static io.simproc.proc.ProcTestSupport.file;
import static io.simproc.proc.ProcTestSupport.lines;
import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /proc/pressure/{cpu,io,memory}: the 6.18 format, the modes, and psi_write()'s answers. */
class PressureTest {
    private static final String LINE =
            "(some|full) avg10=\\d+\\.\\d\\d avg60=\\d+\\.\\d\\d avg300=\\d+\\.\\d\\d total=\\d+";

    @Test
    void everyFileHasTheSamplesShape() {
        for (String res : List.of("cpu", "io", "memory")) {
            List<String> ours = lines(res, read(shared(), "/pressure/" + res));
            List<String> theirs = lines(res, sample("pressure/" + res));
            assertEquals(theirs.size(), ours.size(), res);
            for (int i = 0; i < ours.size(); i++) {
                assertTrue(theirs.get(i).matches(LINE), "sample " + theirs.get(i));
                assertTrue(ours.get(i).matches(LINE), "ours " + ours.get(i));
                assertEquals(theirs.get(i).substring(0, 5), ours.get(i).substring(0, 5));
            }
        }
        assertEquals("full avg10=0.00 avg60=0.00 avg300=0.00 total=0",
                lines("cpu", read(shared(), "/pressure/cpu")).get(1), "cpu full is undefined system-wide");
    }

    @Test
    void theDirectoryAndFilesHaveTheKernelsModes() {
        ProcEntry dir = shared().lookup("/pressure", Credentials.ROOT);
        assertEquals(0555, dir.mode());
        for (String res : List.of("cpu", "io", "memory")) {
            assertEquals(0666, file(shared(), "/pressure/" + res).mode());
        }
    }

    private static int write(String text, Credentials who) {
        ProcFs fs = shared();
        return fs.write(file(fs, "/pressure/memory"), who, text.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    @Test
    void aValidTriggerIsAcceptedWhole() {
        assertEquals(20, write("some 150000 1000000\n", Credentials.ROOT));
        assertEquals(21, write("full 500000 10000000\n", Credentials.ROOT));
        assertEquals(18, write("some\t1 500000\nxyz\n", Credentials.ROOT), "what follows the numbers is ignored");
    }

    @Test
    void badTriggersGetTheKernelsErrno() {
        assertEquals(-Errno.EINVAL, write("", Credentials.ROOT), "empty");
        assertEquals(-Errno.EINVAL, write("bogus 1 1000000\n", Credentials.ROOT), "neither some nor full");
        assertEquals(-Errno.EINVAL, write("some 0 1000000\n", Credentials.ROOT), "zero threshold");
        assertEquals(-Errno.EINVAL, write("some 2000000 1000000\n", Credentials.ROOT), "threshold past window");
        assertEquals(-Errno.EINVAL, write("some 1000 400000\n", Credentials.ROOT), "window below 500 ms");
        assertEquals(-Errno.EINVAL, write("some 1000 10000001\n", Credentials.ROOT), "window above 10 s");
        assertEquals(-Errno.EINVAL, write("some -1 1000000\n", Credentials.ROOT), "no sign for %u");
        assertEquals(-Errno.EINVAL, write("some 150000\n", Credentials.ROOT), "one number");
        // the last byte of the write is replaced by the terminator: without a newline the window loses a digit
        assertEquals(-Errno.EINVAL, write("some 150000 1000000", Credentials.ROOT), "1000000 read as 100000");
        assertEquals(-Errno.EPERM, write("some 150000 1000000\n", USER), "no CAP_SYS_RESOURCE");
    }

    @Test
    void aWriteLongerThanTheBufferIsCutTo31Bytes() {
        String padded = "some 150000 1000000" + " ".repeat(20) + "\n";
        assertEquals(padded.length(), write(padded, Credentials.ROOT));
        assertEquals(-Errno.EINVAL, write("some        150000       1000000\n", Credentials.ROOT),
                "cut to 31 bytes, the window is 100000");
    }
}
