package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.ListedKey;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A registration endpoint for tests that keeps what it holds in files, so a test sees the calls of
 * a process it killed: {@code DIR/values/<sha256 of the KeyCredentialLink>} per registered value
 * (as a directory holds DN-binary values: a rebuilt credential of the same key would be a second
 * value), and {@code DIR/log}, one line per call. Idempotent like real endpoints. A file
 * {@code DIR/fail-register} (or {@code fail-unregister}) makes those calls fail, as an endpoint
 * that cannot be reached; {@code DIR/no-removal} makes unregister fail as a key service without
 * keytrust's DELETE does (DRS_UNREGISTER_UNSUPPORTED, KT-1615). URI: {@code recording:/DIR} (see {@link RecordingEndpointProvider}). Also
 * simulator-tests' (provisioning-agent's test jar), whose kill test sees what a killed process
 * registered.
 */
public final class RecordingEndpoint implements KeyRegistrationEndpoint {
  public static final String FAIL_REGISTER = "fail-register";
  public static final String FAIL_UNREGISTER = "fail-unregister";
  public static final String FAIL_LIST = "fail-list";
  /** A file of this name makes the endpoint one that cannot remove keys at all (a key service without DELETE). */
  public static final String NO_REMOVAL = "no-removal";

  private final Path dir;

  public RecordingEndpoint(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  public Path dir() {
    return dir;
  }

  /** A registered value, as recorded: key id, UPN, BCRYPT key material and KeyCredentialLink (hex). */
  public record Value(String keyIdHex, String userPrincipalName, String keyMaterialHex, String credentialHex) {}

  @Override
  public RegistrationReceipt register(KeyRegistration r) throws KeytrustException {
    fail(FAIL_REGISTER, "register");
    String credential = HexFormat.of().formatHex(r.keyCredentialLink());
    Path file = values().resolve(sha256(r.keyCredentialLink()));
    boolean present = Files.exists(file);
    try {
      if (!present) {
        Files.createDirectories(values());
        Path tmp = Files.createTempFile(values(), ".value", ".tmp");
        Files.writeString(tmp, r.keyIdHex() + "\n" + r.userPrincipalName() + "\n"
            + HexFormat.of().formatHex(r.keyMaterial()) + "\n" + credential + "\n");
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
  public void unregister(KeyRegistration r) throws KeytrustException {
    fail(FAIL_UNREGISTER, "unregister");
    if (Files.exists(dir.resolve(NO_REMOVAL))) {
      log("unregister unsupported");
      throw new KeytrustException(AgentErrorCode.DRS_UNREGISTER_UNSUPPORTED,
          "Removing key " + r.keyIdBase64() + ": the recording endpoint " + dir + " does not offer key removal"
              + " (" + NO_REMOVAL + " exists).");
    }
    try {
      boolean removed = Files.deleteIfExists(values().resolve(sha256(r.keyCredentialLink())));
      log("unregister " + r.keyIdHex() + (removed ? "" : " absent"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every value registered for {@code upn}, with the device id and creation time of its KeyCredentialLink. */
  @Override
  public List<ListedKey> list(String upn, String accountName) throws KeytrustException {
    fail(FAIL_LIST, "list");
    List<ListedKey> out = new ArrayList<>();
    for (Value v : registered()) {
      if (!v.userPrincipalName().equalsIgnoreCase(upn)) {
        continue;
      }
      byte[] blob = HexFormat.of().parseHex(v.credentialHex());
      KeyCredential kc;
      try {
        kc = KeyCredential.parse(blob);
      } catch (KeyCredentialFormatException e) {
        throw new IllegalStateException(e);
      }
      out.add(new ListedKey(HexFormat.of().parseHex(v.keyIdHex()), kc.deviceId().orElse(null),
          kc.creationTime().orElse(null), "key service", v.keyIdHex(), HexFormat.of().parseHex(v.keyMaterialHex()),
          blob, describe()));
    }
    log("list " + out.size());
    return out;
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
        out.add(new Value(lines.get(0), lines.get(1), lines.get(2), lines.get(3)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Every call so far, one line each: {@code register KEYID [already-present]}, {@code unregister KEYID [absent]}. */
  public List<String> log() {
    try {
      Path log = dir.resolve("log");
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes register (or unregister) fail until {@link #heal} is called. */
  public void breakCalls(String which) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(which), "");
  }

  public void heal() throws IOException {
    Files.deleteIfExists(dir.resolve(FAIL_REGISTER));
    Files.deleteIfExists(dir.resolve(FAIL_UNREGISTER));
    Files.deleteIfExists(dir.resolve(NO_REMOVAL));
    Files.deleteIfExists(dir.resolve(FAIL_LIST));
  }

  private void fail(String flag, String call) throws KeytrustException {
    if (Files.exists(dir.resolve(flag))) {
      log(call + " failed");
      throw new KeytrustException(AgentErrorCode.DRS_UNREACHABLE,
          "The recording endpoint " + dir + " refuses to " + call + " (" + flag + " exists). Try again later.");
    }
  }

  private Path values() {
    return dir.resolve("values");
  }

  private void log(String line) {
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND)) {
        ch.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
