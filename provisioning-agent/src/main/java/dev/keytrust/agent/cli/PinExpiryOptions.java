package dev.keytrust.agent.cli;

import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * {@code --policy-dir DIR} of the commands that use the PIN to sign in ({@code authenticate},
 * {@code kinit}, {@code key sign}): where the PIN expiry ({@code PINComplexity/Expiration}) is read;
 * with the time the PIN was set (in the state folder, {@code --state-dir}) an expired PIN is
 * refused before it is asked for, as Windows asks for a PIN change instead of signing in.
 */
final class PinExpiryOptions {
  @Option(
      names = "--policy-dir",
      paramLabel = "DIR",
      description = "The PassportForWork policy folder, for the PIN expiry (PINComplexity/Expiration);"
          + " a missing folder means no expiry. Default: /etc/keytrust/policy.")
  Path policyDir;

  /**
   * Refuses an expired PIN of {@code user}: reads the user's effective policy and the PIN's set
   * time in {@code stateDir}, never the PIN.
   *
   * @throws KeytrustException PIN_EXPIRED (KT-1402) saying when it expired and to change it; a
   *     malformed policy file or PIN history
   */
  void requireNotExpired(String user, Path stateDir) throws KeytrustException {
    PolicyResolver policies = new PolicyResolver(policyDir != null ? policyDir : FlowOptions.DEFAULT_POLICY_DIR);
    PinHistory history = PinHistory.forUser(stateDir, user);
    history.requireNotExpired(policies.resolve(user).pinPolicy(), Instant.now());
  }
}
