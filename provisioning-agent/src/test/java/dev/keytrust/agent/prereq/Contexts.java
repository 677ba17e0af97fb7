package dev.keytrust.agent.prereq;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.PolicyResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A device context on which every check passes, and policies written as real files. */
final class Contexts {

  static final String DEVICE = "4d6e1b2a-3c5f-4e7a-9b8c-1d2e3f405162";
  static final String TENANT = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

  private Contexts() {}

  static UserIdentity alice() {
    return new UserIdentity(Optional.of("alice@contoso.com"), Optional.of("alice@contoso.com"),
        Optional.of("alice@contoso.com"), List.of("Domain Users", "WHfB Users"),
        new TokenClaims(Map.of("amr", List.of("pwd", "mfa"), "deviceid", List.of(DEVICE),
            "tid", List.of(TENANT))));
  }

  /** Hybrid joined, alice signed in locally with a token issued to this device, a usable TPM 2.0. */
  static DeviceContext.Builder good() {
    return DeviceContext.builder()
        .joinState(JoinState.HYBRID_JOINED)
        .deviceId(DEVICE)
        .tenantId(TENANT)
        .verifiedDomains(List.of("contoso.com", "corp.contoso.com"))
        .user(alice())
        .session(SessionInfo.local("test"))
        .tpm(TpmState.present(TpmVersion.TPM_2_0, true, false));
  }

  /** Writes {@code lines} as computer/gpo.properties under {@code dir} and resolves alice's policy. */
  static EffectivePolicy computerGpo(Path dir, String... lines) throws IOException, AgentException {
    Path file = dir.resolve("computer/gpo.properties");
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n");
    return new PolicyResolver(dir).resolve("alice");
  }
}
