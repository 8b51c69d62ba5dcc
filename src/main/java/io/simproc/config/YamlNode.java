package io.simproc.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A YAML node that remembers where it came from, for configuration files whose every error must name
 * file:line:col. Typed getters ({@link #size}, {@link #integer}...) throw {@link ConfigException} pointing at the
 * offending value; {@link #checkKeys} rejects unknown keys so that typos are errors, not silently ignored.
 */
public final class YamlNode {
    private final String file;
    private final Node node;
    private final String path;

    private YamlNode(String file, Node node, String path) {
        this.file = file;
        this.node = node;
        this.path = path;
    }

    /** Parse a whole document; bad YAML becomes a ConfigException at the parser's position. */
    public static YamlNode parse(String file, String text) {
        return parse(file, new StringReader(text));
    }

    public static YamlNode parse(String file, Reader reader) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            Node root = new Yaml(options).compose(reader);
            if (root == null) {
                throw new ConfigException(file, 1, 1, "the file is empty");
            }
            return new YamlNode(file, root, "");
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new ConfigException(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1,
                    "invalid YAML: " + problem.trim());
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new ConfigException(file, 0, 0, "invalid YAML: " + e.getMessage());
        }
    }

    public String file() {
        return file;
    }

    public int line() {
        return node.getStartMark().getLine() + 1;
    }

    public int column() {
        return node.getStartMark().getColumn() + 1;
    }

    /** Where this value sits in the document, e.g. {@code swap[1].size}. */
    public String path() {
        return path.isEmpty() ? "(document)" : path;
    }

    public ConfigException error(String problem) {
        return new ConfigException(file, line(), column(), problem);
    }

    public boolean isMapping() {
        return node instanceof MappingNode;
    }

    public boolean isSequence() {
        return node instanceof SequenceNode;
    }

    public boolean isScalar() {
        return node instanceof ScalarNode;
    }

    /**
     * The entries of a mapping, in file order. A key given twice is an error at its second occurrence (SnakeYAML's
     * duplicate-key check runs only when constructing objects, not when composing nodes as done here).
     */
    public Map<String, YamlNode> mapping() {
        if (!(node instanceof MappingNode m)) {
            throw error(path() + " must be a mapping of keys to values");
        }
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new YamlNode(file, t.getKeyNode(), path).error("keys must be plain names");
            }
            if (out.containsKey(k.getValue())) {
                throw new YamlNode(file, k, path).error("duplicate key '" + k.getValue() + "'"
                        + (path.isEmpty() ? "" : " in " + path));
            }
            String childPath = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
            out.put(k.getValue(), new YamlNode(file, t.getValueNode(), childPath));
        }
        return out;
    }

    /** The key node of an entry, for errors that point at the key (unknown keys). */
    private Map<String, Node> keyNodes() {
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : ((MappingNode) node).getValue()) {
            out.put(((ScalarNode) t.getKeyNode()).getValue(), t.getKeyNode());
        }
        return out;
    }

    /** The key of an entry, for errors about the key itself (a malformed name); null when absent. */
    public YamlNode keyNode(String key) {
        mapping();
        Node k = keyNodes().get(key);
        return k == null ? null : new YamlNode(file, k, path);
    }

    /** Reject keys outside {@code allowed}, pointing at the first unknown key. */
    public void checkKeys(String... allowed) {
        mapping();
        Set<String> ok = new LinkedHashSet<>(List.of(allowed));
        for (Map.Entry<String, Node> e : keyNodes().entrySet()) {
            if (!ok.contains(e.getKey())) {
                throw new YamlNode(file, e.getValue(), path).error("unknown key '" + e.getKey() + "'"
                        + (path.isEmpty() ? "" : " in " + path) + " (expected one of: " + String.join(", ", ok) + ")");
            }
        }
    }

    public YamlNode get(String key) {
        return mapping().get(key);
    }

    public YamlNode require(String key) {
        YamlNode v = get(key);
        if (v == null) {
            throw error("missing required key '" + key + "'" + (path.isEmpty() ? "" : " in " + path));
        }
        return v;
    }

    public List<YamlNode> sequence() {
        if (!(node instanceof SequenceNode s)) {
            throw error(path() + " must be a list");
        }
        List<YamlNode> out = new ArrayList<>();
        int i = 0;
        for (Node n : s.getValue()) {
            out.add(new YamlNode(file, n, path + "[" + i++ + "]"));
        }
        return out;
    }

    public String scalar() {
        if (!(node instanceof ScalarNode s)) {
            throw error(path() + " must be a single value");
        }
        return s.getValue();
    }

    public String string() {
        return scalar();
    }

    public long integer() {
        String s = scalar().trim().replace("_", "");
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            if (s.startsWith("-0x")) {
                return -Long.parseLong(s.substring(3), 16);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(path() + ": '" + scalar() + "' is not an integer");
        }
    }

    public long integer(long min, long max) {
        long v = integer();
        if (v < min || v > max) {
            throw error(path() + ": " + v + " is out of range " + min + ".." + max);
        }
        return v;
    }

    public double number() {
        try {
            return Double.parseDouble(scalar().trim());
        } catch (NumberFormatException e) {
            throw error(path() + ": '" + scalar() + "' is not a number");
        }
    }

    public boolean bool() {
        return switch (scalar().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw error(path() + ": '" + scalar() + "' is not true or false");
        };
    }

    /** A size in bytes: {@code 4096}, {@code 4K}, {@code 300M}, {@code 2G}, {@code 1T}, or hex. */
    public long size() {
        try {
            return Sizes.parseBytes(scalar());
        } catch (IllegalArgumentException e) {
            throw error(path() + ": " + e.getMessage());
        }
    }

    /** A duration in milliseconds: {@code 500ms}, {@code 30s}, {@code 5m}. */
    public long duration() {
        try {
            return Durations.parseMillis(scalar());
        } catch (IllegalArgumentException e) {
            throw error(path() + ": " + e.getMessage());
        }
    }

    /** A share between 0 and 1: {@code 40%} or {@code 0.4}. */
    public double fraction() {
        String s = scalar().trim();
        try {
            double v = s.endsWith("%") ? Double.parseDouble(s.substring(0, s.length() - 1)) / 100
                    : Double.parseDouble(s);
            if (v < 0 || v > 1) {
                throw error(path() + ": " + s + " is not between 0% and 100%");
            }
            return v;
        } catch (NumberFormatException e) {
            throw error(path() + ": '" + s + "' is not a share (use e.g. 40% or 0.4)");
        }
    }

    /** One of the given words, case-insensitive. */
    public String oneOf(String... choices) {
        String v = scalar().trim();
        for (String c : choices) {
            if (c.equalsIgnoreCase(v)) {
                return c;
            }
        }
        throw error(path() + ": '" + v + "' must be one of: " + String.join(", ", choices));
    }
}
