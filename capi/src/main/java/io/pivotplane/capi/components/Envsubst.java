package io.pivotplane.capi.components;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The variable substitution of clusterctl's simple YAML processor
 * ({@code cmd/clusterctl/client/yamlprocessor/simple_processor.go}), which hands the text to drone/envsubst v2
 * (the version cluster-api v1.9.11's go.mod pins): {@code ${VAR}}, {@code ${VAR:=default}}, {@code ${VAR=default}},
 * {@code ${VAR:-default}} and envsubst's other functions (case, length, substring, prefix and suffix removal,
 * replacement). Only <code>${</code> opens a substitution; {@code $$} stands for one {@code $}. The parse follows
 * envsubst's scanner rule for rule, because where a substitution ends, what counts as its default and which texts
 * are errors decide what clusterctl asks for and what it writes.
 */
final class Envsubst {

    /** simple_processor.go, legacyVariableRegEx: {@code ${ VAR}}, {@code ${VAR }} and {@code ${ VAR }} mean {@code ${VAR}}. */
    private static final Pattern LEGACY_VARIABLE = Pattern.compile(
            "(\\$\\{([\\t\\n\\f\\r ]+([A-Za-z0-9_$]+)[\\t\\n\\f\\r ]+)})"
                    + "|(\\$\\{([\\t\\n\\f\\r ]+([A-Za-z0-9_$]+))})"
                    + "|(\\$\\{(([A-Za-z0-9_$]+)[\\t\\n\\f\\r ]+)})");
    private static final Pattern WHITESPACE = Pattern.compile("[\\t\\n\\f\\r ]");

    private Envsubst() {
    }

    /** A text that envsubst cannot parse; clusterctl refuses the whole file then. */
    static final class BadSubstitutionException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadSubstitutionException(String message) {
            super(message);
        }
    }

    sealed interface Node permits Text, Substitution {
    }

    record Text(String value) implements Node {
    }

    /** A substitution: the variable, envsubst's name of the function ({@code ""} for a plain one, {@code ":="}…). */
    record Substitution(String param, String name, List<Node> args) implements Node {
    }

    /** A parsed text: its pieces in order. */
    record Template(List<Node> nodes) {

        boolean hasSubstitutions() {
            return nodes.stream().anyMatch(Substitution.class::isInstance);
        }

        /**
         * Each variable with the text clusterctl takes for its default, {@code ""} when it has none, in the order of
         * their first appearance; the first appearance decides (simple_processor.go, traverse). Variables inside a
         * default are not listed, as there.
         */
        Map<String, String> variables() {
            Map<String, String> variables = new LinkedHashMap<>();
            for (Node node : nodes) {
                if (node instanceof Substitution function && !variables.containsKey(function.param())) {
                    StringBuilder defaultText = new StringBuilder();
                    for (Node arg : function.args()) {
                        if (arg instanceof Substitution nested) {
                            defaultText.append("${").append(nested.param()).append('}');
                        } else {
                            defaultText.append(((Text) arg).value());
                        }
                    }
                    variables.put(function.param(), defaultText.toString());
                }
            }
            return variables;
        }

        /** The text with every substitution done; {@code values} answers {@code ""} for a variable without value. */
        String evaluate(Function<String, String> values) {
            StringBuilder out = new StringBuilder();
            for (Node node : nodes) {
                append(out, node, values);
            }
            return out.toString();
        }

        private static void append(StringBuilder out, Node node, Function<String, String> values) {
            if (node instanceof Text text) {
                out.append(text.value());
                return;
            }
            Substitution function = (Substitution) node;
            List<String> args = new ArrayList<>();
            for (Node arg : function.args()) {
                StringBuilder argument = new StringBuilder();
                append(argument, arg, values);
                args.add(argument.toString());
            }
            out.append(Functions.apply(function.name(), values.apply(function.param()), args));
        }
    }

    /** Parses a text as clusterctl does: first its legacy {@code ${ VAR }} spellings, then envsubst's grammar. */
    static Template parse(String text) {
        return new Parser(convertLegacyVariables(text)).parseAll();
    }

    static String convertLegacyVariables(String text) {
        if (!text.contains("${")) {
            return text;
        }
        Matcher matcher = LEGACY_VARIABLE.matcher(text);
        return matcher.replaceAll(match -> Matcher.quoteReplacement(WHITESPACE.matcher(match.group()).replaceAll("")));
    }

    /** drone/envsubst's parse/scan.go: a scanner whose modes and accept rules the parser switches per position. */
    private static final class Scanner {
        static final int EOF = -1;
        static final int IDENT = 1;
        static final int LBRACK = 2;
        static final int RBRACK = 4;
        static final int ESCAPE = 8;
        static final int ESCAPE_DOLLAR = 1;
        static final int ESCAPE_BACKSLASH = 2;

        enum Token { ILLEGAL, EOF, IDENT, LBRACK, RBRACK }

        interface Accept {
            boolean test(int c, int i);
        }

        private final StringBuilder buf;
        private int pos;
        private int start;
        private int width;
        int mode;
        int escapeChars;
        Accept accept;

        Scanner(String text) {
            this.buf = new StringBuilder(text);
        }

        int read() {
            if (pos >= buf.length()) {
                width = 0;
                return EOF;
            }
            width = 1;
            return buf.charAt(pos++);
        }

        void unread() {
            pos -= width;
        }

        /** Drops the character just read from the text, keeping the position: what an escape does. */
        void skip() {
            buf.deleteCharAt(pos - 1);
        }

        int peek() {
            int c = read();
            unread();
            return c;
        }

        String string() {
            return buf.substring(start, pos);
        }

        Token scan() {
            start = pos;
            int c = read();
            if (c == EOF) {
                return Token.EOF;
            }
            if (scanLbrack(c)) {
                return Token.LBRACK;
            }
            if (scanRbrack(c)) {
                return Token.RBRACK;
            }
            if (scanIdent(c)) {
                return Token.IDENT;
            }
            return Token.ILLEGAL;
        }

        private boolean scanIdent(int c) {
            if ((mode & IDENT) == 0) {
                return false;
            }
            if (scanEscaped(c)) {
                skip();
            } else if (!accept.test(c, pos - start)) {
                return false;
            }
            while (true) {
                int next = read();
                if (next == EOF) {
                    unread();
                    break;
                }
                if (scanLbrack(next)) {
                    unread();
                    unread();
                    break;
                }
                if (scanEscaped(next)) {
                    skip();
                    continue;
                }
                if (!accept.test(next, pos - start)) {
                    unread();
                    break;
                }
            }
            return true;
        }

        private boolean scanLbrack(int c) {
            if ((mode & LBRACK) == 0) {
                return false;
            }
            if (c == '$') {
                if (read() == '{') {
                    return true;
                }
                unread();
            }
            return false;
        }

        private boolean scanRbrack(int c) {
            return (mode & RBRACK) != 0 && c == '}';
        }

        private boolean scanEscaped(int c) {
            if ((mode & ESCAPE) == 0) {
                return false;
            }
            if (c == '$' && (escapeChars & ESCAPE_DOLLAR) != 0 && peek() == '$') {
                return true;
            }
            if (c == '\\' && (escapeChars & ESCAPE_BACKSLASH) != 0) {
                int next = peek();
                return next == '/' || next == '\\';
            }
            return false;
        }
    }

    /** drone/envsubst's parse/parse.go, its productions one method each. */
    private static final class Parser {
        private static final Scanner.Accept ANY = (c, i) -> true;
        private static final Scanner.Accept IDENTIFIER = (c, i) -> Character.isLetter(c) || Character.isDigit(c) || c == '_';
        private static final Scanner.Accept COLON = (c, i) -> c == ':';
        private static final Scanner.Accept ONE_HASH = (c, i) -> c == '#' && i == 1;
        private static final Scanner.Accept NOT_CLOSING = (c, i) -> c != '}';
        private static final Scanner.Accept HASH_FUNCTION = (c, i) -> c == '#' && i < 3;
        private static final Scanner.Accept PERCENT_FUNCTION = (c, i) -> c == '%' && i < 3;
        private static final Scanner.Accept DEFAULT_FUNCTION = (c, i) -> (i == 1 && c == ':')
                || (i == 2 && (c == '=' || c == '-' || c == '?' || c == '+'));
        private static final Scanner.Accept REPLACE_FUNCTION = (c, i) -> (i == 1 && c == '/')
                || (i == 2 && (c == '/' || c == '#' || c == '%'));
        private static final Scanner.Accept ONE_EQUAL = (c, i) -> i == 1 && c == '=';
        private static final Scanner.Accept ONE_COLON = (c, i) -> i == 1 && c == ':';
        private static final Scanner.Accept NOT_COLON_OR_CLOSING = (c, i) -> c != ':' && c != '}';
        private static final Scanner.Accept SLASH = (c, i) -> c == '/';
        private static final Scanner.Accept NOT_SLASH = (c, i) -> c != '/';
        private static final Scanner.Accept CASING_FUNCTION = (c, i) -> (c == ',' || c == '^') && i < 3;

        private final Scanner scanner;

        Parser(String text) {
            this.scanner = new Scanner(text);
        }

        Template parseAll() {
            List<Node> nodes = new ArrayList<>();
            while (true) {
                scanner.accept = ANY;
                scanner.mode = Scanner.IDENT | Scanner.LBRACK | Scanner.ESCAPE;
                scanner.escapeChars = Scanner.ESCAPE_DOLLAR;
                switch (scanner.scan()) {
                    case IDENT -> nodes.add(new Text(scanner.string()));
                    case LBRACK -> nodes.add(parseFunction());
                    case EOF -> {
                        return new Template(Collections.unmodifiableList(nodes));
                    }
                    default -> throw bad("bad substitution");
                }
            }
        }

        private Node parseFunction() {
            scanner.escapeChars = Scanner.ESCAPE_DOLLAR | Scanner.ESCAPE_BACKSLASH;
            if (scanner.peek() == '#') {
                return parseLength();
            }
            scanner.accept = IDENTIFIER;
            scanner.mode = Scanner.IDENT;
            if (scanner.scan() != Scanner.Token.IDENT) {
                throw bad("unable to parse variable name");
            }
            String name = scanner.string();
            switch (scanner.peek()) {
                case ':':
                    return parseDefaultOrSubstring(name);
                case '=':
                    return parseDefault(name);
                case ',', '^':
                    return parseCasing(name);
                case '/':
                    return parseReplace(name);
                case '#':
                    return parseRemove(name, HASH_FUNCTION);
                case '%':
                    return parseRemove(name, PERCENT_FUNCTION);
                default:
                    break;
            }
            scanner.accept = IDENTIFIER;
            scanner.mode = Scanner.RBRACK;
            if (scanner.scan() != Scanner.Token.RBRACK) {
                throw bad("missing closing brace");
            }
            return new Substitution(name, "", List.of());
        }

        private Node parseParameter(Scanner.Accept accept, int mode) {
            scanner.accept = accept;
            scanner.mode = mode | Scanner.LBRACK;
            return switch (scanner.scan()) {
                case LBRACK -> parseFunction();
                case IDENT, RBRACK -> new Text(scanner.string());
                default -> throw bad("unable to parse substitution within function");
            };
        }

        private Node parseDefaultOrSubstring(String name) {
            scanner.read();
            int next = scanner.peek();
            scanner.unread();
            return next == '=' || next == '-' || next == '?' || next == '+' ? parseDefault(name) : parseSubstring(name);
        }

        private Node parseSubstring(String name) {
            List<Node> args = new ArrayList<>();
            String function = scanFunctionName(ONE_COLON);
            args.add(parseParameter(NOT_COLON_OR_CLOSING, Scanner.IDENT));
            scanner.accept = COLON;
            scanner.mode = Scanner.IDENT | Scanner.RBRACK;
            switch (scanner.scan()) {
                case RBRACK -> {
                    return new Substitution(name, function, args);
                }
                case IDENT -> {
                }
                default -> throw bad("bad substitution");
            }
            args.add(parseParameter(NOT_CLOSING, Scanner.IDENT));
            consumeClosingBrace();
            return new Substitution(name, function, args);
        }

        private Node parseRemove(String name, Scanner.Accept accept) {
            String function = scanFunctionName(accept);
            Node pattern = parseParameter(NOT_CLOSING, Scanner.IDENT);
            consumeClosingBrace();
            return new Substitution(name, function, List.of(pattern));
        }

        private Node parseReplace(String name) {
            List<Node> args = new ArrayList<>();
            String function = scanFunctionName(REPLACE_FUNCTION);
            args.add(parseParameter(NOT_SLASH, Scanner.IDENT | Scanner.ESCAPE));
            scanner.accept = SLASH;
            scanner.mode = Scanner.IDENT;
            if (scanner.scan() != Scanner.Token.IDENT) {
                throw bad("bad substitution");
            }
            if (scanner.peek() != '}') {
                args.add(parseParameter(NOT_CLOSING, Scanner.IDENT | Scanner.ESCAPE));
            }
            consumeClosingBrace();
            return new Substitution(name, function, args);
        }

        private Node parseDefault(String name) {
            scanner.accept = scanner.peek() == '=' ? ONE_EQUAL : DEFAULT_FUNCTION;
            scanner.mode = Scanner.IDENT;
            if (scanner.scan() != Scanner.Token.IDENT) {
                throw bad("unable to parse default function");
            }
            String function = scanner.string();
            List<Node> args = new ArrayList<>();
            while (scanner.peek() != '}') {
                args.add(parseParameter(NOT_CLOSING, Scanner.IDENT));
            }
            consumeClosingBrace();
            return new Substitution(name, function, args);
        }

        private Node parseCasing(String name) {
            String function = scanFunctionName(CASING_FUNCTION);
            consumeClosingBrace();
            return new Substitution(name, function, List.of());
        }

        private Node parseLength() {
            String function = scanFunctionName(ONE_HASH);
            scanner.accept = IDENTIFIER;
            scanner.mode = Scanner.IDENT;
            if (scanner.scan() != Scanner.Token.IDENT) {
                throw bad("bad substitution");
            }
            String name = scanner.string();
            consumeClosingBrace();
            return new Substitution(name, function, List.of());
        }

        private String scanFunctionName(Scanner.Accept accept) {
            scanner.accept = accept;
            scanner.mode = Scanner.IDENT;
            if (scanner.scan() != Scanner.Token.IDENT) {
                throw bad("bad substitution");
            }
            return scanner.string();
        }

        private void consumeClosingBrace() {
            scanner.mode = Scanner.RBRACK;
            if (scanner.scan() != Scanner.Token.RBRACK) {
                throw bad("bad substitution");
            }
        }

        private BadSubstitutionException bad(String reason) {
            int from = Math.max(0, scanner.start - 20);
            int to = Math.min(scanner.buf.length(), scanner.pos + 20);
            return new BadSubstitutionException(reason + " near \"" + scanner.buf.substring(from, to) + "\"");
        }
    }

    /** drone/envsubst's funcs.go and the name-to-function table of its template.go, lookupFunc. */
    static final class Functions {

        private Functions() {
        }

        static String apply(String name, String value, List<String> args) {
            return switch (name) {
                case "," -> value.isEmpty() ? value : value.substring(0, 1).toLowerCase(Locale.ROOT) + value.substring(1);
                case ",," -> value.toLowerCase(Locale.ROOT);
                case "^" -> value.isEmpty() ? value : value.substring(0, 1).toUpperCase(Locale.ROOT) + value.substring(1);
                case "^^" -> value.toUpperCase(Locale.ROOT);
                case "#" -> args.isEmpty() ? String.valueOf(value.getBytes(StandardCharsets.UTF_8).length)
                        : trimShortestPrefix(value, args.get(0));
                case "##" -> args.isEmpty() ? value : trimLongestPrefix(value, args.get(0));
                case "%" -> args.isEmpty() ? value : reverse(trimShortestPrefix(reverse(value), reverse(args.get(0))));
                case "%%" -> args.isEmpty() ? value : reverse(trimLongestPrefix(reverse(value), reverse(args.get(0))));
                case ":" -> substring(value, args);
                case "/#" -> args.size() == 2 && value.startsWith(args.get(0))
                        ? args.get(1) + value.substring(args.get(0).length()) : value;
                case "/%" -> args.size() == 2 && value.endsWith(args.get(0))
                        ? value.substring(0, value.length() - args.get(0).length()) + args.get(1) : value;
                case "/" -> args.isEmpty() ? value : replace(value, args.get(0), args.size() > 1 ? args.get(1) : "", false);
                case "//" -> args.isEmpty() ? value : replace(value, args.get(0), args.size() > 1 ? args.get(1) : "", true);
                // "", "=", ":=", ":-", ":?", ":+", "-", "+" and anything else: the value, or else the default
                default -> value.isEmpty() && !args.isEmpty() ? String.join("", args) : value;
            };
        }

        /** Go's strings.Replace: an empty pattern matches before every character and at the end. */
        private static String replace(String value, String pattern, String replacement, boolean all) {
            if (pattern.isEmpty()) {
                if (!all) {
                    return replacement + value;
                }
                StringBuilder out = new StringBuilder(replacement);
                for (char c : value.toCharArray()) {
                    out.append(c).append(replacement);
                }
                return out.toString();
            }
            return all ? value.replace(pattern, replacement) : value.replaceFirst(Pattern.quote(pattern),
                    Matcher.quoteReplacement(replacement));
        }

        private static String substring(String value, List<String> args) {
            int position;
            try {
                position = Integer.parseInt(args.get(0));
            } catch (NumberFormatException e) {
                return value;
            }
            if (position < 0) {
                position = Math.max(0, value.length() + position);
            }
            if (args.size() == 1) {
                return position < value.length() ? value.substring(position) : "";
            }
            int length;
            try {
                length = Integer.parseInt(args.get(1));
            } catch (NumberFormatException e) {
                return value;
            }
            if (position + length >= value.length()) {
                return position < value.length() ? value.substring(position) : "";
            }
            return value.substring(position, position + length);
        }

        /** The shortest prefix that the glob matches, removed; an invalid glob leaves the value. */
        private static String trimShortestPrefix(String value, String glob) {
            Pattern pattern = Glob.toPattern(glob);
            if (pattern == null) {
                return value;
            }
            String shortest = "";
            for (int end = value.length(); end > 0; end--) {
                if (pattern.matcher(value.substring(0, end)).matches()) {
                    shortest = value.substring(0, end);
                }
            }
            return value.substring(shortest.length());
        }

        private static String trimLongestPrefix(String value, String glob) {
            Pattern pattern = Glob.toPattern(glob);
            if (pattern == null) {
                return value;
            }
            for (int end = value.length(); end > 0; end--) {
                if (pattern.matcher(value.substring(0, end)).matches()) {
                    return value.substring(end);
                }
            }
            return value;
        }

        private static String reverse(String value) {
            return new StringBuilder(value).reverse().toString();
        }
    }

    /** Go's path.Match patterns: {@code *} and {@code ?} stop at {@code /}, {@code [...]} classes, {@code \} escapes. */
    static final class Glob {

        private Glob() {
        }

        /** The pattern as a regular expression, or null where path.Match reports a bad pattern. */
        static Pattern toPattern(String glob) {
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                switch (c) {
                    case '*' -> regex.append("[^/]*");
                    case '?' -> regex.append("[^/]");
                    case '\\' -> {
                        if (++i >= glob.length()) {
                            return null;
                        }
                        regex.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                    }
                    case '[' -> {
                        int end = classEnd(glob, i + 1);
                        if (end < 0) {
                            return null;
                        }
                        regex.append(characterClass(glob.substring(i + 1, end)));
                        i = end;
                    }
                    default -> regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString(), Pattern.DOTALL);
        }

        private static int classEnd(String glob, int from) {
            int i = from;
            if (i < glob.length() && glob.charAt(i) == '^') {
                i++;
            }
            boolean first = true;
            for (; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c == ']' && !first) {
                    return i;
                }
                if (c == '\\') {
                    i++;
                }
                first = false;
            }
            return -1;
        }

        private static String characterClass(String body) {
            StringBuilder out = new StringBuilder("[");
            int i = 0;
            if (body.startsWith("^")) {
                out.append('^');
                i = 1;
            }
            for (; i < body.length(); i++) {
                char c = body.charAt(i);
                if (c == '\\' && i + 1 < body.length()) {
                    c = body.charAt(++i);
                    out.append('\\').append(c);
                } else if (c == '-') {
                    out.append('-');
                } else {
                    out.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
                }
            }
            return out.append(']').toString();
        }
    }
}
