package dev.keytrust.bench;

import dev.keytrust.internal.json.JsonException;
import dev.keytrust.internal.json.StrictJson;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * Turns one benchmark run into a report: JMH's JSON result file (and, when present, the {@link
 * ToolTimings} file and a free-text machine description) become {@code report.md}, with every
 * figure and its error, the ratios the benchmarks were built for, and {@code ratios.png}, a bar
 * chart of those ratios on a log scale. Headless AWT, no dependencies beyond the JDK.
 *
 * <p>A ratio's error is propagated from the two scores' errors as for independent quantities:
 * {@code err(a/b) = (a/b) * sqrt((err(a)/a)^2 + (err(b)/b)^2)}. JMH's error is the half-width of its
 * 99.9 % confidence interval, so the ratio's error is an approximate interval of the same kind. A
 * score without an error (one iteration) gives a ratio without one.
 *
 * <p>Usage: {@code java -cp keytrust-benchmarks.jar dev.keytrust.bench.BenchReport --jmh
 * jmh-result.json --out DIR [--tools tools.tsv] [--machine machine.txt] [--title TEXT]}.
 */
public final class BenchReport {
  /** One JMH result; {@code benchmark} is {@code Class.method} without the package. */
  record Result(String benchmark, String mode, Map<String, String> params, double score, double error, String unit,
      long samples) {
    double nanos() {
      return score * nanosPer(unit);
    }

    double errorNanos() {
      return error * nanosPer(unit);
    }

    String paramText() {
      return params.isEmpty() ? "" : params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(", "));
    }

    String label() {
      return params.isEmpty() ? benchmark : benchmark + " [" + paramText() + "]";
    }
  }

  /** A ratio of two results of the same run. */
  record Ratio(String category, Result numerator, Result denominator, double value, double error) {
    String label() {
      return shortLabel(numerator) + " / " + shortLabel(denominator);
    }
  }

  /** A context figure from {@link ToolTimings}. */
  record Tool(String name, String unit, double median, double min, double max, int n, String note) {}

  /** Which results to divide: numerator and denominator names, fixed parameters, and parameters that must agree. */
  record Spec(String category, String numerator, Map<String, String> numFixed, String denominator,
      Map<String, String> denFixed, List<String> match) {}

  static final String STACK = "TPM stack / raw bytes";
  static final String CODEC = "KeyCredentialLink codec / SHA-256 bound";
  static final String BC_JCA = "Bouncy Castle / JCA";
  static final String TPM_JCA = "TPM (swtpm) / JCA";
  static final String PIN = "PIN path";
  static final String SESSIONS = "HMAC + encrypted sessions / password sessions (per sign)";

  static final List<Spec> SPECS = specs();

  private BenchReport() {}

  private static List<Spec> specs() {
    List<Spec> l = new ArrayList<>();
    Map<String, String> none = Map.of();
    l.add(new Spec(STACK, "TpmKeyBenchmark.getRandom32", none, "TpmKeyBenchmark.getRandom32Raw", none,
        List.of("transport")));
    l.add(new Spec(STACK, "TpmKeyBenchmark.signDigestPassword", none, "TpmKeyBenchmark.signDigestRaw", none,
        List.of("alg", "transport")));
    l.add(new Spec(SESSIONS, "TpmKeyBenchmark.signDigestInTpm", none, "TpmKeyBenchmark.signDigestPassword", none,
        List.of("alg", "transport")));
    l.add(new Spec(STACK, "TpmKeyBenchmark.signLoadedTss", none, "TpmKeyBenchmark.signLoadedRaw", none,
        List.of("alg", "transport")));
    l.add(new Spec(STACK, "ProvisioningBenchmark.flow", none, "ProvisioningBenchmark.flowTpmCommandsRaw", none,
        List.of("alg", "transport")));
    for (String m : List.of("build", "serialize", "parse", "parseAndValidate", "parseAndValidateNoRoca", "dnBinaryFormat",
        "dnBinaryParse")) {
      l.add(new Spec(CODEC, "KeyCredentialBenchmark." + m, none, "KeyCredentialBenchmark.sha256Twice", none,
          List.of("alg")));
    }
    for (String m : List.of("generate", "signDigest", "verifyDigest")) {
      l.add(new Spec(BC_JCA, "CryptoBenchmark." + m, Map.of("provider", "bc"), "CryptoBenchmark." + m,
          Map.of("provider", "jca"), List.of("alg")));
    }
    l.add(new Spec(TPM_JCA, "TpmKeyBenchmark.createSigningKey", none, "CryptoBenchmark.generate",
        Map.of("provider", "jca"), List.of("alg")));
    l.add(new Spec(TPM_JCA, "TpmKeyBenchmark.signDigestInTpm", none, "CryptoBenchmark.signDigest",
        Map.of("provider", "jca"), List.of("alg")));
    l.add(new Spec(TPM_JCA, "TpmKeyBenchmark.signLoadedRaw", none, "CryptoBenchmark.signDigest",
        Map.of("provider", "jca"), List.of("alg")));
    l.add(new Spec(PIN, "TpmKeyBenchmark.signDigestWrongPin", none, "TpmKeyBenchmark.signDigestInTpm", none,
        List.of("alg", "transport")));
    l.add(new Spec(PIN, "SoftwareKeyBenchmark.argon2id", none, "TpmKeyBenchmark.signDigestWrongPin",
        Map.of("alg", "p256", "transport", "tcp"), List.of()));
    return List.copyOf(l);
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    if (!opts.containsKey("--jmh") || !opts.containsKey("--out")) {
      System.err.println("usage: BenchReport --jmh jmh-result.json --out DIR [--tools tools.tsv] [--machine machine.txt]"
          + " [--title TEXT]");
      System.exit(2);
    }
    Path out = Files.createDirectories(Path.of(opts.get("--out")));
    List<Result> results = readJmh(Path.of(opts.get("--jmh")));
    List<Tool> tools = opts.containsKey("--tools") && Files.exists(Path.of(opts.get("--tools")))
        ? readTools(Path.of(opts.get("--tools"))) : List.of();
    String machine = opts.containsKey("--machine") && Files.exists(Path.of(opts.get("--machine")))
        ? Files.readString(Path.of(opts.get("--machine"))) : "";
    List<String[]> goals = opts.containsKey("--goals") && Files.exists(Path.of(opts.get("--goals")))
        ? readGoals(Path.of(opts.get("--goals"))) : new ArrayList<>();
    goals.addAll(codecGoals(results));
    goals.sort(Comparator.comparing(g -> g[0]));
    write(results, tools, machine, opts.getOrDefault("--title", "keytrust benchmark report"), out, goals);
    System.out.println("Report: " + out.resolve("report.md") + " and " + out.resolve("ratios.png"));
  }

  /** Writes {@code report.md} and {@code ratios.png} into {@code out}. */
  static void write(List<Result> results, List<Tool> tools, String machine, String title, Path out)
      throws IOException {
    write(results, tools, machine, title, out, List.of());
  }

  /** {@link #write(List, List, String, String, Path)} with issue 17's goals as a table first. */
  static void write(List<Result> results, List<Tool> tools, String machine, String title, Path out,
      List<String[]> goals) throws IOException {
    List<Ratio> ratios = ratios(results);
    String md = markdown(results, ratios, tools, machine, title);
    if (!goals.isEmpty()) {
      int at = md.indexOf("## Ratios");
      md = md.substring(0, at) + goalsMarkdown(goals) + md.substring(at);
    }
    Files.writeString(out.resolve("report.md"), md, StandardCharsets.UTF_8);
    ImageIO.write(chart(ratios, title), "png", out.resolve("ratios.png").toFile());
  }

  // ---- input ---------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  static List<Result> readJmh(Path file) throws IOException {
    Object root;
    try {
      root = StrictJson.parse(Files.readAllBytes(file), Integer.MAX_VALUE, 64);
    } catch (JsonException e) {
      throw new IOException(file + " is not JMH's JSON: " + e.getMessage(), e);
    }
    List<Result> results = new ArrayList<>();
    for (Object o : (List<Object>) root) {
      Map<String, Object> r = (Map<String, Object>) o;
      String name = (String) r.get("benchmark");
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      Map<String, String> params = new TreeMap<>();
      if (r.get("params") instanceof Map<?, ?> p) {
        p.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
      }
      Map<String, Object> metric = (Map<String, Object>) r.get("primaryMetric");
      long samples = 0;
      if (metric.get("rawData") instanceof List<?> forks) {
        for (Object f : forks) {
          samples += ((List<?>) f).size();
        }
      }
      if (metric.get("rawDataHistogram") instanceof List<?> forks) {
        samples = 0;
        for (Object f : forks) {
          for (Object iteration : (List<?>) f) {
            for (Object bin : (List<?>) iteration) {
              samples += (long) number(((List<?>) bin).get(1));
            }
          }
        }
      }
      results.add(new Result(name, (String) r.get("mode"), params, number(metric.get("score")),
          number(metric.get("scoreError")), (String) metric.get("scoreUnit"), samples));
    }
    return results;
  }

  /** A JMH number: a JSON number, or a string such as "NaN" (JMH writes non-finite values so). */
  static double number(Object o) {
    if (o instanceof BigDecimal d) {
      return d.doubleValue();
    }
    if (o instanceof String str) {
      try {
        return Double.parseDouble(str);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  static List<Tool> readTools(Path file) throws IOException {
    List<Tool> tools = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", -1);
      if (f.length >= 7) {
        tools.add(new Tool(f[0], f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
            Integer.parseInt(f[5]), f[6]));
      }
    }
    return tools;
  }

  static double nanosPer(String unit) {
    return switch (unit) {
      case "ns/op" -> 1;
      case "us/op" -> 1e3;
      case "ms/op" -> 1e6;
      case "s/op" -> 1e9;
      default -> throw new IllegalArgumentException("unsupported unit " + unit + " (use average or sample time)");
    };
  }

  // ---- issue 17's goals ------------------------------------------------------------------------

  /**
   * goals.tsv: goal, what, ratio, comparator ({@code <=} or {@code >=}), target, met / not met,
   * details; one line per goal, written by the harnesses of the same run (IssueGoals,
   * SessionOverhead, the CLI pair and the fleet in bench.sh).
   */
  static List<String[]> readGoals(Path file) throws IOException {
    List<String[]> goals = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", -1);
      if (f.length >= 7) {
        goals.add(f);
      }
    }
    return goals;
  }

  /** Goal 3 from the JMH results: parse ≤ 2 and parseAndValidateNoRoca ≤ 4 × sha256Twice, per algorithm. */
  static List<String[]> codecGoals(List<Result> results) {
    List<String[]> goals = new ArrayList<>();
    for (Ratio r : ratios(results)) {
      if (!r.category().equals(CODEC)) {
        continue;
      }
      String m = r.numerator().benchmark();
      double target = m.endsWith(".parse") ? 2 : m.endsWith(".parseAndValidateNoRoca") ? 4 : Double.NaN;
      if (Double.isNaN(target)) {
        continue;
      }
      String alg = r.numerator().params().getOrDefault("alg", "");
      goals.add(new String[] {"3", "KeyCredential." + m.substring(m.indexOf('.') + 1).replace("NoRoca", " (no ROCA)")
          + " / two SHA-256 passes of the blob, " + alg + " (JMH, forked)", String.format(Locale.ROOT, "%.3g",
          r.value()), "<=", IssueGoals.num(target), r.value() <= target ? "met" : "not met",
          withError(r.numerator().score(), r.numerator().error(), " " + r.numerator().unit()) + " against "
              + withError(r.denominator().score(), r.denominator().error(), " " + r.denominator().unit())
              + "; ratio ± " + num(r.error())});
    }
    return goals;
  }

  static String goalsMarkdown(List<String[]> goals) {
    StringBuilder md = new StringBuilder("## Issue 17's goals\n\nEach a ratio from this run; the section of each"
        + " harness below says how its two sides were measured.\n\n"
        + "| Goal | Ratio | Bound | Met | What | Figures |\n|---|---|---|---|---|---|\n");
    for (String[] g : goals) {
      md.append("| ").append(g[0]).append(" | **").append(g[2]).append("** | ")
          .append(g[3].replace("<=", "≤").replace(">=", "≥")).append(' ').append(g[4]).append(" | ").append(g[5])
          .append(" | ").append(g[1]).append(" | ").append(g[6]).append(" |\n");
    }
    return md.append("\n").toString();
  }

  // ---- ratios --------------------------------------------------------------------------------

  static List<Ratio> ratios(List<Result> results) {
    List<Ratio> ratios = new ArrayList<>();
    for (Spec spec : SPECS) {
      for (Result num : results) {
        if (!num.benchmark().equals(spec.numerator()) || !has(num, spec.numFixed())) {
          continue;
        }
        for (Result den : results) {
          if (den == num || !den.benchmark().equals(spec.denominator()) || !has(den, spec.denFixed())
              || !spec.match().stream().allMatch(k -> Objects.equals(num.params().get(k), den.params().get(k)))) {
            continue;
          }
          ratios.add(ratio(spec.category(), num, den));
          break;
        }
      }
    }
    // one group per category, in the order of its first spec (SPECS interleaves some categories,
    // which printed a category's heading twice); the order within a category is kept
    List<String> order = ratios.stream().map(Ratio::category).distinct().toList();
    ratios.sort(Comparator.comparingInt(r -> order.indexOf(r.category())));
    return ratios;
  }

  private static boolean has(Result r, Map<String, String> fixed) {
    return fixed.entrySet().stream().allMatch(e -> e.getValue().equals(r.params().get(e.getKey())));
  }

  /** a/b with the error propagated from both (see the class comment). */
  static Ratio ratio(String category, Result a, Result b) {
    double va = a.nanos();
    double vb = b.nanos();
    double value = va / vb;
    double error = value * Math.sqrt(Math.pow(a.errorNanos() / va, 2) + Math.pow(b.errorNanos() / vb, 2));
    return new Ratio(category, a, b, value, error);
  }

  private static String shortLabel(Result r) {
    String m = r.benchmark().substring(r.benchmark().indexOf('.') + 1);
    return r.params().isEmpty() ? m : m + "(" + String.join(",", r.params().values()) + ")";
  }

  // ---- Markdown ------------------------------------------------------------------------------

  static String markdown(List<Result> results, List<Ratio> ratios, List<Tool> tools, String machine, String title) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n");
    if (!machine.isBlank()) {
      md.append("```text\n").append(machine.strip()).append("\n```\n\n");
    }
    md.append("Scores are JMH's (mean per operation; for sample-time benchmarks the mean of the samples). ± is "
        + "JMH's 99.9 % confidence half-width; \"n/a\" means one iteration, so no error. Ratios carry the error "
        + "propagated from both scores (the chart draws a whisker that reaches 0 or below to its left edge). A ratio "
        + "below 1 means the numerator takes less time than the denominator.\n\n");
    md.append("## Ratios\n\n![ratios](ratios.png)\n\n");
    String category = null;
    for (Ratio r : ratios) {
      if (!r.category().equals(category)) {
        category = r.category();
        md.append("\n### ").append(category).append("\n\n| Numerator | Denominator | Ratio |\n|---|---|---|\n");
      }
      md.append("| `").append(r.numerator().label()).append("` ").append(fig(r.numerator()))
          .append(" | `").append(r.denominator().label()).append("` ").append(fig(r.denominator()))
          .append(" | **").append(withError(r.value(), r.error(), "")).append("** |\n");
    }
    if (ratios.isEmpty()) {
      md.append("(no pair of results to divide in this run)\n");
    }
    md.append("\n## All results\n\n| Benchmark | Parameters | Mode | Score | Unit | Samples |\n|---|---|---|---|---|---|\n");
    results.stream().sorted(Comparator.comparing(Result::benchmark).thenComparing(Result::paramText))
        .forEach(r -> md.append("| `").append(r.benchmark()).append("` | ").append(r.paramText()).append(" | ")
            .append(r.mode()).append(" | ").append(withError(r.score(), r.error(), "")).append(" | ")
            .append(r.unit()).append(" | ").append(r.samples()).append(" |\n"));
    md.append("\n## Context: openssl speed and tpm2-tools (same run, outside JMH)\n\n");
    if (tools.isEmpty()) {
      md.append("Not measured in this run.\n");
    } else {
      md.append("| What | Median | Min – max | Runs | Unit | How |\n|---|---|---|---|---|---|\n");
      for (Tool t : tools) {
        md.append("| ").append(t.name()).append(" | ").append(num(t.median())).append(" | ")
            .append(t.n() > 1 ? num(t.min()) + " – " + num(t.max()) : "").append(" | ").append(t.n()).append(" | ")
            .append(t.unit()).append(" | ").append(t.note().replace("|", "\\|")).append(" |\n");
      }
    }
    return md.toString();
  }

  private static String fig(Result r) {
    return withError(r.score(), r.error(), " " + r.unit().replace("/op", ""));
  }

  static String withError(double v, double err, String unit) {
    return num(v) + (Double.isNaN(err) ? " ± n/a" : " ± " + num(err)) + unit;
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.01) {
      return String.format(Locale.ROOT, "%.3f", v);
    }
    return String.format(Locale.ROOT, "%.2e", v);
  }

  // ---- chart ---------------------------------------------------------------------------------

  private static final Map<String, Color> COLORS = Map.of(
      STACK, new Color(0x1f77b4), CODEC, new Color(0x2ca02c), BC_JCA, new Color(0xff7f0e),
      TPM_JCA, new Color(0x9467bd), PIN, new Color(0xd62728));

  /** Horizontal bars from 1 to each ratio on a log10 axis, with error whiskers, grouped by category. */
  static BufferedImage chart(List<Ratio> ratios, String title) {
    int rowH = 22;
    int headerRows = (int) ratios.stream().map(Ratio::category).distinct().count();
    int rows = Math.max(1, ratios.size() + headerRows);
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    Font bold = font.deriveFont(Font.BOLD, 13f);
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D pg = probe.createGraphics();
    FontMetrics fm = pg.getFontMetrics(font);
    int labelW = 200;
    for (Ratio r : ratios) {
      labelW = Math.max(labelW, fm.stringWidth(r.label()) + 20);
    }
    pg.dispose();
    int plotW = 640;
    int top = 60;
    int width = labelW + plotW + 90;
    int height = top + rows * rowH + 50;
    double lo = 0.1;
    double hi = 10;
    for (Ratio r : ratios) {
      if (r.value() > 0 && !Double.isInfinite(r.value())) {
        double low = Double.isNaN(r.error()) || r.value() - r.error() <= 0 ? r.value() : r.value() - r.error();
        double high = Double.isNaN(r.error()) ? r.value() : r.value() + r.error();
        lo = Math.min(lo, low);
        hi = Math.max(hi, high);
      }
    }
    double logLo = Math.floor(Math.log10(lo));
    double logHi = Math.ceil(Math.log10(hi));
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(Color.BLACK);
      g.setFont(bold.deriveFont(15f));
      g.drawString(title + ": ratios (log scale, error bars propagated from JMH's 99.9 % intervals)", 10, 22);
      int x0 = labelW;
      java.util.function.DoubleToIntFunction x =
          v -> x0 + (int) Math.round((Math.log10(v) - logLo) / (logHi - logLo) * plotW);
      int plotBottom = top + rows * rowH;
      g.setFont(font);
      for (double d = logLo; d <= logHi + 1e-9; d++) {
        double v = Math.pow(10, d);
        int xv = x.applyAsInt(v);
        g.setColor(new Color(0xdddddd));
        g.drawLine(xv, top - 5, xv, plotBottom);
        g.setColor(Color.DARK_GRAY);
        String t = d >= 0 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
        g.drawString(t, xv - g.getFontMetrics().stringWidth(t) / 2, plotBottom + 16);
      }
      int one = x.applyAsInt(1);
      g.setColor(Color.BLACK);
      g.setStroke(new BasicStroke(1.5f));
      g.drawLine(one, top - 10, one, plotBottom);
      g.drawString("ratio = 1", one + 4, top - 12);
      int y = top;
      String category = null;
      for (Ratio r : ratios) {
        if (!r.category().equals(category)) {
          category = r.category();
          g.setFont(bold);
          g.setColor(COLORS.getOrDefault(category, Color.GRAY).darker());
          g.drawString(category, 10, y + 16);
          g.setFont(font);
          y += rowH;
        }
        g.setColor(Color.BLACK);
        g.drawString(r.label(), 20, y + 15);
        if (r.value() > 0 && !Double.isInfinite(r.value())) {
          int xv = x.applyAsInt(r.value());
          g.setColor(COLORS.getOrDefault(category, Color.GRAY));
          g.fillRect(Math.min(one, xv), y + 4, Math.max(2, Math.abs(xv - one)), rowH - 8);
          if (!Double.isNaN(r.error())) {
            double low = r.value() - r.error();
            int xl = low > 0 ? x.applyAsInt(low) : x0;
            int xh = x.applyAsInt(r.value() + r.error());
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1f));
            g.drawLine(xl, y + rowH / 2, xh, y + rowH / 2);
            g.drawLine(xl, y + 6, xl, y + rowH - 6);
            g.drawLine(xh, y + 6, xh, y + rowH - 6);
          }
          g.setColor(Color.BLACK);
          String v = num(r.value());
          int tx = Math.max(xv, one) + 6;
          if (!Double.isNaN(r.error())) {
            tx = Math.max(tx, x.applyAsInt(r.value() + r.error()) + 6);
          }
          g.drawString(v, Math.min(tx, width - g.getFontMetrics().stringWidth(v) - 4), y + 15);
        }
        y += rowH;
      }
      if (ratios.isEmpty()) {
        g.drawString("no ratios in this run", x0, top + 15);
      }
    } finally {
      g.dispose();
    }
    return img;
  }
}
