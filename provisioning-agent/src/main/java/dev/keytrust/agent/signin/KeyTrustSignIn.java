package dev.keytrust.agent.signin;

import dev.keytrust.agent.audit.AuditTrail;
import dev.keytrust.agent.signin.DirectoryKeyVerifier.Verified;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.secret.Pin;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * The proof a hybrid key trust sign-in makes: the PIN unlocks the user's key, the key signs a fresh
 * random challenge (as it signs a domain controller's PKINIT nonce), and the directory's
 * msDS-KeyCredentialLink of the user must hold the same public key ({@link DirectoryKeyVerifier}).
 * The PIN is only passed to {@link HelloKeys#sign}; it is never kept, logged or put in a message.
 */
public final class KeyTrustSignIn {
  /** Bytes of the random challenge. */
  public static final int CHALLENGE_BYTES = 32;

  /**
   * A sign-in the directory accepted.
   *
   * @param key the user's key (public data)
   * @param challenge the random challenge signed
   * @param signature the key's signature over it
   * @param verified what the directory matched
   */
  public record Result(KeyContainer key, byte[] challenge, byte[] signature, Verified verified) {
    public Result {
      challenge = challenge.clone();
      signature = signature.clone();
    }

    @Override
    public byte[] challenge() {
      return challenge.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  private final SecureRandom random;
  private final AuditTrail audit;

  public KeyTrustSignIn() {
    this(new SecureRandom());
  }

  public KeyTrustSignIn(SecureRandom random) {
    this(random, AuditTrail.none());
  }

  private KeyTrustSignIn(SecureRandom random, AuditTrail audit) {
    this.random = Objects.requireNonNull(random, "random");
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  /**
   * This sign-in, recording every attempt in {@code audit}: accepted (9050), or refused (9051) with
   * its code, and a wrong PIN (9030) or a lockout (9031) as such.
   */
  public KeyTrustSignIn audit(AuditTrail audit) {
    return new KeyTrustSignIn(random, audit);
  }

  /**
   * Signs a fresh challenge with {@code user}'s key and {@code pin}, then has {@code verifier}
   * check it against the directory.
   *
   * @throws KeytrustException the key's own errors first (KEY_NOT_FOUND, WRONG_PIN with the tries
   *     left, LOCKED_OUT, TPM errors), then the verifier's (SIGNIN_KEY_NOT_IN_DIRECTORY,
   *     SIGNIN_DIRECTORY_VALUE_INCONSISTENT, LDAP errors)
   */
  public Result authenticate(HelloKeys keys, String user, Pin pin, DirectoryKeyVerifier verifier,
      DirectoryAccount account) throws KeytrustException {
    KeyContainer key = null;
    try {
      key = keys.show(user);
      byte[] challenge = new byte[CHALLENGE_BYTES];
      random.nextBytes(challenge);
      byte[] signature = keys.sign(user, challenge, pin);
      Verified verified = verifier.verify(account, key.keyId(), challenge, signature);
      audit.signInAccepted(user, key.keyIdHex(), verifier.describe(), verified.match().describe());
      return new Result(key, challenge, signature, verified);
    } catch (KeytrustException e) {
      audit.signInRefused(user, key == null ? null : key.keyIdHex(), verifier.describe(), e);
      throw e;
    }
  }
}
