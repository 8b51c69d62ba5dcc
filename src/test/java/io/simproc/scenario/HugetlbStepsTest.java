package io.simproc.scenario;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The mmap step's hugetlb form and the munmap step: a hugetlb mapping (on a 2-node machine, under an interleave
 * policy) takes the pool's folios, a pool too small makes the mmap fail with ENOMEM (reported like any refused
 * syscall), munmap gives the folios back; munmap refuses a malloc region.
 */
class HugetlbStepsTest {
    @Test
    void aHugetlbMappingTakesThePoolsFoliosAndMunmapGivesThemBack() {
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse("""
                machine:
                  memory: 2G
                  nodes: [1G, 1G]
                  cpu: 2
                  processes:
                    - program: systemd
                      args: [/sbin/init]
                sysctl: {vm.nr_hugepages: 20}
                timeline:
                  - at: 1s
                    spawn: {name: app, program: python3.11, args: [python3, /opt/app.py]}
                  - set_mempolicy: {process: app, policy: "interleave"}
                  - mmap: {process: app, name: big, size: 41M, hugetlb: true, write: true}
                    fails: ENOMEM
                  - mmap: {process: app, name: huge, size: 15M, hugetlb: true, write: true}
                  - expect:
                      - meminfo.HugePages_Rsvd == 8
                      - PID(process=app).smaps("/anon_hugepage (deleted)").Size == 16M
                  - touch: {process: app, name: huge}
                  - expect:
                      - meminfo.HugePages_Free == 12
                      - meminfo.HugePages_Rsvd == 0
                      - PID(process=app).status.HugetlbPages == 16M
                      - PID(process=app).smaps_rollup.Private_Hugetlb == 16M
                  - munmap: {process: app, name: huge}
                  - expect:
                      - meminfo.HugePages_Free == 20
                      - PID(process=app).status.HugetlbPages == 0
                      - PID(process=app).smaps("/anon_hugepage (deleted)").Size == 0
                  - malloc: {process: app, name: heap, size: 1M}
                  - munmap: {process: app, name: heap}
                """), 1).toEnd();
        assertEquals(List.of("ERROR at 1s     t.yaml:31:5  munmap heap in app  (munmap heap in app: 'heap' was allocated with malloc; free"
                + " gives it back)"), f.problems());
        assertEquals(10, f.engine.passed());
    }
}
