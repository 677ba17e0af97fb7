package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.prereq.PrerequisiteId;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.agent.status.StatusProbe;
import dev.keytrust.agent.status.StatusReport;
import dev.keytrust.agent.status.StatusRequest;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.TpmDiscovery;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StatusProbe} with {@code --tpm auto} over a fake sysfs and /dev, and an injected session,
 * and how {@link StatusView} shows what it found.
 */
class StatusProbeTest {
  @TempDir Path tmp;

  StatusReport probe(Map<String, String> env) throws Exception {
    RemoteSessionDetector detector = new RemoteSessionDetector(env, command -> Optional.empty());
    return StatusProbe.builder()
        .osName("Linux")
        .tpmDiscovery(new TpmDiscovery(tmp.resolve("sys"), tmp.resolve("dev")))
        .sessionDetector(detector)
        .build()
        .probe(StatusRequest.builder().tpm(TpmUri.parse("auto")).storeRoot(tmp.resolve("keys")).build());
  }

  @Test
  void autoShowsWhatSysfsListsAndWhyItCannotBeUsed() throws Exception {
    Path tpm0 = Files.createDirectories(tmp.resolve("sys/class/tpm/tpm0"));
    Files.writeString(tpm0.resolve("tpm_version_major"), "1\n");
    Files.createDirectories(tmp.resolve("dev"));
    Files.writeString(tmp.resolve("dev/tpm0"), "");

    StatusReport s = probe(Map.of("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22"));

    assertThat(s.tpm().discovered()).hasSize(1);
    assertThat(s.tpm().error().code()).isEqualTo(CoreErrorCode.TPM_VERSION_UNSUPPORTED);
    assertThat(s.tpm().provider()).isEqualTo(ProviderKind.SOFTWARE);
    String text = StatusView.text(s).replaceAll(",\n +", ", ");
    assertThat(text).contains("TPM : auto (--tpm)")
        .contains("Found in sysfs : tpm0: TPM 1.2 (from tpm_version_major), resource manager: none, raw device: "
            + tmp.resolve("dev/tpm0"))
        .containsPattern("TPM reachable : NO: The TPM found, tpm0, is a TPM 1.2 .*\\[KT-0501\\]")
        .contains("Remote session : YES (SSH_CONNECTION is set (SSH session))")
        .contains("SessionIsNotRemote : NO (the session is remote (SSH_CONNECTION is set (SSH session))")
        .contains("DeviceEligible : YES (TPM 1.2, not usable; set the TPM up");
    assertThat(s.prerequisites().check(PrerequisiteId.NOT_REMOTE).blocking()).isTrue();
    Map<String, Object> json = StatusView.json(s);
    @SuppressWarnings("unchecked")
    Map<String, Object> tpm = (Map<String, Object>) json.get("tpm");
    assertThat((List<?>) tpm.get("discovered")).hasSize(1);
    assertThat(tpm.get("opened")).isNull();
  }

  @Test
  void autoWithoutAnyTpm() throws Exception {
    StatusReport s = probe(Map.of());
    assertThat(s.tpm().discovered()).isEmpty();
    assertThat(s.tpm().error().code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
    assertThat(StatusView.text(s)).contains("Found in sysfs : no TPM").contains("KeyProvider : software")
        .contains("Remote session : NO (no SSH variables set; no logind session answer)");
  }
}
