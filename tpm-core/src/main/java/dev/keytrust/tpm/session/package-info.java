/**
 * <b>Internal, not an API:</b> salted HMAC sessions with parameter encryption, written by keytrust
 * because TSS.Java 1.0.0 has none (it sends auth values in clear in password sessions). Callers
 * outside tpm-core use {@code TpmSession}; this package may change without notice.
 *
 * <h2>What it does (TPM 2.0 Part 1, 19 and 21)</h2>
 *
 * <ul>
 *   <li><b>Salt.</b> Each operation starts one unbound HMAC session (SHA-256, AES-128-CFB) salted
 *       to the storage root key: a random salt encrypted with RSA-OAEP (label {@code "SECRET\0"})
 *       for the RSA SRK, or agreed by ephemeral ECDH and KDFe (label {@code "SECRET"}) for the
 *       P-256 SRK ({@link dev.keytrust.tpm.session.SessionSalt}). sessionKey = KDFa(SHA-256,
 *       salt, "ATH", nonceTPM, nonceCaller, 256). Only the TPM holding the SRK's private key can
 *       compute it.
 *   <li><b>SRK check first.</b> Before a salt is made, TPM2_ReadPublic reads the SRK; its Name
 *       (nameAlg || SHA-256(TPMT_PUBLIC)) must equal the Name keytrust stored with the key, and it
 *       must be a restricted decryption key with AES-128-CFB (else {@code TPM_SRK_MISMATCH}).
 *   <li><b>Authorization.</b> Every command HMAC is keyed with sessionKey || authValue over cpHash
 *       (command code, the Names of its handles, its parameters) and the rolling nonces; the auth
 *       value (from the PIN, {@link dev.keytrust.key.PinAuth}) is never sent.
 *   <li><b>Parameter encryption.</b> TPM2_Create's inSensitive (new auth value, sealed data) and
 *       TPM2_ObjectChangeAuth's newAuth are encrypted with AES-128-CFB under KDFa(sessionKey ||
 *       authValue, "CFB", nonceCaller, nonceTPM); TPM2_Unseal's outData and
 *       TPM2_ActivateCredential's certInfo (the attestation CA's credential) come back encrypted the
 *       same way with the nonces swapped.
 *   <li><b>A second authorization.</b> A command's further handles are authorized without a secret:
 *       the empty password (the attestation key in TPM2_Certify) or a policy session of the caller
 *       sent with an empty HMAC (the EK's PolicySecret(TPM_RH_ENDORSEMENT) session in
 *       TPM2_ActivateCredential). Their answers are checked for shape and not used.
 *   <li><b>Verification.</b> Every response HMAC (over rpHash: response code, command code,
 *       parameters) is checked before any byte of the response is used or decrypted; a failure
 *       is {@code TPM_RESPONSE_NOT_AUTHENTIC}. Responses are parsed strictly: sizes checked,
 *       trailing bytes refused.
 * </ul>
 *
 * <h2>What someone on the bus still sees</h2>
 *
 * Command codes, handles, Names, the public areas and wrapped private blobs, digests to sign and
 * signatures, nonces, HMACs, and the ciphertext of the salt and of the encrypted parameters. None
 * of it lets them use a key, learn its auth value, test PIN guesses offline (the HMACs are keyed
 * with the session key too), read sealed data, or copy an activated attestation credential. They
 * can still drop or corrupt traffic (denial of service), and a corrupted response to
 * TPM2_StartAuthSession makes the next command fail at the TPM (on the SRK, which has noDA, so no
 * PIN try is spent).
 *
 * <h2>Shape</h2>
 *
 * {@link dev.keytrust.tpm.session.SessionOperations} is the entry point; it sends raw command
 * buffers through a {@link dev.keytrust.tpm.session.CommandChannel}. TSS.Java only marshals the
 * public templates ({@link dev.keytrust.tpm.TpmTemplates}, the one source of them); everything else is
 * marshalled here. Heap copies of secrets are zeroed after use; copies the JDK makes inside
 * {@code Mac}, {@code Cipher} and {@code SecretKeySpec} cannot be.
 */
package dev.keytrust.tpm.session;
