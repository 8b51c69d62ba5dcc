package io.simproc.scenario;

import io.simproc.config.ConfigException;
import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Task;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cgroup steps (cgroup_mkdir, cgroup_rmdir, cgroup_write, cgroup_move, spawn's cgroup) and their errors. */
class CgroupStepsTest {
    private static Cgroup cgroup(ScenarioFixture f, String path) {
        return f.kernel.read(k -> k.cgroups().lookup(path));
    }

    @Test
    void aScenarioMakesCgroupsSpawnsIntoThemMovesAndRemoves() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    cgroup_mkdir: /demo.slice
                  - cgroup_mkdir: {path: /demo.slice/app}
                  - cgroup_write: {path: /demo.slice, cgroup.max.descendants: 1, cgroup.max.depth: max}
                  - cgroup_mkdir: /demo.slice/other
                    fails: EAGAIN
                  - spawn: {name: app, program: sleep, cgroup: /demo.slice/app}
                  - spawn: {name: sys, program: sleep}
                  - at: 2s
                    cgroup_rmdir: /demo.slice/app
                    fails: EBUSY
                  - cgroup_move: {process: app, path: /demo.slice}
                  - cgroup_rmdir: /demo.slice/app
                  - cgroup_move: {pid: 2, path: /demo.slice}
                    fails: EINVAL
                  - at: 3s
                    cgroup_move: {process: app, path: /}
                  - cgroup_rmdir: /demo.slice
                """);
        f.until(1500);
        Task app = f.run.process("app");
        assertEquals("/demo.slice/app", app.cgroup().path(), "moved before its exec, as cgexec");
        assertEquals("/system.slice/sleep.service", f.run.process("sys").cgroup().path(), "where systemd puts it");
        assertEquals(1, cgroup(f, "/demo.slice").maxDescendants());
        assertEquals("0::/demo.slice/app\n", f.read("/" + app.pid() + "/cgroup"));
        f.until(2500);
        assertSame(cgroup(f, "/demo.slice"), app.cgroup());
        assertNull(cgroup(f, "/demo.slice/app"));
        f.until(3500);
        assertNull(cgroup(f, "/demo.slice"), f.outcomes().stream().map(Outcome::line).toList().toString());
        assertEquals(List.of(), f.problems(), "kthreadd may not move (EINVAL), the failures expected happened");
        assertEquals(3, f.outcomes().size());
    }

    @Test
    void onAV1MachineTheStepsNameGroupsOfTheMemoryHierarchyEitherWay() {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(
                ScenarioFixture.SMALL_MACHINE.replace("  memory: 1G\n", "  memory: 1G\n  cgroup: v1\n") + """
                timeline:
                  - at: 1s
                    cgroup_mkdir: /sys/fs/cgroup/memory/demo
                  - cgroup_mkdir: /sys/fs/cgroup/cpu/demo
                    fails: ENOENT
                  - cgroup_mkdir: /sys/fs/cgroup/cpu
                    fails: EROFS
                  - spawn: {name: lost, program: sleep, cgroup: /sys/fs/cgroup/cpu}
                    fails: ENOENT
                  - cgroup_write: {path: /demo, memory.limit_in_bytes: 64M}
                  - cgroup_write: {path: /sys/fs/cgroup/memory/demo, memory.memsw.limit_in_bytes: 32M}
                    fails: EINVAL
                  - spawn: {name: app, program: sleep, cgroup: /sys/fs/cgroup/memory/demo}
                  - spawn: {name: other, program: sleep, cgroup: /demo}
                  - cgroup_move: {process: other, path: /sys/fs/cgroup/memory}
                  - at: 2s
                    expect:
                      - cgroup("/demo").memory.limit_in_bytes == 64M
                      - cgroup("/sys/fs/cgroup/memory/demo").memory.limit_in_bytes == 64M
                      - cgroup("/demo").memory.oom_control.oom_kill == 0
                """), 1);
        f.until(2500);
        assertEquals(List.of(), f.problems());
        Task app = f.run.process("app");
        assertEquals("1:memory:/demo\n", f.read("/" + app.pid() + "/cgroup"));
        assertEquals("1:memory:/\n", f.read("/" + f.run.process("other").pid() + "/cgroup"));
    }

    @Test
    void spawnIntoACgroupThatEnablesControllersOrDoesNotExistFails() {
        ScenarioFixture f = ScenarioFixture.small("""
                timeline:
                  - at: 1s
                    spawn: {name: lost, program: sleep, cgroup: /nowhere}
                    fails: ENOENT
                  - cgroup_write: {path: /, cgroup.subtree_control: "+nosuch"}
                    fails: EINVAL
                  - cgroup_write: {path: /, no.such.file: 1}
                    fails: ENOENT
                """);
        f.until(1500);
        assertEquals(List.of(), f.problems());
        assertEquals(3, f.outcomes().size());
    }

    @Test
    void badCgroupStepsAreErrorsOfTheFileWithItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> ScenarioFixture.parse("""
                timeline:
                  - cgroup_mkdir: demo.slice
                """));
        assertTrue(e.getMessage().contains("t.yaml:2:") && e.getMessage().contains("absolute"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ScenarioFixture.parse("""
                timeline:
                  - cgroup_write: {path: /a, max: 1}
                """));
        assertTrue(e.getMessage().contains("t.yaml:2:") && e.getMessage().contains("not a cgroup file"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> ScenarioFixture.parse("""
                timeline:
                  - cgroup_move: {process: ghost, path: /a}
                """));
        assertTrue(e.getMessage().contains("unknown process 'ghost'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ScenarioFixture.parse("""
                timeline:
                  - cgroup_rmdir: /a/../b
                """));
        assertTrue(e.getMessage().contains("t.yaml:2:"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ScenarioFixture.parse("""
                timeline:
                  - spawn: {name: x, program: sleep, cgroup: relative}
                """));
        assertTrue(e.getMessage().contains("absolute"), e.getMessage());
    }
}
