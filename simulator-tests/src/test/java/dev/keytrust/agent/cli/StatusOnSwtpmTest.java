package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.lab.SwtpmExtension;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keytrust status} against a real swtpm (its own, on a free 127.0.0.1 port): the TPM and key
 * provider section filled from the TPM, and a TPM user key shown in the user section. In the CLI's
 * package to run it in-process, as its own tests do.
 */
class StatusOnSwtpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  @TempDir Path store;

  record Run(int exit, String out, String err) {}

  static Run keytrust(String stdin, String... args) {
    CliEnvironment env = new CliEnvironment(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        Map.of(), "Linux", null);
    CommandLine cmd = KeytrustCli.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    // Report wraps long values after ", ": join the continuation lines again
    return new Run(code, out.toString().replaceAll(",\n +", ", "), err.toString());
  }

  @Test
  void tpmSectionIsFilledFromTheTpm() throws Exception {
    String tpm = SWTPM.swtpm().tpmUri();
    Run created = keytrust("Qx7#vR9!kz\n", "key", "create", "--user", "carol", "--tpm", tpm, "--store",
        store.toString(), "--pin-stdin");
    assertThat(created.exit()).as(created.err()).isZero();

    Run text = keytrust("", "status", "--user", "carol", "--tpm", tpm, "--store", store.toString());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("TPM : " + tpm + " (--tpm)")
        .contains("TPM reachable : YES")
        .contains("Manufacturer : IBM (SWTPM), firmware ")
        .containsPattern("Specification : 2\\.0 revision \\S+ \\(\\d{4}\\)")
        .containsPattern("DA protection : \\d+ of \\d+ failed tries, \\d+ left, in lockout NO")
        .containsPattern("Storage root keys : \\S+ 0x81000001 persistent")
        .contains("KeyProvider : tpm")
        .contains("TpmProtected : YES")
        .contains("Provider reason : TPM at " + tpm)
        .contains("NgcSet : YES")
        .contains("Key provider : tpm")
        .contains("DeviceEligible : YES (TPM 2.0, usable; RequireSecurityDevice = false (default) (a TPM is preferred))");

    Run json = keytrust("", "status", "--user", "carol", "--tpm", tpm, "--store", store.toString(), "--json");
    assertThat(json.exit()).as(json.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertThat(j.at("/tpm/reachable").asBoolean()).isTrue();
    assertThat(j.at("/tpm/error").isNull()).isTrue();
    assertThat(j.at("/tpm/info/manufacturer").asText()).isEqualTo("IBM");
    assertThat(j.at("/tpm/info/dictionaryAttack/inLockout").asBoolean()).isFalse();
    assertThat(j.at("/tpm/info/dictionaryAttack/maxAuthFail").asInt()).isPositive();
    assertThat(j.at("/tpm/keyProvider/provider").asText()).isEqualTo("tpm");
    assertThat(j.at("/tpm/keyProvider/tpmProtected").asBoolean()).isTrue();
    assertThat(j.at("/user/key/provider").asText()).isEqualTo("tpm");
  }
}
