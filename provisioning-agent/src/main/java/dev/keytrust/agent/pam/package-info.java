/**
 * Linux sign-in with the Windows Hello PIN through PAM: {@code keytrust pam-auth}, run by {@code
 * pam_exec.so expose_authtok}, unlocks the user's key with the PIN, signs in to Active Directory by
 * Kerberos PKINIT key trust ({@link dev.keytrust.agent.kinit.KeyTrustKinit}) and writes the TGT to
 * the user's credential cache, owned by the user.
 *
 * <p>{@link dev.keytrust.agent.pam.PamAuthentication} is the whole decision, with the Linux user's
 * mapping from {@link dev.keytrust.agent.pam.PamConfigFile} (format in {@link
 * dev.keytrust.agent.pam.PamConfig}); its {@link dev.keytrust.agent.pam.PamOutcome} is one line
 * of reason and a {@link dev.keytrust.agent.pam.PamResult}, whose number is the process's exit
 * code. Nothing here logs, and the PIN never leaves a {@link dev.keytrust.secret.Pin}.
 */
package dev.keytrust.agent.pam;
