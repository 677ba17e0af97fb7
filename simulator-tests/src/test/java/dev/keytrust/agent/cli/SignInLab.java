package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.credential.CustomKeyInformation;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.credential.KeySource;
import dev.keytrust.credential.KeyUsage;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.LabCertificates;
import dev.keytrust.lab.LabDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The fixture of the sign-in tests: the in-process lab directory over LDAPS with the lab CA, a
 * read account, the user alice, a key store, and the whole CLI run in-process with its output and
 * keytrust's log captured (so tests can check that no PIN or password shows anywhere).
 */
final class SignInLab implements AutoCloseable {
  /** Secrets that cannot turn up by chance in DNs, paths, hex or messages. */
  static final String PIN = "Pin-Zq83#kW1";
  static final String PASSWORD = "Dc-Read-Pw-x4R#77";
  static final String UPN = "alice@keytrust.lab";

  record Run(int exit, String out, String err, String log) {
    /** Nothing printed or logged holds the PIN or the bind password. */
    Run assertNoSecrets() {
      for (String s : List.of(out, err, log)) {
        assertThat(s).doesNotContain(PIN).doesNotContain(PASSWORD);
      }
      return this;
    }
  }

  final Path dir;
  final Path store;
  final LabCertificates certs;
  final LabDirectory lab;
  final String alice;
  final Path credentials;

  SignInLab(Path dir) throws Exception {
    this.dir = dir;
    this.store = dir.resolve("keys");
    this.certs = LabCertificates.create(dir.resolve("pki"));
    this.lab = LabDirectory.start(certs);
    String svc = lab.addBindAccount("svc-dc-read", PASSWORD.toCharArray());
    this.alice = lab.addUser("alice", UPN, "alice");
    this.credentials = dir.resolve("dc-read.cred");
    Files.writeString(credentials, "bind-dn=" + svc + "\npassword=" + PASSWORD + "\n");
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
  }

  /** The directory options of the lab, for the user {@code user}. */
  List<String> directoryArgs() {
    return List.of("--directory", lab.ldapsUri().toString(),
        "--directory-setting", "credentials-file=" + credentials,
        "--directory-setting", "ca-file=" + certs.caFile(),
        "--directory-setting", "connect-timeout=5s",
        "--directory-setting", "response-timeout=10s");
  }

  /** Runs keytrust in-process with {@code stdin} ({@link InProcessCli}). */
  Run keytrust(String stdin, List<String> args) {
    InProcessCli.Result r = InProcessCli.run(stdin, args);
    return new Run(r.exit(), r.out(), r.err(), r.log());
  }

  Run keytrust(String stdin, String... args) {
    return keytrust(stdin, List.of(args));
  }

  /** {@code keytrust authenticate --user alice ...} with the PIN on stdin. */
  Run authenticate(String pin, String... extra) {
    List<String> args = new ArrayList<>(List.of("authenticate", "--user", "alice", "--pin-stdin",
        "--store", store.toString()));
    args.addAll(directoryArgs());
    args.addAll(List.of(extra));
    return keytrust(pin + "\n", args);
  }

  /** {@code keytrust sync-watch --user alice ...}. */
  Run syncWatch(String... extra) {
    List<String> args = new ArrayList<>(List.of("sync-watch", "--user", "alice", "--store", store.toString()));
    args.addAll(directoryArgs());
    args.addAll(List.of(extra));
    return keytrust("", args);
  }

  /** Creates alice's key with the PIN ({@code --tpm software} or a TPM URI). */
  KeyContainer createKey(String tpm, String alg) throws Exception {
    Run r = keytrust(PIN + "\n", "key", "create", "--user", "alice", "--alg", alg, "--tpm", tpm,
        "--store", store.toString(), "--pin-stdin");
    assertThat(r.exit()).as(r.err()).isZero();
    return new KeyContainerStore(store).load("alice");
  }

  /** The DN-Binary value of {@code key} for alice, as provisioning (AD) or Entra Connect (AzureAD) writes it. */
  String value(PublicKey key, KeySource source) throws Exception {
    Instant created = Instant.parse("2026-11-25T10:00:00Z");
    KeyCredentialOptions options = source == KeySource.AD
        ? KeyCredentialOptions.userKey(UUID.fromString("47f577e3-d2d0-4a0a-8aca-e0501098bde4"), created)
        : new KeyCredentialOptions(KeyUsage.NGC, KeySource.AZURE_AD,
            UUID.fromString("47f577e3-d2d0-4a0a-8aca-e0501098bde4"), created, created,
            CustomKeyInformation.ofFlags(0), false);
    return KeyCredential.build(key, options).toDnBinary(alice).format();
  }

  /**
   * A value whose KeyID is {@code keyId} but whose key material is {@code otherKey}'s: built for the
   * other key, then its KeyID entry (the first entry, 32 bytes at offset 7) overwritten.
   */
  String forgedValue(byte[] keyId, PublicKey otherKey) throws Exception {
    byte[] blob = KeyCredential.build(otherKey,
        KeyCredentialOptions.userKey(null, Instant.parse("2026-11-25T10:00:00Z"))).toByteArray();
    assertThat(blob[6]).as("first entry is the KeyID").isEqualTo((byte) 0x01);
    System.arraycopy(keyId, 0, blob, 7, 32);
    KeyCredential forged = KeyCredential.parse(blob);
    assertThat(forged.keyId()).hasValue(keyId);
    return forged.toDnBinary(alice).format();
  }

  @Override
  public void close() {
    lab.close();
  }
}
