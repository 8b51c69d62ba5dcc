package io.simproc.scenario;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The set_mempolicy step: a running process's later faults follow the new policy; bad policies are refused. */
class MempolicyStepTest {
    @Test
    void laterFaultsFollowTheNewPolicy() {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse("""
                machine:
                  memory: 2G
                  nodes: [1G, 1G]
                  cpu: 2
                  thp: never
                  processes:
                    - program: systemd
                      args: [/sbin/init]
                timeline:
                  - at: 1s
                    spawn: {name: app, program: python3.11, args: [python3, /opt/app.py]}
                  - set_mempolicy: {process: app, policy: "bind:1"}
                  - remember:
                      hit1: zoneinfo(node=1, zone=DMA32).numa_hit
                      anon0: zoneinfo(node=0, zone=DMA).nr_anon_pages
                  - malloc: {process: app, size: 64M, write: true}
                  - expect:
                      - zoneinfo(node=1, zone=DMA32).numa_hit - $hit1 >= 64M / 4K
                      - zoneinfo(node=0, zone=DMA).nr_anon_pages - $anon0 < 1M / 4K
                  - set_mempolicy: {process: app, policy: "interleave"}
                  - remember: {interleave: vmstat.numa_interleave}
                  - malloc: {process: app, size: 64M, write: true}
                  - expect: vmstat.numa_interleave - $interleave >= 64M / 4K
                  - set_mempolicy: {process: app, policy: "bind:2"}
                    fails: EINVAL
                """), 1).toEnd();
        assertEquals(List.of(), f.problems());
        assertEquals(4, f.engine.passed());
    }

    @Test
    void aMalformedPolicyIsAnErrorOfTheFile() {
        String e = assertThrows(io.simproc.config.ConfigException.class, () -> ScenarioFixture.parse("""
                timeline:
                  - spawn: {name: db, program: postgres}
                  - set_mempolicy: {process: db, policy: "prefer:0-1"}
                """)).getMessage();
        assertTrue(e.startsWith("t.yaml:3:42: 'prefer' takes one node"), e);
    }
}
