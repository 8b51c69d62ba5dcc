package io.simproc.config;

import java.util.Locale;

/** Human sizes as users write them in profiles and scenarios: {@code 4K}, {@code 300M}, {@code 2G}, {@code 1.5G}. */
public final class Sizes {
    private Sizes() {
    }

    /** Bytes from "1234", "0x1000", "4K", "4KiB", "300M", "2G", "1T" (binary units). */
    public static long parseBytes(String text) {
        String s = text.trim().replace("_", "");
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty size");
        }
        if (s.startsWith("0x") || s.startsWith("0X")) {
            try {
                return Long.parseUnsignedLong(s.substring(2), 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a size");
            }
        }
        String upper = s.toUpperCase(Locale.ROOT);
        if (upper.endsWith("IB")) {
            upper = upper.substring(0, upper.length() - 2);
        } else if (upper.endsWith("B") && upper.length() > 1 && Character.isLetter(upper.charAt(upper.length() - 2))) {
            upper = upper.substring(0, upper.length() - 1);
        }
        long mult = 1;
        char last = upper.charAt(upper.length() - 1);
        switch (last) {
            case 'K' -> mult = 1L << 10;
            case 'M' -> mult = 1L << 20;
            case 'G' -> mult = 1L << 30;
            case 'T' -> mult = 1L << 40;
            default -> {
            }
        }
        String num = mult == 1 ? upper : upper.substring(0, upper.length() - 1);
        try {
            if (num.contains(".")) {
                double d = Double.parseDouble(num);
                if (d < 0) {
                    throw new IllegalArgumentException("'" + text + "' is negative");
                }
                return (long) Math.floor(d * mult);
            }
            long v = Long.parseLong(num);
            if (v < 0) {
                throw new IllegalArgumentException("'" + text + "' is negative");
            }
            return Math.multiplyExact(v, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (use e.g. 4096, 4K, 300M, 2G)");
        }
    }

    /** Human form with one decimal for messages about RAM: 8.0G, 7.8G, 300.0M, 512K. */
    public static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1fG", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1fM", bytes / (double) (1L << 20));
        }
        return (bytes >> 10) + "K";
    }

    /** Compact human form for messages: 8G, 300M, 4K, or bytes. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % (1L << 40) == 0) {
            return (bytes >> 40) + "T";
        }
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "G";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "M";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "K";
        }
        return Long.toString(bytes);
    }
}
