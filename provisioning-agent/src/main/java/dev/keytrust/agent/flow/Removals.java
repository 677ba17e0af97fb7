package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import java.time.Instant;
import java.util.Set;

/**
 * When an endpoint's refusal to remove a registration is final: the endpoint has no way to remove
 * keys (a DRS key service without keytrust's DELETE extension). Retrying cannot help, so the flow
 * keeps the registration as a {@link RemainingRegistration} and goes on, instead of failing the
 * same way at every rerun. Any other failure (unreachable, refused for now) stops the step as before.
 */
final class Removals {
  static final Set<ErrorCode> UNSUPPORTED = Set.of(AgentErrorCode.DRS_UNREGISTER_UNSUPPORTED);

  private Removals() {}

  /** True when {@code e} says the endpoint cannot remove keys at all. */
  static boolean unsupported(KeytrustException e) {
    return UNSUPPORTED.contains(e.code());
  }

  /** The registration as it remains at {@code endpoint} after {@code e}. */
  static RemainingRegistration remaining(KeyRegistration r, String endpoint, KeytrustException e, Instant since) {
    return new RemainingRegistration(r, endpoint, e.code().id(), e.getMessage() == null ? "" : e.getMessage(), since);
  }
}
