package io.simproc.config;

/**
 * A machine profile or scenario file that cannot be used, with the place that is wrong:
 * {@code file:line:col: message}, the format compilers use, so editors can jump to it.
 */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final int line;
    private final int column;
    private final String problem;

    public ConfigException(String file, int line, int column, String problem) {
        super(format(file, line, column, problem));
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    private static String format(String file, int line, int column, String problem) {
        if (line <= 0) {
            return file + ": " + problem;
        }
        return file + ":" + line + ":" + column + ": " + problem;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String problem() {
        return problem;
    }
}
