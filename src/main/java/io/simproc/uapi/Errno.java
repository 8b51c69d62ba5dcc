package io.simproc.uapi;

/**
 * The errno values simproc returns (include/uapi/asm-generic/errno-base.h, and errno.h for those past 34). Callers
 * return them negated.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENOEXEC = 8;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int EOPNOTSUPP = 95;

    private Errno() {
    }

    private static final String[] NAMES = names();

    private static String[] names() {
        String[] n = new String[EOPNOTSUPP + 1];
        String[] low = {null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", null, null, "ENOEXEC", "EBADF", null,
            "EAGAIN", "ENOMEM", "EACCES", "EFAULT", null, "EBUSY", "EEXIST", null, "ENODEV", "ENOTDIR", "EISDIR",
            "EINVAL", "ENFILE", null, null, null, "EFBIG", "ENOSPC", null, "EROFS", null, null, null, "ERANGE", null,
            "ENAMETOOLONG", null, "ENOSYS", "ENOTEMPTY"};
        System.arraycopy(low, 0, n, 0, low.length);
        n[EOPNOTSUPP] = "EOPNOTSUPP";
        return n;
    }

    /** The symbolic name of an errno this class knows ({@code ENOMEM}), or null. */
    public static String name(int errno) {
        int e = Math.abs(errno);
        return e < NAMES.length ? NAMES[e] : null;
    }

    /** The errno of a symbolic name ({@code ENOMEM} → 12), or 0 for a name this class does not know. */
    public static int byName(String name) {
        for (int e = 1; e < NAMES.length; e++) {
            if (name.equals(NAMES[e])) {
                return e;
            }
        }
        return 0;
    }

    /** The text strerror(3) prints, used in user-facing messages. */
    public static String describe(int errno) {
        return switch (Math.abs(errno)) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case ESRCH -> "No such process";
            case EINTR -> "Interrupted system call";
            case EIO -> "Input/output error";
            case ENOEXEC -> "Exec format error";
            case EBADF -> "Bad file descriptor";
            case EAGAIN -> "Resource temporarily unavailable";
            case ENOMEM -> "Cannot allocate memory";
            case EACCES -> "Permission denied";
            case EFAULT -> "Bad address";
            case EBUSY -> "Device or resource busy";
            case EEXIST -> "File exists";
            case ENODEV -> "No such device";
            case ENOTDIR -> "Not a directory";
            case EISDIR -> "Is a directory";
            case EINVAL -> "Invalid argument";
            case ENFILE -> "Too many open files in system";
            case EFBIG -> "File too large";
            case EROFS -> "Read-only file system";
            case ERANGE -> "Numerical result out of range";
            case ENAMETOOLONG -> "File name too long";
            case ENOSYS -> "Function not implemented";
            case ENOTEMPTY -> "Directory not empty";
            case EOPNOTSUPP -> "Operation not supported";
            default -> "Unknown error " + Math.abs(errno);
        };
    }
}
