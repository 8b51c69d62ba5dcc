package io.simproc.sysctl;

import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * net.core.somaxconn (net/core/sysctl_net_core.c): SOMAXCONN by default, proc_dointvec_minmax with a lower bound of
 * 0 and none above; a refused write leaves the value alone.
 */
class NetCoreSysctlTest {
    private static final String SOMAXCONN = "/sys/net/core/somaxconn";

    @Test
    void somaxconnReadsTheKernelsDefault() {
        assertEquals("4096\n", read(ProcTestSupport.shared(), SOMAXCONN));
        assertEquals(0644, ProcTestSupport.file(ProcTestSupport.shared(), SOMAXCONN).mode());
    }

    @Test
    void somaxconnTakesAnyIntFromZeroAndRefusesTheRest() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(5, write(fs, SOMAXCONN, "1024\n", 0));
        assertEquals("1024\n", read(fs, SOMAXCONN));
        assertEquals(2, write(fs, SOMAXCONN, "0\n", 0));
        assertEquals("0\n", read(fs, SOMAXCONN));
        assertEquals(11, write(fs, SOMAXCONN, "2147483647\n", 0));
        assertEquals("2147483647\n", read(fs, SOMAXCONN));
        assertEquals(-Errno.EINVAL, write(fs, SOMAXCONN, "-1\n", 0), "below extra1");
        assertEquals(-Errno.EINVAL, write(fs, SOMAXCONN, "2147483648\n", 0), "not an int");
        assertEquals(-Errno.EINVAL, write(fs, SOMAXCONN, "many\n", 0));
        assertEquals("2147483647\n", read(fs, SOMAXCONN), "refused writes changed nothing");
        assertEquals(Integer.MAX_VALUE, fs.kernel().initNet().somaxconn());
    }

    @Test
    void anOrdinaryUserMayNotWriteIt() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(-Errno.EACCES, ProcFs.permission(ProcTestSupport.file(fs, SOMAXCONN), ProcTestSupport.USER,
                ProcFs.MAY_WRITE));
        assertEquals("4096\n", new String(fs.render(ProcTestSupport.file(fs, SOMAXCONN), ProcTestSupport.USER),
                StandardCharsets.US_ASCII));
    }
}
