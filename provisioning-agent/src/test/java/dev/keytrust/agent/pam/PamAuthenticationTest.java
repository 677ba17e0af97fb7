package dev.keytrust.agent.pam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.pin.PinSealer;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.secret.Pin;
import dev.keytrust.tpm.TpmUri;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PamAuthentication} without a KDC: every way it ends before or instead of a Kerberos
 * exchange, with the PAM result, the exit code and the reason line; the PIN never in the line, and
 * not read at all when keytrust has nothing to do. The sign-in against the real KDC, through
 * pamtester and pam_exec, is PamAuthOnKdcTest in simulator-tests.
 */
class PamAuthenticationTest {
  private static final String PIN = "Pam-Pin-90210";
  private static final String UPN = "alice@keytrust.lab";

  @TempDir Path dir;
  private int me;
  private Path store;
  private Path config;
  private final Map<String, LinuxAccount> accounts = new HashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    store = Files.createDirectory(dir.resolve("keys"));
    me = (Integer) Files.getAttribute(store, "unix:uid");
    accounts.put("alice", new LinuxAccount("alice", me, me, dir));
    accounts.put("carol", new LinuxAccount("carol", me, me, dir));
    Path ca = dir.resolve("kdc-ca.pem");
    writeCa(ca);
    config = dir.resolve("pam.conf");
  }

  private void config(int kdcPort) throws Exception {
    Files.writeString(config, "realm = KEYTRUST.LAB\nkdc = 127.0.0.1:" + kdcPort + "\nkdc-ca = "
        + dir.resolve("kdc-ca.pem") + "\ntpm = software\nstore = " + store + "\nccache = " + dir
        + "/krb5cc_%{uid}\nkdc-timeout = 2s\nstate-dir = " + dir.resolve("state") + "\npolicy-dir = "
        + dir.resolve("policy") + "\n[user alice]\nupn = " + UPN + "\n[user carol]\n");
  }

  private PamOutcome run(Map<String, String> env, InputStream pin) {
    return run(env, pin, new PamCaller(me, me));
  }

  private PamOutcome run(Map<String, String> env, InputStream pin, PamCaller caller) {
    PamOutcome o = new PamAuthentication(name -> Optional.ofNullable(accounts.get(name)), caller,
        Clock.systemUTC()).authenticate(config, env, false, pin);
    assertThat(o.line()).doesNotContain(PIN);
    return o;
  }

  private static Map<String, String> pam(String user) {
    return Map.of("PAM_USER", user, "PAM_SERVICE", "login", "PAM_TYPE", "auth");
  }

  private static InputStream pin(String pin) {
    return new ByteArrayInputStream(pin.getBytes(StandardCharsets.UTF_8));
  }

  /** Standard input that must not be read. */
  private static InputStream untouched() {
    return new InputStream() {
      @Override
      public int read() {
        throw new AssertionError("the PIN was read");
      }
    };
  }

  @Test
  void notStartedByPamIsAServiceError() throws Exception {
    config(1);
    PamOutcome o = run(Map.of("PAM_USER", "alice"), untouched());
    assertThat(o.result()).isEqualTo(PamResult.SERVICE_ERR);
    assertThat(o.result().exitCode()).isEqualTo(3);
    assertThat(o.line()).startsWith("keytrust: service error: ").contains("PAM_SERVICE").endsWith("[KT-1801]");
    assertThat(run(Map.of("PAM_USER", "alice", "PAM_SERVICE", "login", "PAM_TYPE", "session"),
        untouched()).line()).contains("auth phase only");
    assertThat(run(Map.of("PAM_SERVICE", "login"), untouched()).line()).contains("PAM_USER is not set");
    // the explicit test flag runs without PAM_SERVICE
    PamOutcome flagged = new PamAuthentication(name -> Optional.ofNullable(accounts.get(name)),
        new PamCaller(me, me), Clock.systemUTC()).authenticate(config, Map.of("PAM_USER", "nobody-here"),
        true, untouched());
    assertThat(flagged.result()).isEqualTo(PamResult.USER_UNKNOWN);
    assertThat(flagged.result().exitCode()).isEqualTo(10);
  }

  @Test
  void aCallerOtherThanRootCannotSignInAnotherUser() throws Exception {
    config(1);
    PamCaller caller = me == 0 ? new PamCaller(4242, 4242) : new PamCaller(me, me);
    accounts.put("bob", new LinuxAccount("bob", caller.realUid() + 1, 100, dir));
    Files.writeString(config, Files.readString(config) + "[user bob]\n");
    PamOutcome o = run(pam("bob"), untouched(), caller);
    assertThat(o.result()).isEqualTo(PamResult.PERM_DENIED);
    assertThat(o.result().exitCode()).isEqualTo(6);
    assertThat(o.line()).contains("not as root", "bob").endsWith("[KT-1806]");
  }

  @Test
  void anUnmappedUserOrOneWithoutAKeyIsUnavailableAndThePinIsNotRead() throws Exception {
    config(1);
    accounts.put("dave", new LinuxAccount("dave", me, me, dir));
    PamOutcome unmapped = run(pam("dave"), untouched());
    assertThat(unmapped.result()).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(unmapped.result().exitCode()).isEqualTo(9);
    assertThat(unmapped.line()).startsWith("keytrust: unavailable: dave is not set up").endsWith("[KT-1804]");

    PamOutcome noKey = run(pam("carol"), untouched());
    assertThat(noKey.result()).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(noKey.line()).contains("carol has no keytrust key", "the next sign-in method does")
        .endsWith("[KT-1809]");
  }

  @Test
  void aConfigurationOthersCanWriteIsAServiceError() throws Exception {
    config(1);
    Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    PamOutcome o = run(pam("alice"), untouched());
    assertThat(o.result()).isEqualTo(PamResult.SERVICE_ERR);
    assertThat(o.line()).endsWith("[KT-1803]");
  }

  @Test
  void aWrongPinIsAnAuthErrorAndNothingReachesTheKdc() throws Exception {
    createKey();
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket kdc = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread accept = new Thread(() -> {
        try {
          while (true) {
            kdc.accept().close();
            connections.incrementAndGet();
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      accept.setDaemon(true);
      accept.start();
      config(kdc.getLocalPort());
      PamOutcome o = run(pam("alice"), pin("Wrong-Pin-1\0"));
      assertThat(o.result()).isEqualTo(PamResult.AUTH_ERR);
      assertThat(o.result().exitCode()).isEqualTo(7);
      assertThat(o.line()).startsWith("keytrust: auth error: wrong PIN (").contains("tries left")
          .endsWith("[KT-0201]");
    }
    assertThat(connections).hasValue(0);
  }

  @Test
  void theRightPinWithTheKdcUnreachableIsUnavailableSoon() throws Exception {
    createKey();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    config(closedPort);
    Instant t0 = Instant.now();
    PamOutcome o = run(pam("alice"), pin(PIN + "\0"));
    assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(30));
    assertThat(o.result()).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(o.line()).startsWith("keytrust: unavailable: ").endsWith("[KT-1718]");
    assertThat(dir.resolve("krb5cc_" + me)).doesNotExist();
  }

  /**
   * A PIN set 31 days ago under {@code PINComplexity/Expiration = 30} is refused before it is read,
   * as authenticate, kinit and key sign refuse it (KT-1402): an auth error, no TPM try, nothing sent
   * to the KDC. Set 29 days ago, it is still read and used (here: wrong, so it reaches no KDC).
   */
  @Test
  void anExpiredPinIsAnAuthErrorBeforeThePinIsRead() throws Exception {
    createKey();
    FlowTestKit.policy(dir.resolve("policy"), "PINComplexity/Expiration = 30");
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket kdc = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread accept = new Thread(() -> {
        try {
          while (true) {
            kdc.accept().close();
            connections.incrementAndGet();
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      accept.setDaemon(true);
      accept.start();
      config(kdc.getLocalPort());

      setPinAge(Duration.ofDays(31));
      PamOutcome expired = run(pam("alice"), untouched());
      assertThat(expired.result()).isEqualTo(PamResult.AUTH_ERR);
      assertThat(expired.result().exitCode()).isEqualTo(7);
      assertThat(expired.line()).startsWith("keytrust: auth error: The PIN of user '" + UPN + "' expired at ")
          .contains("keytrust pin change").endsWith("[KT-1402]");

      setPinAge(Duration.ofDays(29));
      PamOutcome fresh = run(pam("alice"), pin("Wrong-Pin-1\0"));
      assertThat(fresh.line()).as("a PIN that has not expired is read and tried").contains("wrong PIN")
          .endsWith("[KT-0201]");
    }
    assertThat(connections).hasValue(0);
  }

  /** Records the PIN as set {@code age} ago, through the history's own API with a clock set back. */
  private void setPinAge(Duration age) throws Exception {
    try (Pin p = Pin.copyOf(PIN.toCharArray())) {
      PinHistory.forUser(dir.resolve("state"), UPN, PinHistory.DEFAULT_COST,
              Clock.fixed(Instant.now().minus(age), ZoneOffset.UTC))
          .sealedWith(PinSealer.withKeys(new KeyContainerStore(store),
              kind -> HelloKeys.open(TpmUri.parse("software"), store)))
          .record(p, FlowTestKit.policy(dir.resolve("policy")).resolve(UPN).pinPolicy());
    }
  }

  private void createKey() throws Exception {
    try (HelloKeys keys = HelloKeys.open(TpmUri.parse("software"), store);
        Pin p = Pin.copyOf(PIN.toCharArray())) {
      keys.create(UPN, KeyAlgorithm.RSA_2048, p);
    }
  }

  private static void writeCa(Path file) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair k = g.generateKeyPair();
    X500Name name = new X500Name("CN=Test KDC CA");
    Instant now = Instant.now();
    var cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
        new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now.minusSeconds(60)),
            Date.from(now.plusSeconds(3600)), name, k.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
            .build(new JcaContentSignerBuilder("SHA256withRSA").build(k.getPrivate())));
    try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(file))) {
      w.writeObject(cert);
    }
  }
}
