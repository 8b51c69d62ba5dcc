package io.simproc.proc;

/**
 * A node of the proc tree: a file, a directory or a symlink. Like fs/proc's pid_entry tables, entries are
 * declarative; directories list their children for a given reader because some (pid directories) come and go.
 */
public sealed interface ProcEntry permits ProcFile, ProcDir, ProcLink {
    String name();

    /** Permission bits (without the file type). */
    int mode();

    /** Owner uid (root for everything but per-process entries). */
    int uid();

    int gid();
}
