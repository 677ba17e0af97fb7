package dev.keytrust.agent.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.prereq.Answer;
import dev.keytrust.agent.prereq.PrerequisiteId;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.TpmDiscovery;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status API as an embedding agent uses it: no CLI, a fake sysfs with no TPM, a local session. */
class StatusProbeApiTest {
  @TempDir Path tmp;

  private StatusProbe probe() {
    return StatusProbe.builder()
        .osName("Linux")
        .tpmDiscovery(new TpmDiscovery(tmp.resolve("sys"), tmp.resolve("dev")))
        .sessionDetector(new RemoteSessionDetector(Map.of(), command -> Optional.empty()))
        .build();
  }

  @Test
  void theClassExampleOnAMachineWithoutATpm() throws Exception {
    StatusReport report = probe().probe(StatusRequest.builder()
        .user("alice@contoso.com")
        .tpm(TpmUri.parse("auto"))
        .policyDir(tmp.resolve("policy"))
        .deviceFile(tmp.resolve("device.conf"))
        .storeRoot(tmp.resolve("keys"))
        .build());

    assertThat(report.tpm().uriSource()).isEqualTo(TpmSource.GIVEN);
    assertThat(report.tpm().error().code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
    assertThat(report.tpm().provider()).isEqualTo(ProviderKind.SOFTWARE);
    assertThat(report.tpm().providerReason()).startsWith("no usable TPM at auto (KT-0101): software key");
    assertThat(report.device().fileState()).isEqualTo(DeviceStatus.FileState.NOT_FOUND);
    assertThat(report.device().context()).isNull();
    assertThat(report.user().user()).isEqualTo("alice@contoso.com");
    assertThat(report.user().key()).isEmpty();
    assertThat(report.user().syncState()).isEqualTo("not provisioned: no key, no registration");
    assertThat(report.policyNote()).contains("does not exist: every setting is at its default");
    assertThat(report.prerequisites().check(PrerequisiteId.DEVICE_JOINED).answer()).isEqualTo(Answer.NOT_TESTED);
  }

  @Test
  void withoutATpmInTheRequestTheProbeLooksForThePlatformsOwn() throws Exception {
    StatusReport report = probe().probe(StatusRequest.builder().storeRoot(tmp.resolve("keys")).build());

    assertThat(report.tpm().uri().isAuto()).isTrue();
    assertThat(report.tpm().uriSource()).isEqualTo(TpmSource.PLATFORM_DEFAULT);
    assertThat(report.tpm().discovered()).isEmpty();
    assertThat(report.user().user()).isNull();
    assertThat(report.user().flow()).isNull();
  }

  @Test
  void noTpmToChooseIsPartOfTheReport() throws Exception {
    KeytrustException why = new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "no default TPM here");
    StatusReport report = probe().probe(StatusRequest.builder()
        .tpm(() -> TpmChoice.none(TpmSource.PLATFORM_DEFAULT, why))
        .storeRoot(tmp.resolve("keys"))
        .build());

    assertThat(report.tpm().uri()).isNull();
    assertThat(report.tpm().error()).isSameAs(why);
    assertThat(report.tpm().provider()).isNull();
    assertThat(report.tpm().providerReason())
        .isEqualTo("no TPM is named and this platform has no default one: provisioning would stop");
  }

  @Test
  void theTpmIsChosenAfterTheDeviceContextIsRead() throws Exception {
    Path device = Files.writeString(tmp.resolve("device.conf"), "join = sideways\n");
    AtomicBoolean chosen = new AtomicBoolean();

    assertThatThrownBy(() -> probe().probe(StatusRequest.builder()
            .deviceFile(device)
            .tpm(() -> {
              chosen.set(true);
              throw new KeytrustException(CoreErrorCode.UNKNOWN_TPM_URI, "not reached");
            })
            .storeRoot(tmp.resolve("keys"))
            .build()))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DEVICE_CONTEXT_INVALID));
    assertThat(chosen).isFalse();
  }

  @Test
  void aChoiceIsEitherATpmOrWhyThereIsNone() {
    assertThatThrownBy(() -> new TpmChoice(null, TpmSource.GIVEN, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
