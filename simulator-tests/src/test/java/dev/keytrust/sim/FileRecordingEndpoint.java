package dev.keytrust.sim;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpointProvider;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A registration endpoint that keeps what it holds in files, so a test sees what a process it
 * killed registered: {@code DIR/values/<sha256 of the KeyCredentialLink>} per value (as a directory
 * holds msDS-KeyCredentialLink values: a rebuilt credential of the same key would be a second
 * value), written atomically, and {@code DIR/log}, one line per call. Idempotent like real
 * endpoints. URI {@code recording:DIR}, found through {@link Provider} ({@code META-INF/services} of
 * the simulator-tests test class path; the provisioning-agent tests have their own).
 */
public final class FileRecordingEndpoint implements KeyRegistrationEndpoint {
  private final Path dir;

  public FileRecordingEndpoint(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  public Path dir() {
    return dir;
  }

  /** A registered value: key id, BCRYPT key material and KeyCredentialLink, as hex. */
  public record Value(String keyIdHex, String keyMaterialHex, String credentialHex) {}

  @Override
  public RegistrationReceipt register(KeyRegistration r) {
    Path file = values().resolve(sha256(r.keyCredentialLink()));
    boolean present = Files.exists(file);
    try {
      if (!present) {
        Files.createDirectories(values());
        Path tmp = Files.createTempFile(values(), ".value", ".tmp");
        Files.writeString(tmp, r.keyIdHex() + "\n" + HexFormat.of().formatHex(r.keyMaterial()) + "\n"
            + HexFormat.of().formatHex(r.keyCredentialLink()) + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
      log("register " + r.keyIdHex() + (present ? " already-present" : ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new RegistrationReceipt(describe(), r.keyIdBase64(), file.getFileName().toString(), r.userPrincipalName(),
        null, UUID.randomUUID().toString(), present, Instant.now());
  }

  @Override
  public void unregister(KeyRegistration r) {
    try {
      boolean removed = Files.deleteIfExists(values().resolve(sha256(r.keyCredentialLink())));
      log("unregister " + r.keyIdHex() + (removed ? "" : " absent"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String describe() {
    return "recording:" + dir;
  }

  @Override
  public void close() {}

  /** The values registered now. */
  public List<Value> registered() {
    if (!Files.isDirectory(values())) {
      return List.of();
    }
    List<Value> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(values())) {
      for (Path p : files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList()) {
        List<String> lines = Files.readAllLines(p);
        out.add(new Value(lines.get(0), lines.get(1), lines.get(2)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Every call so far, one line each. */
  public List<String> log() {
    try {
      Path log = dir.resolve("log");
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path values() {
    return dir.resolve("values");
  }

  private void log(String line) throws IOException {
    Files.createDirectories(dir);
    try (FileChannel ch = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code recording:DIR}. */
  public static final class Provider implements KeyRegistrationEndpointProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("recording");
    }

    @Override
    public Set<String> settingNames() {
      return Set.of();
    }

    @Override
    public KeyRegistrationEndpoint open(URI uri, EndpointSettings settings) {
      return new FileRecordingEndpoint(Path.of(uri.getSchemeSpecificPart()));
    }
  }
}
