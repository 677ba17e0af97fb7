package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.example.embedding.EmbeddingAgent;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.Lab;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding example run for real: the lab (key service with push MFA, directory, its own
 * swtpm) in-process, a user provisioned through {@link EmbeddingAgent} and a challenge signed by
 * the TPM key. {@code ArchitectureTest} checks the example uses the exported API only.
 */
class EmbeddingAgentTest {
  private static final String USER = "alice@keytrust.lab";

  @TempDir Path tmp;

  @Test
  void anAgentProvisionsOnSwtpmAndSignsWithTheExportedApi() throws Exception {
    try (Lab lab = Lab.start(new Lab.Options(tmp.resolve("lab"), Duration.ofHours(1), Duration.ofMillis(200), true,
        false), new PrintStream(PrintStream.nullOutputStream()))) {
      assertThat(lab.swtpm()).as("swtpm (CI installs it)").isPresent();
      Lab.User alice = lab.user(USER);
      Path work = tmp.resolve("agent");
      Path policy = Files.createDirectories(work.resolve("policy/computer"));
      Files.writeString(policy.resolve("gpo.properties"), "RequireSecurityDevice = 1\n");
      UUID tenant = UUID.nameUUIDFromBytes("embedding tenant".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Path device = Files.writeString(work.resolve("device.conf"), "join = hybrid\n"
          + "device.id = " + alice.deviceId() + "\ntenant.id = " + tenant + "\ntenant.verifiedDomains = keytrust.lab\n"
          + "user.onPremUpn = " + USER + "\nuser.cloudUpn = " + USER + "\nuser.onPremisesUserPrincipalName = " + USER
          + "\nuser.groups = Domain Users\ntoken.amr = pwd\ntoken.deviceid = " + alice.deviceId() + "\ntoken.tid = "
          + tenant + "\nsession.remote = no\ntpm = 2.0\ntpm.usable = yes\ntpm.lockedOut = no\n");
      EmbeddingAgent agent = new EmbeddingAgent(TpmUri.parse(lab.tpmUri()), work.resolve("keys"),
          work.resolve("state"), work.resolve("policy"), device, lab.drsUri(), lab.keyService().pushUri(),
          alice.tokenFile(), lab.caFile());

      ProvisioningResult result = agent.provision(USER, "Embed-PIN-2741"::toCharArray);
      assertThat(result.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
      assertThat(result.registered()).isPresent();

      byte[] challenge = "sign-in challenge".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] signature = agent.sign(USER, challenge, "Embed-PIN-2741".toCharArray());
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(new KeyContainerStore(work.resolve("keys")).load(USER).publicKey());
      rsa.update(challenge);
      assertThat(rsa.verify(signature)).isTrue();
      assertThat(lab.keyService().registration(result.registered().get().registration().keyId())).isPresent();
    }
  }
}
