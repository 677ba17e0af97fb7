package dev.keytrust.agent.cli;

import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * {@code --policy-dir DIR --state-dir DIR} of the commands that use the PIN to sign in ({@code
 * authenticate}, {@code kinit}, {@code key sign}): where the PIN expiry
 * ({@code PINComplexity/Expiration}) and the time the PIN was set are read, so an expired PIN is
 * refused before it is asked for, as Windows asks for a PIN change instead of signing in.
 */
final class PinExpiryOptions {
  @Option(
      names = "--policy-dir",
      paramLabel = "DIR",
      description = "The PassportForWork policy folder, for the PIN expiry (PINComplexity/Expiration);"
          + " a missing folder means no expiry. Default: /etc/keytrust/policy.")
  Path policyDir;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "The agent's state folder, for the time the PIN was set. Default: ~/.keytrust/state.")
  Path stateDir;

  /**
   * Refuses an expired PIN of {@code user}: reads the user's effective policy and the PIN's set
   * time, never the PIN.
   *
   * @throws KeytrustException PIN_EXPIRED (KT-1402) saying when it expired and to change it; a
   *     malformed policy file or PIN history
   */
  void requireNotExpired(String user) throws KeytrustException {
    PolicyResolver policies = new PolicyResolver(policyDir != null ? policyDir : FlowOptions.DEFAULT_POLICY_DIR);
    PinHistory history = PinHistory.forUser(stateDir != null ? stateDir : FlowOptions.defaultStateDir(), user);
    history.requireNotExpired(policies.resolve(user).pinPolicy(), Instant.now());
  }
}
