package dev.keytrust.agent.signin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.ldap.KeyCredentialLinkReader;
import dev.keytrust.agent.endpoint.ldap.KeyCredentialLinkReader.UserValues;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.EcKeyMaterial;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.credential.KeyMaterial;
import dev.keytrust.credential.KeySource;
import dev.keytrust.credential.RsaKeyMaterial;
import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The domain controller's half of a key trust sign-in: it reads the user's msDS-KeyCredentialLink
 * values from the directory and accepts a signature over a challenge only when one value has the
 * signing key's KeyID and its key material's public key verifies the signature ({@code
 * SHA256withRSA} for RSA, {@code SHA256withECDSA} for EC P-256), as a KDC does with the PKINIT
 * request of a Windows Hello for Business key. Values that do not parse (or are no DN-Binary
 * strings) belong to someone else and are skipped.
 *
 * <pre>{@code
 * try (DirectoryKeyVerifier verifier = DirectoryKeyVerifier.open(
 *     URI.create("ldaps://dc1.example.com/DC=example,DC=com"),
 *     new EndpointSettings(Map.of("credentials-file", "/etc/keytrust/dc-read.cred",
 *         "ca-file", "/etc/keytrust/ad-ca.pem")))) {
 *   Verified v = verifier.verify(DirectoryAccount.of("alice", null), keyId, challenge, signature);
 * }
 * }</pre>
 *
 * <p>The bind account only needs to read the users' msDS-KeyCredentialLink. The password is kept
 * as bytes and wiped by {@link #close()}; it is never logged.
 */
public final class DirectoryKeyVerifier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryKeyVerifier.class);
  static final String ATTRIBUTE = "msDS-KeyCredentialLink";

  /**
   * A signature the directory accepted.
   *
   * @param userDn the user object read
   * @param values how many msDS-KeyCredentialLink values it has
   * @param match the value whose key verified the signature
   * @param signatureAlgorithm {@code SHA256withRSA} or {@code SHA256withECDSA}
   */
  public record Verified(String userDn, int values, MatchedValue match, String signatureAlgorithm) {}

  /**
   * What the directory holds for a key, without a signature (the sync watch).
   *
   * @param userDn the user object read
   * @param values how many msDS-KeyCredentialLink values it has
   * @param match the value with the key's KeyID and public key, if any
   */
  public record Lookup(String userDn, int values, Optional<MatchedValue> match) {}

  private final KeyCredentialLinkReader reader;

  /** Over a reader; the verifier closes it. */
  public DirectoryKeyVerifier(KeyCredentialLinkReader reader) {
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  /**
   * Reads the URI and settings as the LDAP registration endpoint does ({@code credentials-file},
   * {@code ca-file}, timeouts); does not contact the server.
   *
   * @throws AgentException bad input: LDAP_ENDPOINT_CONFIG, LDAP_CREDENTIALS_FILE, LDAP_CA_FILE
   */
  public static DirectoryKeyVerifier open(URI directory, EndpointSettings settings)
      throws AgentException {
    return new DirectoryKeyVerifier(KeyCredentialLinkReader.open(directory, settings));
  }

  /** The directory, without credentials. */
  public String describe() {
    return reader.describe();
  }

  /**
   * Accepts the signature when a value of the user has KeyID {@code keyId} and its public key
   * verifies {@code signature} over {@code challenge}.
   *
   * @throws AgentException SIGNIN_KEY_NOT_IN_DIRECTORY when no value has the KeyID (not registered
   *     or not synced yet), SIGNIN_DIRECTORY_VALUE_INCONSISTENT when values have it but none
   *     verifies, or the LDAP reader's errors (user not found, directory unreachable, ...)
   */
  public Verified verify(DirectoryAccount account, byte[] keyId, byte[] challenge, byte[] signature)
      throws AgentException {
    UserValues user = reader.read(account.upn(), account.accountName());
    List<Candidate> candidates = candidates(user, keyId);
    if (candidates.isEmpty()) {
      throw notInDirectory(user, keyId, reader.describe());
    }
    for (Candidate c : candidates) {
      Optional<String> alg = verifies(c.credential.keyMaterial().orElse(null), challenge, signature);
      if (alg.isPresent()) {
        LOG.debug("signature verified by {} of {}", c.match.describe(), user.dn());
        return new Verified(user.dn(), user.values().size(), c.match, alg.get());
      }
    }
    Candidate first = candidates.get(0);
    throw new AgentException(
        AgentErrorCode.SIGNIN_DIRECTORY_VALUE_INCONSISTENT,
        ATTRIBUTE + " of " + user.dn() + " on " + reader.describe() + " holds "
            + (candidates.size() == 1 ? "a value" : candidates.size() + " values")
            + " with the KeyID of key " + b64(keyId) + " (" + first.match.describe() + "), but "
            + (candidates.size() == 1 ? "its key material does not" : "no one's key material does")
            + " verify the signature made with that key: the directory value is inconsistent"
            + " (its key material is another key's, or it was altered). A domain controller"
            + " refuses this sign-in. Remove the value and register the key again (keytrust reset,"
            + " then keytrust provision).");
  }

  /**
   * Whether the directory holds {@code publicKey} (with KeyID {@code keyId}) for the user, without
   * a signature: a value matches when its KeyID is {@code keyId} and its key material is the same
   * public key.
   *
   * @throws AgentException SIGNIN_DIRECTORY_VALUE_INCONSISTENT when values have the KeyID but none
   *     holds the public key, or the LDAP reader's errors
   */
  public Lookup lookup(DirectoryAccount account, byte[] keyId, PublicKey publicKey)
      throws AgentException {
    UserValues user = reader.read(account.upn(), account.accountName());
    List<Candidate> candidates = candidates(user, keyId);
    for (Candidate c : candidates) {
      if (samePublicKey(c.credential.keyMaterial().orElse(null), publicKey)) {
        return new Lookup(user.dn(), user.values().size(), Optional.of(c.match));
      }
    }
    if (!candidates.isEmpty()) {
      throw new AgentException(
          AgentErrorCode.SIGNIN_DIRECTORY_VALUE_INCONSISTENT,
          ATTRIBUTE + " of " + user.dn() + " on " + reader.describe() + " holds a value with the"
              + " KeyID of key " + b64(keyId) + " (" + candidates.get(0).match.describe() + "),"
              + " but its key material is not that key's public key: the directory value is"
              + " inconsistent, and a domain controller would refuse the sign-in. Remove the"
              + " value and register the key again (keytrust reset, then keytrust provision).");
    }
    return new Lookup(user.dn(), user.values().size(), Optional.empty());
  }

  /** The error for a user whose values do not hold the key. */
  static AgentException notInDirectory(UserValues user, byte[] keyId, String directory) {
    return new AgentException(
        AgentErrorCode.SIGNIN_KEY_NOT_IN_DIRECTORY,
        "Key " + b64(keyId) + " is not in " + ATTRIBUTE + " of " + user.dn() + " on " + directory
            + " (" + (user.values().isEmpty() ? "it has no value" : "none of its "
            + user.values().size() + " value(s) has this KeyID") + "): not registered or not"
            + " synced yet: on-premises sign-in works once directory sync has copied the key."
            + " Check the registration (keytrust status --user ...), then wait for the next sync"
            + " cycle (keytrust sync-watch).");
  }

  @Override
  public void close() {
    reader.close();
  }

  // ---- values ----------------------------------------------------------------------------------

  private record Candidate(KeyCredential credential, MatchedValue match) {}

  private static List<Candidate> candidates(UserValues user, byte[] keyId) {
    List<Candidate> found = new ArrayList<>();
    List<String> values = user.values();
    for (int i = 0; i < values.size(); i++) {
      KeyCredential credential;
      DnBinary value;
      try {
        value = DnBinary.parse(values.get(i));
        credential = KeyCredential.parse(value.binary());
      } catch (KeyCredentialFormatException e) {
        LOG.debug("value {} of {} is not a key credential ({}): skipped", i + 1, user.dn(),
            e.getMessage());
        continue;
      }
      Optional<byte[]> id = credential.keyId();
      if (id.isEmpty() || !Arrays.equals(id.get(), keyId)) {
        continue;
      }
      String alg = credential.keyMaterial().map(DirectoryKeyVerifier::algorithm).orElse("none");
      found.add(new Candidate(credential, new MatchedValue(i + 1, values.size(), id.get(),
          credential.source().orElse(KeySource.UNKNOWN), credential.creationTime().orElse(null),
          credential.deviceId().orElse(null), value.dn(), alg)));
    }
    return found;
  }

  private static String algorithm(KeyMaterial m) {
    if (m instanceof RsaKeyMaterial rsa) {
      return rsa.algorithm();
    }
    if (m instanceof EcKeyMaterial ec) {
      return ec.algorithm();
    }
    return m.format().toString();
  }

  /** The JCA key of RSA and EC P-256 key material; empty for FIDO and unknown material. */
  private static Optional<PublicKey> publicKey(KeyMaterial m) {
    try {
      if (m instanceof RsaKeyMaterial rsa) {
        return Optional.of(rsa.toPublicKey());
      }
      if (m instanceof EcKeyMaterial ec) {
        return Optional.of(ec.toPublicKey());
      }
    } catch (KeytrustException e) {
      LOG.debug("key material does not decode as a public key: {}", e.getMessage());
    }
    return Optional.empty();
  }

  /** The JCA algorithm that verified, or empty. */
  private static Optional<String> verifies(KeyMaterial m, byte[] challenge, byte[] signature) {
    Optional<PublicKey> key = m == null ? Optional.empty() : publicKey(m);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    String alg = key.get() instanceof RSAPublicKey ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      Signature v = Signature.getInstance(alg);
      v.initVerify(key.get());
      v.update(challenge);
      return v.verify(signature) ? Optional.of(alg) : Optional.empty();
    } catch (GeneralSecurityException e) {
      return Optional.empty(); // a malformed signature for this key type: does not verify
    }
  }

  private static boolean samePublicKey(KeyMaterial m, PublicKey local) {
    Optional<PublicKey> key = m == null ? Optional.empty() : publicKey(m);
    if (key.isEmpty()) {
      return false;
    }
    if (key.get() instanceof RSAPublicKey a && local instanceof RSAPublicKey b) {
      return a.getModulus().equals(b.getModulus())
          && a.getPublicExponent().equals(b.getPublicExponent());
    }
    if (key.get() instanceof ECPublicKey a && local instanceof ECPublicKey b) {
      return a.getW().equals(b.getW())
          && a.getParams().getCurve().equals(b.getParams().getCurve());
    }
    return false;
  }

  static String b64(byte[] keyId) {
    return Base64.getEncoder().encodeToString(keyId);
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().withUpperCase().formatHex(bytes);
  }
}
