package io.simproc.it;

import io.simproc.control.ControlClient;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** simproc ctl against a live mount: apply, advance, pause/resume, status, spawn, kill, dmesg; errors. */
class ControlIT {
    private static Exec.Result ctl(MountedMachine m, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", MountedMachine.jar().toString(), "ctl",
                m.dir().toString()));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, 120);
    }

    private static long kB(String meminfo, String field) {
        return Long.parseLong(meminfo.lines().filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow()
                .replaceAll("\\D", ""));
    }

    private static double uptime(MountedMachine m) throws Exception {
        return Double.parseDouble(m.read("uptime").split(" ")[0]);
    }

    /** A column of vmstat's data lines: 8 is bi (KiB read from block devices per second), 10 in, 11 cs. */
    private static List<Long> column(List<String> vmstat, int index) {
        List<Long> values = new ArrayList<>();
        for (String l : vmstat) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 11 && f[0].chars().allMatch(Character::isDigit)) {
                values.add(Long.parseLong(f[index]));
            }
        }
        return values;
    }

    /** Resume from this JVM at once (a ctl command would first start a JVM). */
    private static void resumeNow(MountedMachine m) {
        ControlClient.send(m.dir(), "resume", List.of(), new ControlClient.Listener() {
            @Override
            public void out(String line) {
            }

            @Override
            public void err(String line) {
            }

            @Override
            public void progress(long doneMillis, long totalMillis) {
            }
        });
    }

    @Test
    void liveControl() throws Exception {
        Path sample = MountedMachine.basedir().resolve("samples/scenarios/fork-cow-pss.yaml");
        try (MountedMachine m = MountedMachine.start("--seed", "3", "--speed", "2")) {
            ctl(m, "pause").assertOk("ctl pause");
            Exec.Result applied = ctl(m, "apply", sample.toString()).assertOk("ctl apply");
            assertTrue(applied.out().startsWith("applied fork-cow-pss: "), applied.out());

            Process vmstat = new ProcessBuilder(MountedMachine.basedir().resolve("mount-scripts/simproc-exec")
                    .toString(), m.dir().toString(), "--", "vmstat", "1", "3").redirectErrorStream(true).start();
            List<String> lines = new ArrayList<>();
            boolean resumed = false;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(vmstat.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                    if (!resumed && column(lines, 8).size() == 1) {
                        resumeNow(m);
                        resumed = true;
                    }
                }
            }
            assertTrue(vmstat.waitFor(30, TimeUnit.SECONDS));
            List<Long> bi = column(lines, 8);
            assertEquals(3, bi.size(), String.join("\n", lines));
            assertTrue(Math.max(bi.get(1), bi.get(2)) > 1000, "the sample starts python3, whose code is read from"
                    + " disk: vmstat's bi column shows it\n" + String.join("\n", lines));
            assertTrue(column(lines, 10).get(2) > 0 && column(lines, 11).get(2) > 0, String.join("\n", lines));

            Exec.Result status = ctl(m, "status").assertOk("ctl status");
            assertTrue(status.out().contains("scenarios:    fork-cow-pss (applied at "), status.out());
            assertTrue(status.out().contains(", speed 2x, running"), status.out());

            ctl(m, "pause").assertOk("ctl pause");
            double before = uptime(m);
            Exec.Result adv = ctl(m, "advance", "60s").assertOk("ctl advance");
            double after = uptime(m);
            assertEquals(60.0, after - before, 0.011, adv.out());
            assertTrue(adv.out().startsWith("advanced 1m in "), adv.out());
            status = ctl(m, "status").assertOk("ctl status");
            assertTrue(status.out().contains("expectations: 11 passed, 0 failed"), status.out());

            Exec.Result spawned = ctl(m, "spawn", "cat", "--rss", "64M", "--file", "/srv/data.bin:8M")
                    .assertOk("ctl spawn");
            String pid = spawned.out().trim().replaceAll(".*pid ", "");
            assertTrue(spawned.out().startsWith("spawned cat (cat), pid "), spawned.out());
            String rss = m.read(pid + "/status").lines().filter(l -> l.startsWith("VmRSS:")).findFirst().orElseThrow();
            assertTrue(Long.parseLong(rss.replaceAll("\\D", "")) > 64 * 1024, rss);
            ctl(m, "kill", pid).assertOk("ctl kill");
            assertThrows(java.io.IOException.class, () -> m.read(pid + "/status"), "pid " + pid + " is gone");
            Exec.Result generic = ctl(m, "spawn", "anything", "--rss", "1G").assertOk("ctl spawn anything");
            assertTrue(generic.out().startsWith("spawned anything (a generic program), pid "), generic.out());
            String gpid = generic.out().trim().replaceAll(".*pid ", "");
            assertEquals("anything\n", m.read(gpid + "/comm"));
            String grss = m.read(gpid + "/status").lines().filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .orElseThrow();
            assertTrue(Long.parseLong(grss.replaceAll("\\D", "")) > 1024 * 1024, grss);
            ctl(m, "kill", gpid).assertOk("ctl kill");
            Files.writeString(m.dir().resolve("sys/vm/overcommit_memory"), "2\n");
            Exec.Result refused = ctl(m, "spawn", "x", "--program", "python3.11", "--rss", "64G");
            Files.writeString(m.dir().resolve("sys/vm/overcommit_memory"), "0\n");
            assertEquals(1, refused.exit());
            assertTrue(refused.err().contains("Cannot allocate memory"), refused.err());
            String meminfo = m.read("meminfo");
            assertTrue(kB(meminfo, "Committed_AS") <= kB(meminfo, "CommitLimit"), meminfo);
            Exec.Result init = ctl(m, "kill", "1");
            assertEquals(1, init.exit());
            assertTrue(init.err().contains("pid 1 (systemd) ignores the signal"), init.err());

            Exec.Result dmesg = ctl(m, "dmesg").assertOk("ctl dmesg");
            List<String> log = dmesg.out().lines().toList();
            assertTrue(log.size() > 10, dmesg.out());
            assertTrue(log.stream().allMatch(l -> l.matches("\\[ *\\d+\\.\\d{6}\\] .*")), dmesg.out());
            assertTrue(log.get(0).startsWith("[    0.000000] Linux version "), log.get(0));

            Path bad = Files.createTempFile("bad-", ".yaml");
            Files.writeString(bad, "timeline:\n  - at: 1s\n    mallok: {}\n");
            Exec.Result rejected = ctl(m, "apply", bad.toString());
            Files.delete(bad);
            assertEquals(1, rejected.exit());
            assertTrue(rejected.err().startsWith("simproc: " + bad + ":3:5: unknown key 'mallok'"), rejected.err());
            assertEquals(2, ctl(m, "speed", "fast").exit());
            assertEquals(2, ctl(m, "frobnicate").exit());
        }
    }

    @Test
    void noDaemon() throws Exception {
        Path dir = Files.createTempDirectory("simproc-nodaemon-");
        try {
            Exec.Result r = Exec.run(List.of("java", "-jar", MountedMachine.jar().toString(), "ctl", dir.toString(),
                    "status"), 60);
            assertEquals(1, r.exit());
            assertTrue(r.err().startsWith("simproc: no simproc daemon serves " + dir), r.err());
        } finally {
            Files.delete(dir);
        }
    }
}
