package io.simproc.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README opens with exactly two set-up commands — mount the default machine, run the tests — and CI runs the
 * second one verbatim, so the README never lies about how the project is tested.
 */
class ReadmeCommandsTest {
    private static final Path BASE = Path.of(System.getProperty("user.dir"));

    static List<String> readmeShellCommands() throws Exception {
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        for (String line : Files.readAllLines(BASE.resolve("README.md"))) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (inBlock) {
                commands.add(line.trim());
            }
        }
        return commands;
    }

    @Test
    void firstCommandMountsTheDefaultMachine() throws Exception {
        assertEquals("mount-scripts/install-deps && mount-scripts/simproc-up", readmeShellCommands().get(0));
    }

    @Test
    void ciRunsTheReadmeTestCommand() throws Exception {
        String testCommand = readmeShellCommands().get(1);
        assertTrue(testCommand.contains("mvn") && testCommand.contains("verify"), testCommand);
        List<String> ci = Files.readAllLines(BASE.resolve(".ci/run"));
        assertEquals(testCommand, ci.get(ci.size() - 1).trim());
    }

    @Test
    void everyScriptTheReadmeNamesExistsAndIsExecutable() throws Exception {
        for (String script : List.of("install-deps", "simproc-up", "simproc-down", "simproc-exec", "simproc")) {
            Path p = BASE.resolve("mount-scripts").resolve(script);
            assertTrue(Files.isExecutable(p), p + " missing or not executable");
        }
    }
}
