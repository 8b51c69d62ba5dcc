package io.simproc.workload;

import io.simproc.config.YamlNode;
import io.simproc.kernel.MachineProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The accounts of the simulated machine, as its /etc/passwd and /etc/group list them: Debian's base-passwd
 * accounts and groups, plus one account (and its group, gid = uid) for every {@code user:} a profile's processes
 * run as. A process with a uid that no account names shows its number in ps, as on a real machine.
 */
public final class Users {
    /** An account: passwd's fields. */
    public record Account(String name, int uid, int gid, String gecos, String home, String shell) {
        String line() {
            return name + ":x:" + uid + ":" + gid + ":" + gecos + ":" + home + ":" + shell;
        }
    }

    /** The first uid of a login user (UID_MIN of login.defs). */
    static final int UID_MIN = 1000;
    private static final String NOLOGIN = "/usr/sbin/nologin";

    /** base-passwd's /etc/passwd of Debian 12. */
    static final List<Account> BASE = List.of(
            new Account("root", 0, 0, "root", "/root", "/bin/bash"),
            new Account("daemon", 1, 1, "daemon", "/usr/sbin", NOLOGIN),
            new Account("bin", 2, 2, "bin", "/bin", NOLOGIN),
            new Account("sys", 3, 3, "sys", "/dev", NOLOGIN),
            new Account("sync", 4, 65534, "sync", "/bin", "/bin/sync"),
            new Account("games", 5, 60, "games", "/usr/games", NOLOGIN),
            new Account("man", 6, 12, "man", "/var/cache/man", NOLOGIN),
            new Account("lp", 7, 7, "lp", "/var/spool/lpd", NOLOGIN),
            new Account("mail", 8, 8, "mail", "/var/mail", NOLOGIN),
            new Account("news", 9, 9, "news", "/var/spool/news", NOLOGIN),
            new Account("uucp", 10, 10, "uucp", "/var/spool/uucp", NOLOGIN),
            new Account("proxy", 13, 13, "proxy", "/bin", NOLOGIN),
            new Account("www-data", 33, 33, "www-data", "/var/www", NOLOGIN),
            new Account("backup", 34, 34, "backup", "/var/backups", NOLOGIN),
            new Account("list", 38, 38, "Mailing List Manager", "/var/list", NOLOGIN),
            new Account("irc", 39, 39, "ircd", "/run/ircd", NOLOGIN),
            new Account("_apt", 42, 65534, "", "/nonexistent", NOLOGIN),
            new Account("nobody", 65534, 65534, "nobody", "/nonexistent", NOLOGIN));

    /** base-passwd's /etc/group of Debian 12: name and gid. */
    static final Map<Integer, String> BASE_GROUPS = baseGroups();

    private static Map<Integer, String> baseGroups() {
        Map<Integer, String> g = new TreeMap<>();
        String[] names = {"root", "daemon", "bin", "sys", "adm", "tty", "disk", "lp", "mail", "news", "uucp"};
        for (int i = 0; i < names.length; i++) {
            g.put(i, names[i]);
        }
        Object[][] more = {{12, "man"}, {13, "proxy"}, {15, "kmem"}, {20, "dialout"}, {21, "fax"}, {22, "voice"},
            {24, "cdrom"}, {25, "floppy"}, {26, "tape"}, {27, "sudo"}, {29, "audio"}, {30, "dip"}, {33, "www-data"},
            {34, "backup"}, {37, "operator"}, {38, "list"}, {39, "irc"}, {40, "src"}, {42, "shadow"}, {43, "utmp"},
            {44, "video"}, {45, "sasl"}, {46, "plugdev"}, {50, "staff"}, {60, "games"}, {100, "users"},
            {65534, "nogroup"}};
        for (Object[] e : more) {
            g.put((Integer) e[0], (String) e[1]);
        }
        return g;
    }

    private final List<Account> accounts;
    private final Map<Integer, String> groups;

    private Users(List<Account> accounts, Map<Integer, String> groups) {
        this.accounts = List.copyOf(accounts);
        this.groups = groups;
    }

    /** useradd's NAME_REGEX of Debian: a lower-case letter or '_', then letters, digits, '_' and '-'. */
    static void checkName(YamlNode n) {
        String name = n.string();
        if (!name.matches("[a-z_][a-z0-9_-]{0,31}")) {
            throw n.error("user must be a login name (a-z, 0-9, '_', '-', starting with a letter), got '" + name
                    + "'");
        }
    }

    /** The accounts of a profile's machine: the base ones and the {@code user:} of every process spec. */
    public static Users of(MachineProfile profile) {
        Map<Integer, Account> byUid = new TreeMap<>();
        for (Account a : BASE) {
            byUid.put(a.uid(), a);
        }
        Map<Integer, String> groups = new TreeMap<>(BASE_GROUPS);
        if (profile.processes() != null) {
            collect(profile.processes(), byUid, groups);
        }
        List<Account> accounts = new ArrayList<>(BASE);
        for (Account a : byUid.values()) {
            if (!BASE.contains(a)) {
                accounts.add(a);
            }
        }
        return new Users(accounts, groups);
    }

    private static void collect(YamlNode list, Map<Integer, Account> byUid, Map<Integer, String> groups) {
        for (YamlNode p : list.sequence()) {
            Map<String, YamlNode> m = p.mapping();
            if (m.containsKey("user") && m.containsKey("uid")) {
                String name = m.get("user").string();
                int uid = (int) m.get("uid").integer(0, 65535);
                Account known = byUid.get(uid);
                if (known != null && !known.name().equals(name)) {
                    throw m.get("user").error("uid " + uid + " is already the account '" + known.name() + "'");
                }
                for (Account a : byUid.values()) {
                    if (a.name().equals(name) && a.uid() != uid) {
                        throw m.get("user").error("user '" + name + "' already has uid " + a.uid());
                    }
                }
                if (known == null) {
                    boolean login = uid >= UID_MIN;
                    byUid.put(uid, new Account(name, uid, uid, login ? name : "", login ? "/home/" + name
                            : "/nonexistent", login ? "/bin/bash" : NOLOGIN));
                    groups.putIfAbsent(uid, name);
                }
            }
            if (m.containsKey("children")) {
                collect(m.get("children"), byUid, groups);
            }
        }
    }

    public List<Account> accounts() {
        return accounts;
    }

    /** /etc/passwd. */
    public String passwd() {
        StringBuilder b = new StringBuilder();
        for (Account a : accounts) {
            b.append(a.line()).append('\n');
        }
        return b.toString();
    }

    /** /etc/group: every group without members listed (name:x:gid:). */
    public String group() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Integer, String> g : groups.entrySet()) {
            b.append(g.getValue()).append(":x:").append(g.getKey()).append(":\n");
        }
        return b.toString();
    }

    /** Write etc/passwd and etc/group under {@code etc} (created when missing). */
    public void writeTo(java.nio.file.Path etc) throws java.io.IOException {
        java.nio.file.Files.createDirectories(etc);
        java.nio.file.Files.writeString(etc.resolve("passwd"), passwd());
        java.nio.file.Files.writeString(etc.resolve("group"), group());
    }
}
