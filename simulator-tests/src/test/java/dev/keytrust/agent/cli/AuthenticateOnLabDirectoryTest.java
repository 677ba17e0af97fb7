package dev.keytrust.agent.cli;

import static dev.keytrust.agent.cli.SignInLab.PIN;
import static dev.keytrust.agent.cli.SignInLab.UPN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.cli.SignInLab.Run;
import dev.keytrust.credential.KeySource;
import dev.keytrust.key.KeyContainer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keytrust authenticate} and {@code keytrust sync-watch} in-process against the real lab
 * directory (UnboundID in-memory server with the AD msDS-KeyCredentialLink schema) over LDAPS with
 * the lab CA, with software keys ({@code --tpm software}, no swtpm needed). The TPM case is {@link
 * AuthenticateOnSwtpmTest}.
 */
class AuthenticateOnLabDirectoryTest {
  @TempDir Path dir;
  private SignInLab lab;

  @BeforeEach
  void start() throws Exception {
    lab = new SignInLab(dir);
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  private static String keyIdB64(KeyContainer key) {
    return Base64.getEncoder().encodeToString(key.keyId());
  }

  private static PublicKey otherRsaKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair().getPublic();
  }

  // ---- authenticate ----

  @Test
  void aRegisteredSoftwareKeySignsInAndTheMatchedValueIsReported() throws Exception {
    KeyContainer key = lab.createKey("software", "rsa2048");
    lab.lab.addKeyCredentialLink(lab.alice, lab.value(otherRsaKey(), KeySource.AD)); // another device's key
    lab.lab.addKeyCredentialLink(lab.alice, lab.value(key.publicKey(), KeySource.AD));

    Run text = lab.authenticate(PIN).assertNoSecrets();
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.err()).isEmpty();
    assertThat(text.out().replaceAll(",\n +", ", "))
        .contains("User : alice")
        .contains("Key id : " + key.keyIdHex())
        .contains("Signature : SHA256withRSA, 256 bytes")
        .contains("User object : " + lab.alice)
        .contains("Values : 2")
        .contains("Matched value : 2 of 2")
        .contains("Value key id : " + keyIdB64(key))
        .contains("Value source : AD")
        .contains("Value created : 2026-11-25T10:00:00Z")
        .contains("SUCCESS");

    Run json = lab.authenticate(PIN, "--json").assertNoSecrets();
    assertThat(json.exit()).as(json.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertThat(j.at("/outcome").asText()).isEqualTo("SUCCESS");
    assertThat(j.at("/keyId").asText()).isEqualTo(key.keyIdHex());
    assertThat(j.at("/provider").asText()).isEqualTo("software");
    assertThat(j.at("/userDn").asText()).isEqualTo(lab.alice);
    assertThat(j.at("/challenge").asText()).hasSize(64);
    assertThat(j.at("/matched/index").asInt()).isEqualTo(2);
    assertThat(j.at("/matched/keyIdBase64").asText()).isEqualTo(keyIdB64(key));
    assertThat(j.at("/matched/source").asText()).isEqualTo("AD");
    assertThat(j.at("/matched/creationTime").asText()).isEqualTo("2026-11-25T10:00:00Z");
    // a fresh challenge every time
    Run again = lab.authenticate(PIN, "--json");
    assertThat(new ObjectMapper().readTree(again.out()).at("/challenge").asText())
        .isNotEqualTo(j.at("/challenge").asText());
  }

  @Test
  void anEcKeySyncedFromEntraIdSignsInByUpn() throws Exception {
    KeyContainer key = lab.createKey("software", "p256");
    lab.lab.addKeyCredentialLink(lab.alice, lab.value(key.publicKey(), KeySource.AZURE_AD));

    Run r = lab.authenticate(PIN, "--upn", UPN, "--json").assertNoSecrets();
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.at("/signatureAlgorithm").asText()).isEqualTo("SHA256withECDSA");
    assertThat(j.at("/userPrincipalName").asText()).isEqualTo(UPN);
    assertThat(j.at("/matched/source").asText()).isEqualTo("AzureAD");
    assertThat(j.at("/matched/keyAlgorithm").asText()).isEqualTo("EC");
  }

  @Test
  void aWrongPinFailsWithTheKeysOwnErrorBeforeTheDirectoryIsAsked() throws Exception {
    KeyContainer key = lab.createKey("software", "rsa2048");
    lab.lab.addKeyCredentialLink(lab.alice, lab.value(key.publicKey(), KeySource.AD));

    Run r = lab.authenticate("Wrong-Pin-000").assertNoSecrets();
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("keytrust: ").contains("[KT-0201]").containsPattern("\\d+ (tries|try) left");
    assertThat(r.err()).doesNotContain("Wrong-Pin-000").doesNotContain("SUCCESS");
    // the right PIN still works
    assertThat(lab.authenticate(PIN).exit()).isZero();
  }

  @Test
  void noValueInTheDirectoryFailsAsNotSyncedYet() throws Exception {
    lab.createKey("software", "rsa2048");
    lab.lab.addKeyCredentialLink(lab.alice, lab.value(otherRsaKey(), KeySource.AD));

    Run r = lab.authenticate(PIN).assertNoSecrets();
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("[KT-1701]")
        .contains("not registered or not synced yet: on-premises sign-in works once directory sync has copied"
            + " the key")
        .contains(lab.alice)
        .contains("none of its 1 value(s) has this KeyID");
  }

  @Test
  void aValueWithTheKeyIdButOtherKeyMaterialIsInconsistent() throws Exception {
    KeyContainer key = lab.createKey("software", "rsa2048");
    lab.lab.addKeyCredentialLink(lab.alice, lab.forgedValue(key.keyId(), otherRsaKey()));

    Run r = lab.authenticate(PIN).assertNoSecrets();
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("[KT-1702]").contains("the directory value is inconsistent")
        .contains(keyIdB64(key)).doesNotContain("SUCCESS");

    // the sync watch sees the same inconsistency and stops at once
    Run watch = lab.syncWatch("--cycles", "5", "--interval", "100ms").assertNoSecrets();
    assertThat(watch.exit()).isEqualTo(1);
    assertThat(watch.err()).contains("[KT-1702]").contains("inconsistent");
  }

  @Test
  void afterTheKeyIsRemovedFromTheDirectoryTheSignInFails() throws Exception {
    KeyContainer key = lab.createKey("software", "rsa2048");
    String value = lab.value(key.publicKey(), KeySource.AD);
    lab.lab.addKeyCredentialLink(lab.alice, value);
    assertThat(lab.authenticate(PIN).exit()).isZero();

    lab.lab.removeKeyCredentialLink(lab.alice, value); // what keytrust reset's unregister does

    Run r = lab.authenticate(PIN).assertNoSecrets();
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("[KT-1701]").contains("it has no value").contains("not synced yet");
  }

  @Test
  void anUnknownUserIsReported() throws Exception {
    Run created = lab.keytrust(PIN + "\n", "key", "create", "--user", "nobody", "--tpm", "software",
        "--store", lab.store.toString(), "--pin-stdin");
    assertThat(created.exit()).as(created.err()).isZero();
    List<String> args = new java.util.ArrayList<>(List.of("authenticate", "--user", "nobody", "--pin-stdin",
        "--store", lab.store.toString(), "--upn", "nobody@keytrust.lab"));
    args.addAll(lab.directoryArgs());

    Run r = lab.keytrust(PIN + "\n", args).assertNoSecrets();
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("[KT-1656]")
        .contains("userPrincipalName=nobody@keytrust.lab or sAMAccountName=nobody");
  }

  @Test
  void anUnreachableDirectoryIsReported() throws Exception {
    lab.createKey("software", "rsa2048");
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    List<String> args = new java.util.ArrayList<>(List.of("authenticate", "--user", "alice", "--pin-stdin",
        "--store", lab.store.toString(),
        "--directory", "ldaps://127.0.0.1:" + closed + "/DC=keytrust,DC=lab",
        "--directory-setting", "credentials-file=" + lab.credentials,
        "--directory-setting", "ca-file=" + lab.certs.caFile(),
        "--directory-setting", "connect-timeout=2s"));

    Run r = lab.keytrust(PIN + "\n", args).assertNoSecrets();
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("[KT-1653]").contains("127.0.0.1:" + closed);
  }

  @Test
  void badDirectorySettingsFailBeforeThePinIsRead() throws Exception {
    lab.createKey("software", "rsa2048");
    Run r = lab.keytrust("", "authenticate", "--user", "alice", "--pin-stdin", "--store", lab.store.toString(),
        "--directory", lab.lab.ldapsUri().toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("[KT-1650]").contains("credentials-file");
  }

  // ---- sync watch ----

  @Test
  void syncWatchSeesAValueThatAppearsLater() throws Exception {
    KeyContainer key = lab.createKey("software", "rsa2048");
    String value = lab.value(key.publicKey(), KeySource.AZURE_AD);
    CountDownLatch added = new CountDownLatch(1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    int searchesBefore = lab.lab.searches();
    Thread sync = new Thread(() -> {
      try {
        // after two of sync-watch's polls have read the user without it (however slow the machine)
        if (!lab.lab.awaitSearches(searchesBefore + 2, Duration.ofSeconds(60))) {
          throw new AssertionError("sync-watch never read the directory");
        }
        lab.lab.addKeyCredentialLink(lab.alice, value); // the sync service writes the key
      } catch (Throwable t) {
        failed.set(t);
      } finally {
        added.countDown();
      }
    }, "lab-sync");
    sync.start();

    Run r = lab.syncWatch("--cycles", "30", "--interval", "200ms").assertNoSecrets();
    assertThat(added.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(failed.get()).isNull();

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.err().lines().toList();
    assertThat(lines.size()).isGreaterThanOrEqualTo(3);
    assertThat(lines.get(0)).startsWith("[1/30] ").contains("not in msDS-KeyCredentialLink of " + lab.alice)
        .contains("next poll in");
    assertThat(lines.get(lines.size() - 1)).contains("key " + keyIdB64(key) + " found: value 1 of 1")
        .contains("source AzureAD");
    assertThat(r.out()).contains("on-premises key trust sign-in with this key works now");
    // and now the sign-in proof succeeds
    assertThat(lab.authenticate(PIN).exit()).isZero();
  }

  @Test
  void syncWatchGivesUpAfterTheLastCycle() throws Exception {
    KeyContainer key = lab.createKey("software", "rsa2048");

    Run r = lab.syncWatch("--cycles", "3", "--interval", "100ms").assertNoSecrets();
    assertThat(r.exit()).isEqualTo(1);
    List<String> progress = r.err().lines().filter(l -> l.startsWith("[")).toList();
    assertThat(progress).hasSize(3);
    assertThat(progress.get(0)).startsWith("[1/3] ");
    assertThat(progress.get(2)).startsWith("[3/3] ").doesNotContain("next poll");
    assertThat(r.err()).contains("[KT-1701]").contains("has not appeared").contains("after 3 poll(s)")
        .contains(keyIdB64(key)).contains("not synced yet");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void syncWatchWithJsonReportsTheMatch() throws Exception {
    KeyContainer key = lab.createKey("software", "p256");
    lab.lab.addKeyCredentialLink(lab.alice, lab.value(key.publicKey(), KeySource.AD));

    Run r = lab.syncWatch("--cycles", "2", "--interval", "100ms", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.at("/outcome").asText()).isEqualTo("SYNCED");
    assertThat(j.at("/polls").asInt()).isEqualTo(1);
    assertThat(j.at("/keyId").asText()).isEqualTo(key.keyIdHex());
    assertThat(j.at("/source").asText()).isEqualTo("AD");
  }
}
