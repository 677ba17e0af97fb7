package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.Lab;
import dev.keytrust.lab.SambaDc;
import dev.keytrust.lab.TestKeys;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 17, orphaned keys, end to end on the lab: the key service (HTTPS, with keytrust's
 * GET listing and DELETE), the directory sync job, and the directory: the in-process LDAP directory,
 * and a Samba AD DC set up as the hybrid key trust guide says (the sync account, through KeyCredential
 * Admins, writes msDS-KeyCredentialLink). Alice is provisioned on this device; another device of hers
 * registers a key; an LDAP endpoint once wrote a value of this device that the key service never held;
 * then her key is deleted outside keytrust. {@code keys list} shows all of it side by side, and
 * {@code keys prune} removes, after confirmation, exactly the registrations and values of this device
 * that have no key.
 */
class OrphanedKeysTest {
  static final String UPN = "alice@keytrust.lab";
  static final UUID OTHER_DEVICE = UUID.fromString("0b1c2d3e-4f50-4162-8374-95a6b7c8d9e0");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void onTheLabDirectory() throws Exception {
    scenario(false);
  }

  @Test
  void onASambaAdDc() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(SambaDc.installed()).as("Samba is installed (scripts/install-deps.sh)").isTrue();
    }
    scenario(true);
  }

  void scenario(boolean samba) throws Exception {
    try (Lab lab = Lab.start(new Lab.Options(dir.resolve("lab"), Duration.ofHours(1), Duration.ofMillis(200), false,
        samba), new PrintStream(PrintStream.nullOutputStream()))) {
      Lab.User alice = lab.user(UPN);
      Path work = Files.createDirectories(dir.resolve("work"));
      Path store = work.resolve("keys");
      Path device = Files.writeString(work.resolve("device.conf"), "join = hybrid\n"
          + "device.id = " + alice.deviceId() + "\ntenant.id = 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a\n"
          + "tenant.verifiedDomains = keytrust.lab\nuser.onPremUpn = " + UPN + "\nuser.cloudUpn = " + UPN
          + "\nuser.onPremisesUserPrincipalName = " + UPN + "\nuser.groups = Domain Users\ntoken.amr = pwd\n"
          + "token.deviceid = " + alice.deviceId() + "\ntoken.tid = 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a\n"
          + "session.remote = no\n");
      Path policy = Files.createDirectories(work.resolve("policy/computer"));
      Files.writeString(policy.resolve("gpo.properties"), "RequireSecurityDevice = false\n");
      Path totp = Files.writeString(work.resolve("alice.totp"), OpsLab.TOTP_SECRET + "\n");
      Files.setPosixFilePermissions(totp, PosixFilePermissions.fromString("rw-------"));
      List<String> endpoint = List.of("--endpoint", lab.drsUri().toString(), "--endpoint-setting",
          "token-file=" + alice.tokenFile(), "--endpoint-setting", "ca-file=" + lab.caFile());
      Map<String, String> ldapSettings = Map.of("credentials-file", lab.ldapCredentials().toString(), "ca-file",
          lab.ldapsCaFile().toString(), "connect-timeout", "10s", "response-timeout", "20s");
      List<String> keysArgs = new ArrayList<>(List.of("--user", UPN, "--device", device.toString(), "--store",
          store.toString()));
      keysArgs.addAll(endpoint);
      keysArgs.addAll(List.of("--directory", lab.ldapsUri().toString()));
      ldapSettings.forEach((k, v) -> keysArgs.addAll(List.of("--directory-setting", k + "=" + v)));

      // alice is provisioned on this device; the sync job copies her key to the directory
      List<String> provision = new ArrayList<>(List.of("provision", "--user", UPN, "--alg", "rsa2048", "--tpm",
          "software", "--policy-dir", work.resolve("policy").toString(), "--device", device.toString(), "--mfa",
          "totp:secret-file=" + totp, "--mfa-code-stdin", "--pin-stdin", "--store", store.toString(), "--state-dir",
          work.resolve("state").toString()));
      provision.addAll(endpoint);
      OpsLab.Run provisioned = OpsLab.run(OpsLab.code(0) + "\n" + OpsLab.PIN + "\n", provision);
      assertThat(provisioned.exit()).as(provisioned.toString()).isZero();
      String mine = new KeyContainerStore(store).load(UPN).keyIdHex();
      // another device of hers registers its key
      Path otherToken = work.resolve("other.token");
      Files.writeString(otherToken, lab.keyService().issueToken(UPN, OTHER_DEVICE) + "\n");
      Files.setPosixFilePermissions(otherToken, PosixFilePermissions.fromString("rw-------"));
      KeyRegistration other = TestKeys.registration(UPN, 0, OTHER_DEVICE);
      try (KeyRegistrationEndpoint drs = KeyRegistrationEndpoints.open(lab.drsUri(), new EndpointSettings(Map.of(
          "token-file", otherToken.toString(), "ca-file", lab.caFile().toString())))) {
        drs.register(other);
      }
      assertThat(lab.sync().runOnce().added()).isEqualTo(2);
      // an LDAP endpoint once wrote a value of this device directly (KeySource AD): the key service never held it
      KeyRegistration direct = TestKeys.registration(UPN, 1, alice.deviceId());
      try (KeyRegistrationEndpoint ldap = KeyRegistrationEndpoints.open(lab.ldapsUri(),
          new EndpointSettings(ldapSettings))) {
        ldap.register(direct);
      }

      OpsLab.Run list = keys(keysArgs, "", "list");
      assertThat(list.exit()).as(list.toString()).isZero();
      assertThat(list.out()).contains("This device : " + alice.deviceId())
          .contains("Key store : key " + mine)
          .contains(lab.drsUri().getPort() + "").contains(": 2 registration(s)")
          .contains(": 3 msDS-KeyCredentialLink value(s)")
          .contains("1 orphan(s)");
      assertThat(row(list, mine)).contains("  yes  ").contains("AzureAD").contains(alice.deviceId().toString())
          .endsWith("this device");
      assertThat(row(list, other.keyIdHex())).contains(OTHER_DEVICE.toString()).endsWith("other device");
      assertThat(row(list, direct.keyIdHex())).contains("  AD  ")
          .endsWith("this device, no key here (orphaned), unknown to the key service");
      JsonNode json = JSON.readTree(keys(keysArgs, "", "list", "--json").out());
      assertThat(json.get("keys")).hasSize(3);
      assertThat(json.get("orphans").asInt()).isEqualTo(1);
      assertThat(json.get("keys").get(0).get("keyId").asText()).isEqualTo(mine);
      assertThat(json.get("keys").get(0).get("inStore").asBoolean()).isTrue();
      assertThat(json.get("keys").get(0).get("directory").get(0).get("source").asText()).isEqualTo("AzureAD");

      // her key is deleted outside keytrust: its registration and its directory value become orphans
      OpsLab.Run deleted = OpsLab.run("", List.of("key", "delete", "--user", UPN, "--store", store.toString()));
      assertThat(deleted.exit()).as(deleted.toString()).isZero();
      assertThat(row(keys(keysArgs, "", "list"), mine)).endsWith("this device, no key here (orphaned)");

      // prune asks first: no answer is bad input, "no" removes nothing
      OpsLab.Run noAnswer = keys(keysArgs, "", "prune");
      assertThat(noAnswer.exit()).isEqualTo(2);
      assertThat(noAnswer.errorLine()).contains("pass --yes").endsWith("[KT-0001]");
      OpsLab.Run declined = keys(keysArgs, "no\n", "prune");
      assertThat(declined.exit()).isZero();
      assertThat(declined.err()).contains("would remove").contains(Base64.getEncoder().encodeToString(
          HexFormat.of().parseHex(mine)));
      assertThat(declined.out()).contains("Nothing was removed");
      assertThat(lab.keyService().registrations()).hasSize(2);
      assertThat(values(lab, alice)).hasSize(3);

      OpsLab.Run pruned = keys(keysArgs, "yes\n", "prune");
      assertThat(pruned.exit()).as(pruned.toString()).isZero();
      assertThat(pruned.out()).contains("Pruned: 3 removed.");
      // only the other device's registration and value are left
      assertThat(lab.keyService().registrations()).singleElement()
          .satisfies(r -> assertThat(r.deviceId()).isEqualTo(OTHER_DEVICE));
      assertThat(values(lab, alice)).singleElement().isEqualTo(other.keyIdHex());
      OpsLab.Run after = keys(keysArgs, "", "list");
      assertThat(after.out()).contains("No orphan");
      OpsLab.Run again = keys(keysArgs, "", "prune", "--yes");
      assertThat(again.exit()).isZero();
      assertThat(again.out()).contains("Nothing to prune");
      for (OpsLab.Run r : List.of(provisioned, list, declined, pruned, after)) {
        assertThat(r.out() + r.err() + r.log()).doesNotContain(OpsLab.PIN)
            .doesNotContain(Files.readString(alice.tokenFile()).strip());
      }
    }
  }

  static OpsLab.Run keys(List<String> common, String stdin, String... command) {
    List<String> args = new ArrayList<>(List.of("keys", command[0]));
    args.addAll(common);
    args.addAll(List.of(command).subList(1, command.length));
    return OpsLab.run(stdin, args);
  }

  /** The table row of a key, found by its Base64 KeyID. */
  static String row(OpsLab.Run list, String keyIdHex) {
    String b64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(keyIdHex));
    return list.out().lines().filter(l -> l.startsWith(b64)).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + b64 + " in\n" + list.out()));
  }

  /** The KeyIDs of alice's msDS-KeyCredentialLink values, read as the lab's directory holds them. */
  static List<String> values(Lab lab, Lab.User alice) throws Exception {
    List<String> raw = lab.samba().isPresent() ? lab.samba().get().keyCredentialLinks(alice.dn())
        : lab.directory().orElseThrow().keyCredentialLinks(alice.dn());
    List<String> ids = new ArrayList<>();
    for (String v : raw) {
      ids.add(HexFormat.of().withUpperCase().formatHex(KeyCredential.parse(DnBinary.parse(v).binary()).keyId()
          .orElseThrow()));
    }
    return ids;
  }
}
