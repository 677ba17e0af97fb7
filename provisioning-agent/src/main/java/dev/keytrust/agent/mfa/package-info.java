/**
 * Multi-factor authentication before a PIN is created (provisioning-flow spec §5 step 3): the user
 * proves a second factor, provisioning waits until that succeeds, fails or times out, and a failure
 * or timeout offers a bounded retry. A fresh MFA (by default within 10 minutes) is reused.
 *
 * <ul>
 *   <li>SPI: an {@link dev.keytrust.agent.mfa.MfaProvider} starts an {@link
 *       dev.keytrust.agent.mfa.MfaChallenge} for a user; the challenge is awaited with a timeout and
 *       ends in an {@link dev.keytrust.agent.mfa.MfaOutcome}. Providers are made by {@link
 *       dev.keytrust.agent.mfa.MfaProviderFactory factories} found with {@link
 *       java.util.ServiceLoader} or registered by an embedder ({@link
 *       dev.keytrust.agent.mfa.MfaProviders}).
 *   <li>{@link dev.keytrust.agent.mfa.MfaRunner} applies the retry policy, reports progress to an
 *       {@link dev.keytrust.agent.mfa.MfaListener} and remembers success in {@link
 *       dev.keytrust.agent.mfa.MfaFreshness}.
 *   <li>Built in: {@code totp} (RFC 6238, {@link dev.keytrust.agent.mfa.TotpMfaProvider}) and
 *       {@code push} (approve/deny over HTTPS, {@link dev.keytrust.agent.mfa.PushMfaProvider}).
 * </ul>
 *
 * <p>What this package does <b>not</b> do: it does not obtain or check the access token the
 * registration needs (its {@code amr} claim is the server's proof of MFA, spec §3.2), it does not
 * enroll TOTP secrets or push devices, and its freshness file is a convenience for the user, not a
 * barrier against that same user (see docs/mfa-and-pin.md). No TOTP secret, code or bearer token
 * reaches a log, an exception message or a {@code toString}.
 */
package dev.keytrust.agent.mfa;
