package dev.keytrust.bench;

import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.Tpm2Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The context figures of a benchmark run, measured outside JMH: {@code openssl speed} for RSA-2048
 * and ECDSA P-256 sign/verify, and tpm2-tools whole-process wall times ({@code tpm2_createprimary},
 * {@code tpm2_create}, {@code tpm2_load}, {@code tpm2_sign}) against a swtpm of its own over the
 * swtpm TCTI. Each tool is skipped (and the skip written down) when it is not installed.
 *
 * <p>Usage: {@code java -cp keytrust-benchmarks.jar dev.keytrust.bench.ToolTimings OUT.tsv [--quick]}.
 * Writes one line per figure: {@code name, unit, median, min, max, n, note}, tab-separated, which
 * {@link BenchReport} reads.
 */
public final class ToolTimings {
  private static final Pattern RSA_LINE = Pattern.compile("^rsa\\s+2048 bits\\s+\\S+s\\s+\\S+s\\s+([\\d.]+)\\s+([\\d.]+)\\s*$");
  private static final Pattern ECDSA_LINE =
      Pattern.compile("^\\s*256 bits ecdsa \\(nistp256\\)\\s+\\S+s\\s+\\S+s\\s+([\\d.]+)\\s+([\\d.]+)\\s*$");

  private final List<String> lines = new ArrayList<>();

  private ToolTimings() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ToolTimings OUT.tsv [--quick]");
      System.exit(2);
    }
    boolean quick = Arrays.asList(args).contains("--quick");
    ToolTimings t = new ToolTimings();
    t.openssl(quick ? 1 : 2);
    t.tpm2Tools(quick ? 3 : 7);
    Files.write(Path.of(args[0]), t.lines, StandardCharsets.UTF_8);
    System.exit(0); // the swtpm's and the process readers' threads must not keep the JVM
  }

  private void add(String name, String unit, double median, double min, double max, int n, String note) {
    lines.add(String.join("\t", name, unit, fmt(median), fmt(min), fmt(max), Integer.toString(n), note));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  /** {@code openssl speed -seconds S rsa2048 ecdsap256}: ops/s become µs/op. */
  private void openssl(int seconds) throws IOException, InterruptedException {
    List<String> command = List.of("openssl", "speed", "-seconds", Integer.toString(seconds), "rsa2048", "ecdsap256");
    String out;
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        add("openssl", "-", Double.NaN, Double.NaN, Double.NaN, 0, "openssl speed failed");
        return;
      }
    } catch (IOException e) {
      add("openssl", "-", Double.NaN, Double.NaN, Double.NaN, 0, "not installed: " + e.getMessage());
      return;
    }
    String version = firstLine("openssl", "version").replaceAll(" \\(Library.*", "");
    String note = String.join(" ", command) + ", " + version + ", one thread";
    for (String line : out.split("\n")) {
      Matcher rsa = RSA_LINE.matcher(line);
      if (rsa.matches()) {
        double sign = 1e6 / Double.parseDouble(rsa.group(1));
        double verify = 1e6 / Double.parseDouble(rsa.group(2));
        add("openssl speed rsa2048 sign", "us/op", sign, sign, sign, 1, note);
        add("openssl speed rsa2048 verify", "us/op", verify, verify, verify, 1, note);
      }
      Matcher ec = ECDSA_LINE.matcher(line);
      if (ec.matches()) {
        double sign = 1e6 / Double.parseDouble(ec.group(1));
        double verify = 1e6 / Double.parseDouble(ec.group(2));
        add("openssl speed ecdsap256 sign", "us/op", sign, sign, sign, 1, note);
        add("openssl speed ecdsap256 verify", "us/op", verify, verify, verify, 1, note);
      }
    }
  }

  private static String firstLine(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("?").strip();
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  /** Whole-process wall times of tpm2-tools against a swtpm of its own (TCP, swtpm TCTI). */
  private void tpm2Tools(int runs) throws IOException, NoSuchAlgorithmException {
    if (!Tpm2Tools.available() || !Swtpm.available()) {
      add("tpm2-tools", "-", Double.NaN, Double.NaN, Double.NaN, 0, "tpm2-tools or swtpm not installed");
      return;
    }
    Path dir = BenchFiles.createTempDirectory("tpm2-tools");
    Swtpm swtpm = Swtpm.startTcp(dir.resolve("tpm"));
    try {
      Path work = Files.createDirectories(dir.resolve("work"));
      Tpm2Tools tools = new Tpm2Tools(swtpm, work);
      String version = firstLine("tpm2_createprimary", "--version").replaceAll(".*version=\"([^\"]*)\".*", "$1");
      String note = "whole process, TCTI " + swtpm.tpm2toolsTcti() + ", tpm2-tools " + version
          + ", median of " + runs + " after one untimed run";
      Path digest = work.resolve("digest.bin");
      Files.write(digest, MessageDigest.getInstance("SHA-256")
          .digest("sign-in challenge".getBytes(StandardCharsets.UTF_8)));
      for (String alg : List.of("ecc256", "rsa2048")) {
        String name = alg.equals("ecc256") ? "p256" : "rsa2048";
        String scheme = alg.equals("ecc256") ? "ecdsa" : "rsassa";
        Path primary = work.resolve("primary-" + alg + ".ctx");
        time(tools, "tpm2_createprimary -G " + alg, note, runs, "tpm2_createprimary", "-C", "o", "-g", "sha256",
            "-G", alg, "-c", primary.toString(), "-Q");
        // the user key under an ECC primary (the faster parent), as keytrust's SRK is for P-256 keys
        Path parent = work.resolve("primary-ecc256.ctx");
        Path pub = work.resolve(name + ".pub");
        Path priv = work.resolve(name + ".priv");
        Path ctx = work.resolve(name + ".ctx");
        time(tools, "tpm2_create -G " + alg + " (" + name + " user key)", note, runs, "tpm2_create", "-C",
            parent.toString(), "-G", alg, "-u", pub.toString(), "-r", priv.toString(), "-Q");
        time(tools, "tpm2_load (" + name + ")", note, runs, "tpm2_load", "-C", parent.toString(), "-u", pub.toString(),
            "-r", priv.toString(), "-c", ctx.toString(), "-Q");
        time(tools, "tpm2_sign -d (" + name + ", SHA-256 digest)", note, runs, "tpm2_sign", "-c", ctx.toString(),
            "-g", "sha256", "-s", scheme, "-d", "-f", "plain", "-o", work.resolve("sig").toString(),
            digest.toString());
      }
    } catch (RuntimeException e) {
      add("tpm2-tools", "-", Double.NaN, Double.NaN, Double.NaN, 0, "failed: " + e.getMessage().lines().findFirst()
          .orElse(""));
    } finally {
      swtpm.stop();
      BenchFiles.deleteRecursively(dir);
    }
  }

  /** Runs the tool {@code runs} times (after one untimed run) and records the wall times in ms. */
  private void time(Tpm2Tools tools, String name, String note, int runs, String tool, String... args) {
    tools.run(tool, args);
    tools.flushTransient();
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      tools.run(tool, args);
      ms[i] = (System.nanoTime() - t0) / 1e6;
      tools.flushTransient();
    }
    Arrays.sort(ms);
    add(name, "ms/op", ms[runs / 2], ms[0], ms[runs - 1], runs, note);
  }
}
