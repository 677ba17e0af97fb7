package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.audit.AuditFile;
import dev.keytrust.credential.KeySource;
import dev.keytrust.key.KeyContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 18 through the CLI: provision, PIN change and reset against the lab key service, and
 * sign-ins against the lab directory, leave their events in {@code STATE/audit.jsonl} with their ids;
 * every secret the commands handled (PINs, TOTP secret and codes, the bearer token, the directory
 * password) is scanned for in the file and in everything printed or logged: none is there.
 */
class AuditOnLabTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static List<JsonNode> events(Path state) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(state.resolve(AuditFile.NAME))) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  static List<Integer> ids(Path state) throws Exception {
    return events(state).stream().map(e -> e.get("eventId").asInt()).filter(i -> i != 9000).toList();
  }

  @Test
  void theFlowCommandsAreAuditedWithoutSecrets() throws Exception {
    List<String> secrets = new ArrayList<>(List.of(OpsLab.PIN, OpsLab.PIN2, OpsLab.TOTP_SECRET));
    List<OpsLab.Run> runs = new ArrayList<>();
    try (OpsLab lab = new OpsLab(dir)) {
      secrets.add(lab.token);
      String code = OpsLab.code(0);
      secrets.add(code);
      runs.add(lab.provision(code, OpsLab.PIN));
      assertThat(runs.get(0).exit()).as(runs.get(0).toString()).isZero();
      assertThat(ids(lab.state)).containsExactly(358, 9040, 9010);

      runs.add(lab.keytrust(OpsLab.PIN2 + "\n" + OpsLab.PIN2 + "\n", List.of("pin", "change", "--user", OpsLab.USER,
          "--alg", "rsa2048", "--policy-dir", lab.policy.toString(), "--device", lab.device.toString(), "--pin-stdin",
          "--tpm", "software", "--store", lab.store.toString(), "--state-dir", lab.state.toString(), "--endpoint",
          lab.service.baseUri().toString(), "--endpoint-setting", "token-file=" + lab.tokenFile, "--endpoint-setting",
          "ca-file=" + lab.certs.caFile())));
      assertThat(runs.get(1).exit()).isEqualTo(1); // the wrong current PIN
      runs.add(lab.keytrust(OpsLab.PIN + "\n" + OpsLab.PIN2 + "\n", List.of("pin", "change", "--user", OpsLab.USER,
          "--alg", "rsa2048", "--policy-dir", lab.policy.toString(), "--device", lab.device.toString(), "--pin-stdin",
          "--tpm", "software", "--store", lab.store.toString(), "--state-dir", lab.state.toString(), "--endpoint",
          lab.service.baseUri().toString(), "--endpoint-setting", "token-file=" + lab.tokenFile, "--endpoint-setting",
          "ca-file=" + lab.certs.caFile())));
      assertThat(runs.get(2).exit()).as(runs.get(2).toString()).isZero();
      runs.add(lab.reset());
      assertThat(runs.get(3).exit()).isZero();
      assertThat(ids(lab.state)).containsExactly(358, 9040, 9010, 9030, 9013, 9040, 9041, 9012, 9041, 9014);
      assertThat(events(lab.state)).allSatisfy(e -> {
        assertThat(e.get("user").asText()).isEqualTo(OpsLab.USER);
        assertThat(e.get("time").asText()).endsWith("Z");
      });
      assertNoSecret(lab.state, runs, secrets);
    }
  }

  @Test
  void signInsAreAuditedWithoutSecrets() throws Exception {
    try (SignInLab lab = new SignInLab(dir)) {
      Path state = dir.resolve("state");
      KeyContainer key = lab.createKey("software", "rsa2048");
      List<OpsLab.Run> runs = new ArrayList<>();
      SignInLab.Run notThere = lab.authenticate(SignInLab.PIN, "--state-dir", state.toString());
      assertThat(notThere.exit()).isEqualTo(1);
      lab.lab.addKeyCredentialLink(lab.alice, lab.value(key.publicKey(), KeySource.AD));
      SignInLab.Run accepted = lab.authenticate(SignInLab.PIN, "--state-dir", state.toString());
      assertThat(accepted.exit()).as(accepted.err()).isZero();
      SignInLab.Run wrong = lab.authenticate("Wrong-Pin-9921", "--state-dir", state.toString());
      assertThat(wrong.exit()).isEqualTo(1);

      assertThat(ids(state)).containsExactly(9051, 9050, 9030, 9051);
      List<JsonNode> events = events(state);
      assertThat(events.get(0).get("errorCode").asText()).isEqualTo("KT-1701");
      assertThat(events.get(1).get("keyId").asText()).isEqualTo(key.keyIdHex());
      assertThat(events.get(1).get("endpoint").asText()).startsWith("ldaps://");
      assertThat(events.get(1).get("operation").asText()).isEqualTo("sign-in");
      assertThat(events.get(2).get("errorCode").asText()).isEqualTo("KT-0201");
      for (SignInLab.Run r : List.of(notThere, accepted, wrong)) {
        runs.add(new OpsLab.Run(List.of(), r.exit(), r.out(), r.err(), r.log()));
      }
      assertNoSecret(state, runs, List.of(SignInLab.PIN, "Wrong-Pin-9921", SignInLab.PASSWORD));
    }
  }

  static void assertNoSecret(Path state, List<OpsLab.Run> runs, List<String> secrets) throws Exception {
    StringBuilder everything = new StringBuilder();
    try (var files = Files.list(state)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("audit")).toList()) {
        everything.append(Files.readString(f));
      }
    }
    for (OpsLab.Run r : runs) {
      everything.append(r.out()).append(r.err()).append(r.log());
    }
    for (String secret : secrets) {
      assertThat(everything.toString()).as("a secret").doesNotContain(secret);
    }
  }
}
