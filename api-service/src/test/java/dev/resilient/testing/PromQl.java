package dev.resilient.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The queries of observability/ (Grafana dashboards, Prometheus alert rules) and the metric names they read. Not a
 * PromQL parser: it drops strings, label matchers, ranges and grouping clauses, then keeps the identifiers that are
 * not functions, keywords or Grafana variables, which is what the files in observability/ need.
 */
public final class PromQl {

    private static final Set<String> KEYWORDS = Set.of(
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "and",
            "or",
            "unless",
            "offset",
            "inf",
            "nan");
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![0-9.$\\w])[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Pattern RULE_EXPR = Pattern.compile("^(\\s*)(?:- )?expr:\\s*(.*)$");

    private PromQl() {}

    /** Metric names read by a PromQL expression. */
    public static Set<String> metricNames(String expression) {
        var rest = STRINGS.matcher(expression).replaceAll("\"\"");
        rest = rest.replaceAll("#[^\n]*", " ").replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        var names = new TreeSet<String>();
        var identifiers = IDENTIFIER.matcher(rest);
        while (identifiers.find()) {
            var name = identifiers.group();
            var isFunction = rest.substring(identifiers.end()).stripLeading().startsWith("(");
            if (!isFunction && !KEYWORDS.contains(name.toLowerCase())) {
                names.add(name);
            }
        }
        return names;
    }

    /** Every {@code expr} of a Grafana dashboard (panels, nested rows) and the query of each template variable. */
    public static List<String> dashboardQueries(Path dashboard) {
        try {
            var queries = new ArrayList<String>();
            collect(new ObjectMapper().readTree(dashboard.toFile()), queries);
            return queries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void collect(JsonNode node, List<String> queries) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getValue().isTextual() && field.getKey().equals("expr")) {
                    queries.add(field.getValue().asText());
                } else if (field.getKey().equals("query") && field.getValue().isTextual()) {
                    queries.add(unwrapLabelValues(field.getValue().asText()));
                } else if (field.getKey().equals("query") && field.getValue().has("query")) {
                    queries.add(unwrapLabelValues(field.getValue().get("query").asText()));
                } else {
                    collect(field.getValue(), queries);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, queries));
        }
    }

    /** {@code label_values(metric{...}, label)} reads {@code metric}. */
    private static String unwrapLabelValues(String query) {
        var matcher =
                Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\s*\\)\\s*$").matcher(query);
        return matcher.matches() ? matcher.group(1) : query;
    }

    /** Every {@code expr:} of a Prometheus rules file, inline or as a block scalar ({@code |} or {@code >}). */
    public static List<String> ruleExpressions(Path rules) {
        try {
            var lines = Files.readAllLines(rules);
            var expressions = new ArrayList<String>();
            for (int i = 0; i < lines.size(); i++) {
                var matcher = RULE_EXPR.matcher(lines.get(i));
                if (!matcher.matches()) {
                    continue;
                }
                var value = matcher.group(2).strip();
                if (!value.startsWith("|") && !value.startsWith(">")) {
                    expressions.add(value.replaceAll("^['\"]|['\"]$", ""));
                    continue;
                }
                var indent = matcher.group(1).length();
                var block = new StringBuilder();
                while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || indentOf(lines.get(i + 1)) > indent)) {
                    block.append(lines.get(++i).strip()).append('\n');
                }
                expressions.add(block.toString());
            }
            return expressions;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indentOf(String line) {
        return line.length() - line.stripLeading().length();
    }
}
