package io.simproc.workload;

import io.simproc.config.ConfigException;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated /etc/passwd and /etc/group: Debian's base accounts and the profile's users. */
class UsersTest {
    @Test
    void defaultMachineNamesEveryUidItsProcessesRunAs() {
        Users users = Users.of(MachineProfileLoader.loadDefault());
        List<String> passwd = users.passwd().lines().toList();
        assertEquals("root:x:0:0:root:/root:/bin/bash", passwd.get(0));
        assertTrue(passwd.contains("www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin"));
        assertTrue(passwd.contains("messagebus:x:101:101::/nonexistent:/usr/sbin/nologin"));
        assertTrue(passwd.contains("postgres:x:106:106::/nonexistent:/usr/sbin/nologin"));
        assertTrue(passwd.contains("admin:x:1000:1000:admin:/home/admin:/bin/bash"));
        assertTrue(passwd.contains("orders:x:1001:1001:orders:/home/orders:/bin/bash"));
        assertTrue(users.group().contains("\npostgres:x:106:\n"));
        assertTrue(users.group().contains("\nwww-data:x:33:\n"));
        Set<Integer> named = new HashSet<>();
        users.accounts().forEach(a -> named.add(a.uid()));
        Kernel k = Machines.boot(MachineProfileLoader.loadDefault(), 1);
        for (Task t : k.read(x -> x.tasks().all())) {
            assertTrue(named.contains(t.uid()), t.comm() + " runs as uid " + t.uid() + ", which has no account");
        }
    }

    @Test
    void conflictingOrIncompleteUsersAreErrorsAtTheirLine() {
        String base = "memory: 1G\nprocesses:\n  - program: systemd\n";
        ConfigException clash = assertThrows(ConfigException.class, () -> Users.of(MachineProfileLoader.parse("m.yaml",
                base + "  - {program: postgres, uid: 33, user: postgres}\n")));
        assertTrue(clash.getMessage().contains("m.yaml:4") && clash.getMessage().contains("www-data"),
                clash.getMessage());
        ConfigException noUid = assertThrows(ConfigException.class, () -> Machines.population(
                MachineProfileLoader.parse("m.yaml", base + "  - {program: postgres, user: postgres}\n"),
                ProgramCatalog.embedded()));
        assertTrue(noUid.getMessage().contains("give the uid too"), noUid.getMessage());
        ConfigException badName = assertThrows(ConfigException.class, () -> Machines.population(
                MachineProfileLoader.parse("m.yaml", base + "  - {program: postgres, uid: 5000, user: Post Gres}\n"),
                ProgramCatalog.embedded()));
        assertTrue(badName.getMessage().contains("login name"), badName.getMessage());
    }
}
