package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The packaged {@code keytrust} CLI jar, run in its own JVM as a lab user runs it. */
final class KeytrustJar {

  record Run(int exit, String out, String err) {}

  private KeytrustJar() {}

  /** The jar the simulator-tests pom names in {@code keytrust.cli.jar}; fails when missing. */
  static Path jar() {
    String p = System.getProperty("keytrust.cli.jar");
    assertThat(p).as("system property keytrust.cli.jar (set by the simulator-tests pom)").isNotNull();
    Path jar = Path.of(p);
    assertThat(jar).as("the CLI jar: run 'mvn verify' (the package phase builds it) rather than 'mvn test'")
        .isRegularFile();
    return jar;
  }

  /** Runs {@code keytrust args...} with {@code stdin}, without KEYTRUST_TPM; 120 s at most. */
  static Run run(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("KEYTRUST_TPM");
    Process p = pb.start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("keytrust " + String.join(" ", args) + " did not finish in 120 s");
    }
    return new Run(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
  }

  private static byte[] readAll(InputStream in) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
