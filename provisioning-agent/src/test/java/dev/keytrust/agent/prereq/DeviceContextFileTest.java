package dev.keytrust.agent.prereq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceContextFileTest {

  @TempDir Path dir;

  private final AtomicInteger detections = new AtomicInteger();
  private final RemoteSessionDetector detector = new RemoteSessionDetector(
      java.util.Map.of("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22"), cmd -> {
        detections.incrementAndGet();
        return Optional.empty();
      });

  private Path write(String... lines) throws Exception {
    return Files.writeString(dir.resolve("context.properties"), String.join("\n", lines) + "\n",
        StandardCharsets.UTF_8);
  }

  private DeviceContext read(String... lines) throws Exception {
    return DeviceContextFile.read(write(lines), detector);
  }

  @Test
  void readsEveryField() throws Exception {
    DeviceContext c = read(
        "# lab device",
        "join = hybrid",
        "device.id = " + Contexts.DEVICE,
        "tenant.id = " + Contexts.TENANT,
        "tenant.verifiedDomains = Contoso.com, corp.contoso.com",
        "user.onPremUpn = alice@corp.contoso.com",
        "user.cloudUpn = alice@contoso.com",
        "user.onPremisesUserPrincipalName = alice@corp.contoso.com",
        "user.groups = Domain Users, WHfB Users",
        "token.amr = pwd, mfa",
        "token.deviceid = " + Contexts.DEVICE,
        "token.name = Doe, Alice",
        "session.remote = no",
        "tpm = 1.2",
        "tpm.usable = yes",
        "tpm.lockedOut = yes");

    assertThat(c.joinState()).isEqualTo(JoinState.HYBRID_JOINED);
    assertThat(c.deviceId()).contains(Contexts.DEVICE);
    assertThat(c.tenantId()).contains(Contexts.TENANT);
    assertThat(c.verifiedDomains()).containsExactly("contoso.com", "corp.contoso.com");
    assertThat(c.user().onPremUpn()).contains("alice@corp.contoso.com");
    assertThat(c.user().cloudUpn()).contains("alice@contoso.com");
    assertThat(c.user().onPremisesUserPrincipalName()).contains("alice@corp.contoso.com");
    assertThat(c.user().groups()).containsExactly("Domain Users", "WHfB Users");
    assertThat(c.user().claims().amr()).containsExactly("pwd", "mfa");
    assertThat(c.user().claims().deviceId()).contains(Contexts.DEVICE);
    assertThat(c.user().claims().first("name")).contains("Doe, Alice");
    assertThat(c.session().remote()).isFalse();
    assertThat(c.session().evidence()).contains("session.remote = no");
    assertThat(c.tpm()).isEqualTo(TpmState.present(TpmVersion.TPM_1_2, true, true));
    assertThat(detections).hasValue(0);
  }

  @Test
  void aMinimalFileLeavesTheRestUnknownAndDetectsTheSession() throws Exception {
    DeviceContext c = read("join = entra", "user.cloudUpn =", "tpm = absent");

    assertThat(c.joinState()).isEqualTo(JoinState.ENTRA_JOINED);
    assertThat(c.deviceId()).isEmpty();
    assertThat(c.user()).isEqualTo(UserIdentity.unknown());
    assertThat(c.verifiedDomains()).isEmpty();
    assertThat(c.tpm()).isEqualTo(TpmState.absent());
    assertThat(c.session().remote()).isTrue();
    assertThat(c.session().evidence()).isEqualTo("SSH_CONNECTION is set (SSH session)");
    assertThat(read("join = none").tpm()).isEqualTo(TpmState.unknown());
    assertThat(read("join = domain", "tpm = 2.0").tpm())
        .isEqualTo(TpmState.present(TpmVersion.TPM_2_0, true, false));
  }

  @Test
  void formatAndReadGiveTheSameContextBack() throws Exception {
    DeviceContext original = Contexts.good()
        .session(SessionInfo.remote("x"))
        .tpm(TpmState.present(TpmVersion.TPM_2_0, false, true))
        .build();

    Path file = Files.writeString(dir.resolve("round.properties"), DeviceContextFile.format(original));
    DeviceContext back = DeviceContextFile.read(file, detector);

    assertThat(back.toBuilder().session(original.session()).build()).isEqualTo(original);
    assertThat(back.session().remote()).isTrue();
    for (TpmState t : List.of(TpmState.absent(), TpmState.unknown())) {
      DeviceContext c = Contexts.good().tpm(t).build();
      Files.writeString(file, DeviceContextFile.format(c));
      assertThat(DeviceContextFile.read(file, detector).tpm()).isEqualTo(t);
    }
  }

  private void assertInvalid(String expectedLine, String message, String... lines) throws Exception {
    Path file = write(lines);
    assertThatThrownBy(() -> DeviceContextFile.read(file, detector))
        .isInstanceOfSatisfying(AgentException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.DEVICE_CONTEXT_INVALID);
          assertThat(e.code().badInput()).isTrue();
          assertThat(e.getMessage()).contains(file + expectedLine, message);
        });
  }

  @Test
  void mistakesNameFileLineKeyAndAllowedValues() throws Exception {
    assertInvalid("", "does not set join", "device.id = x");
    assertInvalid(":1", "join = 'aad': allowed none, entra, domain or hybrid", "join = aad");
    assertInvalid(":2", "unknown key 'user.upn'", "join = entra", "user.upn = a@b.c");
    assertInvalid(":3", "sets join again (first on line 1)", "join = entra", "", "join = hybrid");
    assertInvalid(":2", "is not 'key = value'", "join = entra", "tpm 2.0");
    assertInvalid(":2", "user.cloudUpn = 'alice': allowed a UPN", "join = entra", "user.cloudUpn = alice");
    assertInvalid(":2", "session.remote = 'maybe': allowed yes or no", "join = entra", "session.remote = maybe");
    assertInvalid(":2", "tpm = '3.0': allowed 2.0, 1.2, absent or unknown", "join = entra", "tpm = 3.0");
    assertInvalid(":3", "tpm.usable = 'sure'", "join = entra", "tpm = 2.0", "tpm.usable = sure");
    assertInvalid(":2", "allowed 2.0 or 1.2 when tpm.usable", "join = entra", "tpm = absent", "tpm.lockedOut = no");
  }

  @Test
  void unreadableOrNonUtf8FilesAreErrors() throws Exception {
    assertThatThrownBy(() -> DeviceContextFile.read(dir.resolve("missing"), detector))
        .isInstanceOfSatisfying(AgentException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.DEVICE_CONTEXT_UNREADABLE);
          assertThat(e.getMessage()).contains(dir.resolve("missing").toString());
        });
    Path file = Files.write(dir.resolve("latin1"), new byte[] {'j', 'o', 'i', 'n', '=', (byte) 0xE9});
    assertThatThrownBy(() -> DeviceContextFile.read(file, detector))
        .isInstanceOfSatisfying(AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DEVICE_CONTEXT_INVALID));
  }

  @Test
  void aFileContextFeedsTheChecks() throws Exception {
    DeviceContext c = read("join = hybrid", "device.id = d1", "tenant.verifiedDomains = contoso.com",
        "user.onPremUpn = bob@contoso.local", "user.cloudUpn = bob@contoso.com",
        "token.deviceid = d1", "session.remote = no", "tpm = 2.0");

    PrerequisiteReport r = new PrerequisiteChecker().check(c,
        dev.keytrust.agent.policy.EffectivePolicy.defaults(), ProvisioningTrigger.SIGN_IN);

    assertThat(r.blockers()).extracting(CheckResult::id).containsExactly(PrerequisiteId.UPN);
    assertThat(r.check(PrerequisiteId.UPN).reason())
        .contains("suffix contoso.local is not a verified domain");
  }
}
