package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.ProcessRunner;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The fixture of the kinit tests against the real lab KDC ({@link KeyTrustKdc}: Samba 4.24 in its
 * chroot): the KDC with the key-sync account, keys registered in msDS-KeyCredentialLink by
 * keytrust's LDAP endpoint bound as that account, the CLI run in-process with its output and
 * keytrust's log captured, and MIT's klist/kvno on the host with the KDC's krb5.conf.
 *
 * <p>The KDC listens on the address of the system property {@code kt.kdc.address} when given (so
 * an engineer can keep clear of another's lab KDC), else on the first free 127.0.0.x from
 * 127.0.0.2.
 */
final class KinitLab implements AutoCloseable {
  /** A PIN that cannot turn up by chance in a DN, path, hex or message. */
  static final String PIN = "Kt-Pin-7Qw#31x";
  static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  record Run(int exit, String out, String err, String log) {
    /** Nothing printed or logged holds the PIN. */
    Run assertNoSecrets() {
      for (String s : List.of(out, err, log)) {
        assertThat(s).doesNotContain(PIN);
      }
      return this;
    }
  }

  final Path dir;
  final Path store;
  final KeyTrustKdc kdc;
  private final Path syncCredentials;

  private KinitLab(Path dir, KeyTrustKdc kdc, Path syncCredentials) {
    this.dir = dir;
    this.store = dir.resolve("keys");
    this.kdc = kdc;
    this.syncCredentials = syncCredentials;
  }

  /** Starts the lab KDC in {@code dir}, with the key-sync account and the DC's ldap/ SPNs. */
  static KinitLab start(Path dir, String name) {
    String address = System.getProperty("kt.kdc.address", "").isBlank()
        ? KeyTrustKdc.firstFreeAddress() : System.getProperty("kt.kdc.address");
    KeyTrustKdc kdc = KeyTrustKdc.start(dir.resolve("kdc"), KeyTrustKdc.Options.defaults()
        .withAddress(address).withProgress(line -> System.out.println(name + ": " + line)));
    try {
      Path credentials = dir.resolve("sync.cred");
      kdc.setUpKeySync("svc-keysync", credentials);
      // ldap/dc.keytrust.lab for the GSSAPI bind (provision registers host/ only)
      ProcessResult spn = kdc.runInRoot(List.of("samba_spnupdate"), Map.of(), TOOL_TIMEOUT);
      assertThat(spn.exitCode()).as(spn.stderr()).isZero();
      return new KinitLab(dir, kdc, credentials);
    } catch (RuntimeException | AssertionError e) {
      kdc.close();
      throw e;
    }
  }

  /** Whether the lab KDC can run here; under CI it must. */
  static boolean available() {
    return "true".equals(System.getenv("CI")) || KeyTrustKdc.unavailableReason().isEmpty();
  }

  // ---- keys and registrations ----

  /** Creates {@code user}'s key ({@code --tpm software} or a TPM URI) with {@link #PIN}. */
  KeyContainer createKey(String user, String tpm, String alg) throws Exception {
    Run r = keytrust(PIN + "\n", "key", "create", "--user", user, "--alg", alg, "--tpm", tpm,
        "--store", store.toString(), "--pin-stdin");
    assertThat(r.exit()).as(r.err()).isZero();
    return new KeyContainerStore(store).load(user);
  }

  /** The registration of {@code key} for {@code user}, as the provisioning flow makes it. */
  static KeyRegistration registration(KeyTrustKdc.User user, PublicKey key) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    UUID device = UUID.randomUUID();
    KeyCredential kc = KeyCredential.build(key, KeyCredentialOptions.userKey(device, now));
    return new KeyRegistration(user.upn(), null, kc.keyMaterial().orElseThrow().encoded(),
        kc.keyId().orElseThrow(), kc.toByteArray(), device, now);
  }

  /** Writes the key into the user's msDS-KeyCredentialLink as the sync account (LDAP endpoint). */
  KeyRegistration register(KeyTrustKdc.User user, PublicKey key) throws Exception {
    KeyRegistration r = registration(user, key);
    try (KeyRegistrationEndpoint ldap = endpoint()) {
      ldap.register(r);
    }
    assertThat(kdc.keyCredentialLinks(user.dn())).hasSize(1);
    return r;
  }

  /** Removes the registration again, as {@code keytrust reset} does at an LDAP endpoint. */
  void unregister(KeyTrustKdc.User user, KeyRegistration r) throws Exception {
    try (KeyRegistrationEndpoint ldap = endpoint()) {
      ldap.unregister(r);
    }
    assertThat(kdc.keyCredentialLinks(user.dn())).isEmpty();
  }

  private KeyRegistrationEndpoint endpoint() throws Exception {
    return KeyRegistrationEndpoints.open(URI.create(kdc.ldapsUri()), new EndpointSettings(Map.of(
        "credentials-file", syncCredentials.toString(), "ca-file", kdc.caFile().toString())));
  }

  // ---- keytrust ----

  /**
   * {@code keytrust kinit --user USER --pin-stdin --store S --ccache CC ...}, with {@code --kdc}
   * the lab KDC and {@code --kdc-ca} its CA unless {@code extra} names them.
   */
  Run kinit(String user, String pin, Path ccache, String... extra) {
    List<String> more = List.of(extra);
    List<String> args = new ArrayList<>(List.of("kinit", "--user", user, "--pin-stdin",
        "--store", store.toString(), "--ccache", "FILE:" + ccache));
    if (!more.contains("--kdc")) {
      args.addAll(List.of("--kdc", kdc.address()));
    }
    if (!more.contains("--kdc-ca")) {
      args.addAll(List.of("--kdc-ca", kdc.caFile().toString()));
    }
    args.addAll(more);
    return keytrust(pin + "\n", args);
  }

  /** Runs keytrust in-process with {@code stdin} ({@link InProcessCli}). */
  Run keytrust(String stdin, List<String> args) {
    InProcessCli.Result r = InProcessCli.run(stdin, args);
    return new Run(r.exit(), r.out(), r.err(), r.log());
  }

  Run keytrust(String stdin, String... args) {
    return keytrust(stdin, List.of(args));
  }

  // ---- MIT Kerberos on the host, Samba's ldbsearch in the KDC root ----

  /** MIT {@code klist -e -c FILE:ccache} on the host with the KDC's krb5.conf. */
  ProcessResult klist(Path ccache) {
    return mit(List.of("klist", "-e", "-c", "FILE:" + ccache));
  }

  /** MIT {@code kvno -c FILE:ccache SPN} on the host: a service ticket with the TGT in the cache. */
  ProcessResult kvno(Path ccache, String spn) {
    return mit(List.of("kvno", "-c", "FILE:" + ccache, spn));
  }

  private ProcessResult mit(List<String> command) {
    return ProcessRunner.run(command, true, Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin",
        "KRB5_CONFIG", kdc.krb5Conf().toString()), dir, new byte[0], TOOL_TIMEOUT, "");
  }

  /**
   * An LDAP search with a GSSAPI bind as the cache's user: Samba's {@code ldbsearch
   * --use-kerberos=required} in the KDC root (its /etc/hosts names the DC) with a copy of the cache.
   */
  ProcessResult ldapSearchWithKerberos(Path ccache, String filter) throws Exception {
    String inRoot = "/tmp/" + ccache.getFileName() + ".gssapi";
    kdc.writeInRoot(inRoot, Files.readAllBytes(ccache), "rw-------");
    return kdc.runInRoot(List.of("ldbsearch", "-H", "ldap://" + KeyTrustKdc.DC_HOST,
        "--use-kerberos=required", "--use-krb5-ccache=FILE:" + inRoot, "-b", KeyTrustKdc.BASE_DN,
        filter, "dn", "userPrincipalName"), Map.of(), TOOL_TIMEOUT);
  }

  /** Stops the KDC, then deletes the folder (refused while anything is mounted under it). */
  @Override
  public void close() {
    kdc.close();
    KeyTrustKdc.deleteState(dir);
  }
}
