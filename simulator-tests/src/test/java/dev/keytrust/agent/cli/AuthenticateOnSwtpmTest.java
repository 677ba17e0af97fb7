package dev.keytrust.agent.cli;

import static dev.keytrust.agent.cli.SignInLab.PIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.cli.SignInLab.Run;
import dev.keytrust.credential.KeySource;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.lab.SwtpmExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code keytrust authenticate} with a TPM key on swtpm against the lab directory over LDAPS. */
class AuthenticateOnSwtpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  @TempDir Path dir;

  @Test
  void aTpmKeyInTheDirectorySignsInAndAWrongPinCountsOnTheTpm() throws Exception {
    String tpm = SWTPM.swtpm().tpmUri();
    try (SignInLab lab = new SignInLab(dir)) {
      KeyContainer key = lab.createKey(tpm, "rsa2048");
      lab.lab.addKeyCredentialLink(lab.alice, lab.value(key.publicKey(), KeySource.AD));

      Run ok = lab.authenticate(PIN, "--tpm", tpm, "--json").assertNoSecrets();
      assertThat(ok.exit()).as(ok.err()).isZero();
      JsonNode j = new ObjectMapper().readTree(ok.out());
      assertThat(j.at("/provider").asText()).isEqualTo("tpm");
      assertThat(j.at("/keyId").asText()).isEqualTo(key.keyIdHex());
      assertThat(j.at("/signatureAlgorithm").asText()).isEqualTo("SHA256withRSA");
      assertThat(j.at("/matched/source").asText()).isEqualTo("AD");

      Run wrong = lab.authenticate("Wrong-Pin-000", "--tpm", tpm).assertNoSecrets();
      assertThat(wrong.exit()).isEqualTo(1);
      assertThat(wrong.err()).contains("[KT-0201]").doesNotContain("Wrong-Pin-000");

      assertThat(lab.authenticate(PIN, "--tpm", tpm).exit()).isZero();
    }
  }
}
