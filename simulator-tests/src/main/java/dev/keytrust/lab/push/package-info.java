/**
 * The lab's push MFA service ({@link dev.keytrust.lab.push.PushService}): keytrust's push
 * protocol, what {@code dev.keytrust.agent.mfa.PushMfaProvider} polls, with requests approved or
 * denied by a test, by the user's own token, or automatically after a delay.
 *
 * <p>What it does not do: it sends no notification to any device; requests live in memory only.
 */
package dev.keytrust.lab.push;
