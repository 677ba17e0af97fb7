package dev.keytrust.agent.status;

import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.prereq.PrerequisiteReport;
import java.util.Objects;

/**
 * What provisioning would find on this machine, in the sections of {@code dsregcmd /status}.
 *
 * @param device the device context and session
 * @param tpm the TPM and the key provider provisioning would use
 * @param user the user's key and flow records
 * @param prerequisites the prerequisite check (event 358/360), Not Tested where an input is missing
 * @param policy the effective policy, with the source of every value
 * @param policyNote where the policy came from, in words
 */
public record StatusReport(
    DeviceStatus device,
    TpmStatus tpm,
    UserStatus user,
    PrerequisiteReport prerequisites,
    EffectivePolicy policy,
    String policyNote) {

  public StatusReport {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(tpm, "tpm");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(prerequisites, "prerequisites");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(policyNote, "policyNote");
  }
}
