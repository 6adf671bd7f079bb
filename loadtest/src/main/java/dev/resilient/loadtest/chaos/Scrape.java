package dev.resilient.loadtest.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One scrape of a service's {@code /q/metrics} (Prometheus text), saved by chaos.sh at a moment of the run. Missing
 * when the service was down at that moment: then every value reads as zero. Exemplars ({@code # {trace_id=..}}) are
 * skipped.
 */
final class Scrape {

    record Sample(String name, String labels, double value) {

        String label(String label) {
            var matcher = Pattern.compile(label + "=\"([^\"]*)\"").matcher(labels);
            return matcher.find() ? matcher.group(1) : "";
        }
    }

    static final Scrape EMPTY = new Scrape(List.of());

    private final List<Sample> samples;

    private Scrape(List<Sample> samples) {
        this.samples = samples;
    }

    static Scrape read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return EMPTY;
        }
        return new Scrape(Files.readAllLines(file).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(Scrape::sample)
                .toList());
    }

    boolean isEmpty() {
        return samples.isEmpty();
    }

    /** The values of one metric summed per value of a label, e.g. breaker transitions per dependency. */
    Map<String, Double> sumBy(String name, String label) {
        var sums = new TreeMap<String, Double>();
        samples.stream()
                .filter(sample -> sample.name().equals(name))
                .forEach(sample -> sums.merge(sample.label(label), sample.value(), Double::sum));
        return sums;
    }

    private static Sample sample(String line) {
        var exemplar = line.indexOf(" # ");
        var body = exemplar < 0 ? line : line.substring(0, exemplar);
        var open = body.indexOf('{');
        var close = body.lastIndexOf('}');
        var name = open < 0 ? body.substring(0, body.indexOf(' ')) : body.substring(0, open);
        var labels = open < 0 ? "" : body.substring(open + 1, close);
        var value = body.substring(open < 0 ? name.length() : close + 1).trim().split("\\s+")[0];
        return new Sample(name, labels, Double.parseDouble(value));
    }
}
