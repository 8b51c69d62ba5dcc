package io.simproc.cli;

import io.simproc.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the simproc command. Exit status: 0 on success, 2 on a usage error, 1 on a runtime error, which
 * is reported as one line (with the stack trace only under --debug).
 */
@Command(name = "simproc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A simulated Linux memory manager served as a /proc-compatible filesystem.",
        subcommands = {CtlCommand.class, MapCommand.class, MountCommand.class, RenderCommand.class, RunCommand.class,
            SweepCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Run a command line and return the exit status (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands().get("ctl").setUnmatchedOptionsArePositionalParams(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean debug = parsed.matchedOption("--debug") != null
                    || (parsed.subcommand() != null && parsed.subcommand().matchedOption("--debug") != null);
            if (debug) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println("simproc: " + describe(ex));
            return 1;
        });
        return cl.execute(args);
    }

    static String describe(Throwable ex) {
        if (ex instanceof ConfigException) {
            return ex.getMessage();
        }
        if (ex instanceof UserError) {
            return ex.getMessage();
        }
        if (ex instanceof OutOfMemoryError) {
            return "the Java heap is too small for this machine; raise it with SIMPROC_JAVA_OPTS=-Xmx...";
        }
        String msg = ex.getMessage();
        return msg == null ? ex.toString() : msg;
    }

    /** Version: the jar's implementation version and the kernel it imitates. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"simproc " + (v == null ? "dev" : v) + " (simulates Linux 6.18 x86_64)"};
        }
    }
}
