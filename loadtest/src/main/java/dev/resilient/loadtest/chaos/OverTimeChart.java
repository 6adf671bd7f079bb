package dev.resilient.loadtest.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The run over time as one SVG (no library needed for two line charts): answers per second by request kind with the
 * refused (503) and failed ones apart, and each second's p99 latency of reads and writes on a log scale; the fault
 * window shaded in both.
 */
final class OverTimeChart {

    private static final int WIDTH = 960;
    private static final int PANEL = 230;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int GAP = 60;
    private static final double MIN_MS = 1;
    private static final double MAX_MS = 10_000;

    private record Series(String label, String colour, double[] values) {}

    private final RunRecord run;
    private final long start;
    private final int seconds;
    private final StringBuilder svg = new StringBuilder();

    private OverTimeChart(RunRecord run) {
        this.run = run;
        this.start = run.loadStartMs();
        this.seconds = (int) Math.max(1, (run.loadEndMs() - start) / 1000 + 1);
    }

    static String render(RunRecord run) {
        return new OverTimeChart(run).draw();
    }

    private String draw() {
        var height = TOP + 2 * PANEL + GAP + 40;
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                        + "font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                WIDTH, height));
        text(LEFT, 18, 14, run.scenario() + ": " + run.users() + " users, fault shaded");

        var throughput = List.of(
                new Series("read/s", "#1f77b4", perSecond(Expectation.kind(Request.READ))),
                new Series("write/s", "#2ca02c", perSecond(Expectation.kind(Request.WRITE))),
                new Series("poll/s", "#9467bd", perSecond(Expectation.kind(Request.POLL))),
                new Series("503 or failed/s", "#d62728", perSecond(Request::isRefusedOrFailed)));
        var peak = throughput.stream().flatMapToDouble(series -> java.util.Arrays.stream(series.values())).max()
                .orElse(1);
        panel(TOP, "answers per second", throughput, 0, niceCeiling(peak), false);

        var latency = List.of(
                new Series("read p99 ms", "#1f77b4", p99PerSecond(Expectation.kind(Request.READ))),
                new Series("write p99 ms", "#2ca02c", p99PerSecond(Expectation.kind(Request.WRITE))));
        panel(TOP + PANEL + GAP, "p99 latency per second (ms, log scale)", latency, MIN_MS, MAX_MS, true);

        svg.append("</svg>\n");
        return svg.toString();
    }

    private void panel(int top, String title, List<Series> series, double low, double high, boolean log) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        text(LEFT, top - 8, 12, title);
        // the fault window
        double faultFrom = (run.faultStartMs() - start) / 1000.0;
        double faultTo = (run.faultEndMs() - start) / 1000.0;
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f2d7d5\"/>%n",
                x(faultFrom), top, Math.max(1, x(faultTo) - x(faultFrom)), PANEL));
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                LEFT, top, plotWidth, PANEL));
        // y ticks
        var ticks = new ArrayList<Double>();
        if (log) {
            for (double tick = MIN_MS; tick <= MAX_MS; tick *= 10) {
                ticks.add(tick);
            }
        } else {
            for (int i = 0; i <= 4; i++) {
                ticks.add(low + (high - low) * i / 4);
            }
        }
        for (var tick : ticks) {
            var y = y(tick, top, low, high, log);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, LEFT + plotWidth, y));
            text(4, y + 4, 10, String.format(Locale.ROOT, "%,.0f", tick));
        }
        // x ticks every 10 % of the run, in seconds from the first answer
        var step = Math.max(1, niceCeiling(seconds / 10.0));
        for (double second = 0; second <= seconds; second += step) {
            text(x(second) - 8, top + PANEL + 14, 10, String.format(Locale.ROOT, "%.0fs", second));
        }
        // the series and their legend
        int legendX = LEFT + 8;
        for (var line : series) {
            var points = new StringBuilder();
            for (int second = 0; second < line.values().length; second++) {
                var value = line.values()[second];
                if (log && value <= 0) {
                    continue; // no answer of that kind in that second
                }
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(second + 0.5),
                        y(Math.max(low, Math.min(high, value)), top, low, high, log)));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" points=\"%s\"/>%n",
                    line.colour(), points.toString().trim()));
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/>%n",
                    legendX, top + 10, line.colour()));
            text(legendX + 14, top + 15, 10, line.label());
            legendX += 20 + 7 * line.label().length();
        }
    }

    private double[] perSecond(Predicate<Request> matching) {
        var counts = new double[seconds];
        for (var request : run.requests) {
            if (request.isHttp() && matching.test(request)) {
                counts[second(request)]++;
            }
        }
        return counts;
    }

    private double[] p99PerSecond(Predicate<Request> matching) {
        var buckets = new ArrayList<List<Request>>();
        for (int i = 0; i < seconds; i++) {
            buckets.add(new ArrayList<>());
        }
        run.requests.stream().filter(matching).forEach(request -> buckets.get(second(request)).add(request));
        return buckets.stream().mapToDouble(bucket -> Stats.percentile(bucket, 99)).toArray();
    }

    private int second(Request request) {
        return (int) Math.min(seconds - 1, Math.max(0, (request.endMs() - start) / 1000));
    }

    private double x(double second) {
        return LEFT + (WIDTH - LEFT - RIGHT) * second / seconds;
    }

    private static double y(double value, int top, double low, double high, boolean log) {
        var fraction = log
                ? (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))
                : (value - low) / (high - low);
        return top + PANEL - PANEL * fraction;
    }

    private void text(double x, double y, int size, String text) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\">%s</text>%n", x, y, size,
                text.replace("&", "&amp;").replace("<", "&lt;")));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code value}. */
    private static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        var power = Math.pow(10, Math.floor(Math.log10(value)));
        for (var factor : new double[] {1, 2, 5, 10}) {
            if (factor * power >= value) {
                return factor * power;
            }
        }
        return 10 * power;
    }
}
