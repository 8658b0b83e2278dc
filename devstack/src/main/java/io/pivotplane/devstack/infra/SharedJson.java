package io.pivotplane.devstack.infra;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A stored object's JSON with the parts that identical objects of other clusters hold too kept once in this JVM.
 * Every workload cluster receives the same few MB of CRDs (Cluster API's, cert-manager's, its provider's): their
 * {@code metadata} (uid, creation time, resource version), their {@code status} and the {@code caBundle} cert-manager's
 * cainjector puts into their conversion webhook differ per cluster, the rest does not. So a large object is kept as
 * the text around those, shared through a weak interner, plus its own metadata, status and CA bundles;
 * {@link #toString()} puts the text back together, as it was.
 */
final class SharedJson {

    /** Objects below this size are kept as they are: sharing would cost more than it saves. */
    static final int THRESHOLD = 8 * 1024;
    private static final Map<String, WeakReference<String>> INTERNED = new WeakHashMap<>();

    /** The text in order: shared runs at even indexes, the object's own members at odd ones. */
    private final String[] parts;

    private SharedJson(String[] parts) {
        this.parts = parts;
    }

    /** The value to keep for {@code json}: itself when small or not a JSON object, else a {@code SharedJson}. */
    static Object of(String json) {
        if (json == null || json.length() < THRESHOLD) {
            return json;
        }
        List<int[]> own = ownMembers(json);
        if (own == null) {
            return json;
        }
        List<int[]> spans = new ArrayList<>();
        int from = 0;
        for (int[] member : own) {
            caBundles(json, from, member[0], spans);
            spans.add(member);
            from = member[1];
        }
        caBundles(json, from, json.length(), spans);
        List<String> parts = new ArrayList<>();
        from = 0;
        for (int[] span : spans) {
            parts.add(intern(json.substring(from, span[0])));
            parts.add(json.substring(span[0], span[1]));
            from = span[1];
        }
        parts.add(intern(json.substring(from)));
        return new SharedJson(parts.toArray(String[]::new));
    }

    /** The spans of the values of {@code "caBundle"} members between {@code from} and {@code to}, in order. */
    private static void caBundles(String json, int from, int to, List<int[]> spans) {
        String key = "\"caBundle\":";
        int at = json.indexOf(key, from);
        while (at >= 0 && at < to) {
            int valueStart = skipSpace(json, at + key.length());
            int valueEnd = endOfValue(json, valueStart);
            if (valueEnd < 0 || valueEnd > to) {
                return;
            }
            spans.add(new int[] {valueStart, valueEnd});
            at = json.indexOf(key, valueEnd);
        }
    }

    /** The JSON text of a value kept by {@link #of}. */
    static String text(Object value) {
        return value == null ? null : value.toString();
    }

    @Override
    public String toString() {
        int length = 0;
        for (String part : parts) {
            length += part.length();
        }
        StringBuilder json = new StringBuilder(length);
        for (String part : parts) {
            json.append(part);
        }
        return json.toString();
    }

    /** Characters held by this object alone, not shared with others. */
    int ownLength() {
        int length = 0;
        for (int i = 1; i < parts.length; i += 2) {
            length += parts[i].length();
        }
        return length;
    }

    private static String intern(String text) {
        if (text.length() < 64) {
            return text;
        }
        synchronized (INTERNED) {
            WeakReference<String> existing = INTERNED.get(text);
            String shared = existing == null ? null : existing.get();
            if (shared != null) {
                return shared;
            }
            INTERNED.put(text, new WeakReference<>(text));
            return text;
        }
    }

    /**
     * The spans (start, end) of the top-level {@code "metadata"} and {@code "status"} members, each with its key, or
     * null when the text is not a JSON object this reader understands.
     */
    private static List<int[]> ownMembers(String json) {
        int i = skipSpace(json, 0);
        if (i >= json.length() || json.charAt(i) != '{') {
            return null;
        }
        List<int[]> own = new ArrayList<>();
        i++;
        while (true) {
            i = skipSpace(json, i);
            if (i >= json.length()) {
                return null;
            }
            if (json.charAt(i) == '}') {
                return own;
            }
            if (json.charAt(i) == ',') {
                i = skipSpace(json, i + 1);
            }
            int keyStart = i;
            int keyEnd = endOfString(json, i);
            if (keyEnd < 0) {
                return null;
            }
            String key = json.substring(keyStart + 1, keyEnd - 1);
            i = skipSpace(json, keyEnd);
            if (i >= json.length() || json.charAt(i) != ':') {
                return null;
            }
            int valueEnd = endOfValue(json, skipSpace(json, i + 1));
            if (valueEnd < 0) {
                return null;
            }
            if (key.equals("metadata") || key.equals("status")) {
                own.add(new int[] {keyStart, valueEnd});
            }
            i = valueEnd;
        }
    }

    private static int skipSpace(String json, int i) {
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index after the string starting at {@code i}, or -1. */
    private static int endOfString(String json, int i) {
        if (i >= json.length() || json.charAt(i) != '"') {
            return -1;
        }
        for (int j = i + 1; j < json.length(); j++) {
            char c = json.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j + 1;
            }
        }
        return -1;
    }

    /** The index after the value starting at {@code i}, or -1. */
    private static int endOfValue(String json, int i) {
        if (i >= json.length()) {
            return -1;
        }
        char first = json.charAt(i);
        if (first == '"') {
            return endOfString(json, i);
        }
        if (first != '{' && first != '[') {
            int j = i;
            while (j < json.length() && ",}]".indexOf(json.charAt(j)) < 0) {
                j++;
            }
            return j;
        }
        int depth = 0;
        for (int j = i; j < json.length(); j++) {
            char c = json.charAt(j);
            if (c == '"') {
                j = endOfString(json, j) - 1;
                if (j < 0) {
                    return -1;
                }
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    return j + 1;
                }
            }
        }
        return -1;
    }
}
