package dev.keytrust.agent.flow;

import dev.keytrust.error.KeytrustException;

/**
 * What a {@link ProvisioningFlow} tells an audit trail (such as {@code
 * dev.keytrust.agent.audit.AuditTrail}): every step event of a user's run, and how the run ended.
 * Implementations never throw and never slow a run down noticeably; they see no secret (events
 * and results hold none).
 */
public interface FlowAuditor {
  /** No audit. */
  FlowAuditor NONE = new FlowAuditor() {
    @Override
    public FlowListener listener(String user) {
      return FlowListener.NONE;
    }

    @Override
    public void finished(ProvisioningResult result) {}

    @Override
    public void failed(FlowOperation operation, String user, KeytrustException error) {}
  };

  /** Receives the step events of one run for {@code user}. */
  FlowListener listener(String user);

  /** A run ended with {@code result}. */
  void finished(ProvisioningResult result);

  /** A run of {@code operation} for {@code user} failed with {@code error}. */
  void failed(FlowOperation operation, String user, KeytrustException error);
}
