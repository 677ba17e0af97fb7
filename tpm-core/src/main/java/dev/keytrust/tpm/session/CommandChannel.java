package dev.keytrust.tpm.session;

import dev.keytrust.error.KeytrustException;

/**
 * Where this package sends its commands: one complete, marshalled TPM 2.0 command in, the
 * complete response out. {@code TpmSession} implements it over its transport and lock; tests wrap
 * a {@link dev.keytrust.tpm.TpmTransport} with {@link TransportChannel}.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Returns only responses whose response code is TPM_RC_SUCCESS, exactly as long as their
 *       size field says.
 *   <li>Retries TPM_RC_RETRY, TPM_RC_YIELDED and TPM_RC_TESTING a bounded number of times by
 *       sending the same bytes again (the TPM has not run the command, so no session nonce has
 *       rolled).
 *   <li>Raises every other response code as a {@link KeytrustException} that keeps the raw code
 *       and the command name: a {@link dev.keytrust.error.TpmCommandException}, or a more specific
 *       error it maps the code to (a wrong PIN with the tries left, a lockout with the time to
 *       wait), for {@code TPM_RC_AUTH_FAIL} on TPM2_Sign and TPM2_Unseal in particular.
 *   <li>Never logs or keeps the command or response bytes.
 * </ul>
 */
@FunctionalInterface
public interface CommandChannel {

  /**
   * Sends {@code command} and returns the TPM's successful response.
   *
   * @param commandName the TCG name of the command, e.g. {@code TPM2_Sign}, for errors
   * @param command the whole command buffer; the channel may zero it after sending
   */
  byte[] execute(String commandName, byte[] command) throws KeytrustException;
}
