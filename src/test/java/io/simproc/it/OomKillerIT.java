package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OOM killer through a live mount of a 2 GiB machine (at a millionth of real speed, so that scores hold still
 * between a tool and a file): choom and ps (through simproc-exec) agree with every oom_score and oom_score_adj file
 * before and right after an OOM kill changed the population; `simproc ctl DIR dmesg` shows the kernel's report of
 * the kill, and the victim is gone from the mount.
 */
class OomKillerIT {
    static final Pattern KILLED = Pattern.compile("Out of memory: Killed process (\\d+) \\((\\S+)\\) total-vm:(\\d+)kB,"
            + " anon-rss:(\\d+)kB, file-rss:(\\d+)kB, shmem-rss:(\\d+)kB, UID:(\\d+) pgtables:(\\d+)kB"
            + " oom_score_adj:(-?\\d+)");
    private static MountedMachine machine;
    private static Path profile;

    @BeforeAll
    static void mount() throws Exception {
        profile = Files.createTempFile("oom-", ".yaml");
        Files.writeString(profile, "name: oom-2g\nmemory: 2G\n");
        machine = MountedMachine.start("--machine", profile.toString(), "--seed", "7", "--speed", "0.000001");
    }

    @AfterAll
    static void unmount() throws Exception {
        try {
            if (machine != null) {
                machine.close();
            }
        } finally {
            Files.deleteIfExists(profile);
        }
    }

    private static Exec.Result ctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", MountedMachine.jar().toString(), "ctl",
                machine.dir().toString()));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, 120);
    }

    private static List<String> pids() throws Exception {
        List<String> pids = new ArrayList<>();
        try (var dirs = Files.list(machine.dir())) {
            for (Path p : dirs.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("\\d+")) {
                    pids.add(name);
                }
            }
        }
        return pids;
    }

    private static String file(String pid, String name) throws Exception {
        return machine.read(pid + "/" + name).trim();
    }

    /** ps -o pid,oom,oomadj for every process against its oom_score and oom_score_adj files. */
    private static int psAgrees() throws Exception {
        String out = machine.exec("ps", "-eo", "pid=,oom=,oomadj=").assertOk("ps").out();
        int rows = 0;
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            assertEquals(3, f.length, line);
            assertEquals(file(f[0], "oom_score"), f[1], "ps oom of " + f[0]);
            assertEquals(file(f[0], "oom_score_adj"), f[2], "ps oomadj of " + f[0]);
            rows++;
        }
        assertEquals(pids().size(), rows, "ps lists every process of the mount\n" + out);
        return rows;
    }

    /** choom -p PID against the files. */
    private static void choomAgrees(String pid) throws Exception {
        String out = machine.exec("choom", "-p", pid).assertOk("choom -p " + pid).out();
        assertEquals("pid " + pid + "'s current OOM score: " + file(pid, "oom_score") + "\npid " + pid
                + "'s current OOM score adjust value: " + file(pid, "oom_score_adj") + "\n", out);
    }

    private static String spawnedPid(Exec.Result r) {
        Matcher m = Pattern.compile(", pid (\\d+)$").matcher(r.out().trim());
        assertTrue(m.find(), r.out() + r.err());
        return m.group(1);
    }

    @Test
    void scoresAgreeWithToolsAndTheKillIsReported() throws Exception {
        assertTrue(psAgrees() > 20, "the default population");
        String keeper = spawnedPid(ctl("spawn", "keeper", "--program", "bash", "--rss", "700M").assertOk("spawn"));
        Exec.bash("echo -1000 > " + machine.dir().resolve(keeper + "/oom_score_adj"), 10).assertOk("adj -1000");
        String small = spawnedPid(ctl("spawn", "small", "--program", "bash", "--rss", "64M").assertOk("spawn"));
        Exec.bash("echo -500 > " + machine.dir().resolve(small + "/oom_score_adj"), 10).assertOk("adj -500");
        psAgrees();
        for (String pid : List.of(keeper, small, "1")) {
            choomAgrees(pid);
        }
        assertEquals("0", file(keeper, "oom_score"), "-1000: immune");
        List<String> population = new ArrayList<>(pids());

        Exec.Result hog = ctl("spawn", "hog", "--program", "bash", "--rss", "1900M");
        List<String> log = ctl("dmesg").assertOk("ctl dmesg").out().lines().map(l -> l.replaceFirst("^\\[ *\\d+\\.\\d{6}\\] ", ""))
                .toList();
        int invoked = -1;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).startsWith("hog invoked oom-killer: ")) {
                invoked = i;
                break;
            }
        }
        assertTrue(invoked >= 0, "the OOM report (spawn said: " + hog.out() + hog.err() + ")\n" + String.join("\n", log));
        assertTrue(log.get(invoked).matches("hog invoked oom-killer: gfp_mask=0x[0-9a-f]+\\([A-Z_|]+\\), order=0,"
                + " oom_score_adj=0"), log.get(invoked));
        List<String> report = log.subList(invoked, log.size());
        assertTrue(report.contains("Mem-Info:"), String.join("\n", report));
        assertTrue(report.stream().anyMatch(l -> l.matches("Node 0 DMA32 free:\\d+kB boost:\\d+kB min:\\d+kB .*")),
                String.join("\n", report));
        assertTrue(report.contains("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem"
                + " pgtables_bytes swapents oom_score_adj name"), String.join("\n", report));
        List<Matcher> kills = report.stream().map(KILLED::matcher).filter(Matcher::matches).toList();
        assertFalse(kills.isEmpty(), "no kill line:\n" + String.join("\n", report));
        Matcher last = kills.get(kills.size() - 1);
        assertEquals("hog", last.group(2), "the task that kept growing was killed in the end\n"
                + String.join("\n", report));
        assertEquals(1, hog.exit());
        assertTrue(hog.err().matches("simproc: spawn: hog \\(pid " + last.group(1) + "\\) was killed by the OOM killer"
                + " while writing its memory \\(killed by signal 9, SIGKILL\\)\\s*"), hog.err());
        assertTrue(Long.parseLong(last.group(4)) > 256 * 1024, "anon-rss of a task that grew: " + last.group());
        assertEquals("0", last.group(9));
        List<String> alive = pids();
        for (Matcher m : kills) {
            String victim = m.group(1);
            assertFalse(victim.equals(keeper), "oom_score_adj -1000 is immune");
            assertFalse(Files.exists(machine.dir().resolve(victim)), "victim " + victim + " is gone from the mount");
            assertFalse(alive.contains(victim));
            population.remove(victim);
        }
        assertTrue(alive.containsAll(population), "no one but the victims died");
        assertTrue(machine.read("vmstat").contains("\noom_kill " + kills.size() + "\n"), "oom_kill counts the kills");

        psAgrees();
        for (String pid : List.of(keeper, small, "1")) {
            choomAgrees(pid);
        }
    }
}
