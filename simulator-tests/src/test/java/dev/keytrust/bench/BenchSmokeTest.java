package dev.keytrust.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark suite builds and runs, and the report generator works. Measures nothing: one
 * benchmark runs for one short iteration only to show that the JMH wiring works; no figure is
 * checked.
 */
class BenchSmokeTest {
  @TempDir Path dir;

  @Test
  void everyBenchmarkClassIsCompiledIntoTheBenchmarkList() throws IOException {
    String list;
    try (InputStream in = BenchSmokeTest.class.getResourceAsStream("/META-INF/BenchmarkList")) {
      assertThat(in).as("META-INF/BenchmarkList from JMH's annotation processor").isNotNull();
      list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String c : List.of("KeyIdBenchmark", "SoftwareKeyBenchmark", "TpmKeyBenchmark", "CryptoBenchmark",
        "KeyCredentialBenchmark", "ProvisioningBenchmark")) {
      assertThat(list).contains("dev.keytrust.bench." + c);
    }
  }

  @Test
  void oneBenchmarkRunsForOneShortIteration() throws Exception {
    Options options = new OptionsBuilder()
        .include(KeyCredentialBenchmark.class.getName() + ".parse$")
        .param("alg", "p256")
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(200))
        .forks(0)
        .shouldFailOnError(true)
        .build();
    // JMH takes a machine-wide lock (/tmp/jmh.lock) so that two benchmark runs do not disturb each
    // other; this run measures nothing, so it must not fail while scripts/bench.sh or another build's
    // smoke test holds the lock
    String ignoreLock = System.getProperty("jmh.ignoreLock");
    System.setProperty("jmh.ignoreLock", "true");
    Collection<RunResult> results;
    try {
      results = new Runner(options).run();
    } finally {
      if (ignoreLock == null) {
        System.clearProperty("jmh.ignoreLock");
      } else {
        System.setProperty("jmh.ignoreLock", ignoreLock);
      }
    }
    assertThat(results).hasSize(1);
    assertThat(results.iterator().next().getPrimaryResult().getScore()).isPositive();
  }

  @Test
  void reportTurnsJmhJsonIntoMarkdownAndAPng() throws Exception {
    Path json = dir.resolve("jmh-result.json");
    Files.writeString(json, """
        [
          {"benchmark": "dev.keytrust.bench.TpmKeyBenchmark.getRandom32", "mode": "avgt", "threads": 1, "forks": 1,
           "params": {"transport": "tcp"},
           "primaryMetric": {"score": 50.0, "scoreError": 5.0, "scoreConfidence": [45.0, 55.0],
             "scoreUnit": "us/op", "rawData": [[49.0, 50.0, 51.0]]},
           "secondaryMetrics": {}},
          {"benchmark": "dev.keytrust.bench.TpmKeyBenchmark.getRandom32Raw", "mode": "avgt", "threads": 1, "forks": 1,
           "params": {"transport": "tcp"},
           "primaryMetric": {"score": 0.025, "scoreError": 0.0025, "scoreUnit": "ms/op", "rawData": [[0.025]]},
           "secondaryMetrics": {}},
          {"benchmark": "dev.keytrust.bench.KeyCredentialBenchmark.parse", "mode": "avgt", "threads": 1, "forks": 1,
           "params": {"alg": "p256"},
           "primaryMetric": {"score": 3.0, "scoreError": "NaN", "scoreUnit": "us/op", "rawData": [[3.0]]},
           "secondaryMetrics": {}},
          {"benchmark": "dev.keytrust.bench.KeyCredentialBenchmark.sha256Twice", "mode": "avgt", "threads": 1,
           "forks": 1, "params": {"alg": "p256"},
           "primaryMetric": {"score": 1.5, "scoreError": 0.1, "scoreUnit": "us/op", "rawData": [[1.5]]},
           "secondaryMetrics": {}}
        ]
        """);
    Path tools = dir.resolve("tools.tsv");
    Files.writeString(tools, "openssl speed ecdsap256 sign\tus/op\t25.0\t25.0\t25.0\t1\topenssl speed -seconds 1\n");
    Path out = dir.resolve("report");
    BenchReport.main(new String[] {"--jmh", json.toString(), "--tools", tools.toString(), "--out", out.toString(),
        "--title", "smoke"});

    // 50 us / 25 us = 2, error 2 * sqrt(0.1^2 + 0.1^2)
    List<BenchReport.Ratio> ratios = BenchReport.ratios(BenchReport.readJmh(json));
    assertThat(ratios).hasSize(2);
    assertThat(ratios.get(0).value()).isCloseTo(2.0, within(1e-9));
    assertThat(ratios.get(0).error()).isCloseTo(2.0 * Math.sqrt(0.02), within(1e-9));
    assertThat(ratios.get(1).value()).isCloseTo(2.0, within(1e-9));
    assertThat(ratios.get(1).error()).isNaN();

    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).startsWith("# smoke")
        .contains("![ratios](ratios.png)")
        .contains(BenchReport.STACK)
        .contains("**2.000 ± 0.283**")
        .contains("**2.000 ± n/a**")
        .contains("openssl speed ecdsap256 sign");
    byte[] png = Files.readAllBytes(out.resolve("ratios.png"));
    assertThat(java.util.Arrays.copyOf(png, 4)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    BufferedImage image = ImageIO.read(out.resolve("ratios.png").toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isGreaterThan(400);
    assertThat(image.getHeight()).isGreaterThan(100);
  }
}
