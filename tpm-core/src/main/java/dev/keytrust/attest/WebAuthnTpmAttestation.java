package dev.keytrust.attest;

import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A user key's TPM attestation in WebAuthn's form (W3C WebAuthn Level 2 §8.3, attestation statement
 * format {@code tpm}), so that any WebAuthn relying party library can check it: the {@code
 * attestationObject} (CBOR: {@code fmt "tpm"}, {@code attStmt {ver "2.0", alg, x5c, sig, certInfo,
 * pubArea}}, {@code authData}) and the {@code clientDataJSON} it binds. CBOR is written with Jackson's
 * streaming {@link CBORGenerator} (definite lengths, minimal integers, keys in CTAP2 canonical order).
 *
 * <p>Two steps, because the TPM must certify the key with WebAuthn's value as qualifyingData:
 * {@link #request} builds authenticatorData and clientDataJSON and says what to certify with
 * ({@link Request#qualifyingData()} = SHA-256(authenticatorData || SHA-256(clientDataJSON))), then
 * {@link Request#complete} wraps the TPM2_Certify result.
 *
 * <p>authenticatorData: SHA-256(rpId), flags UP | UV | AT, signCount 0, AAGUID zero (keytrust is no
 * registered authenticator model), the credential id (the key id: SHA-256 of the key's BCRYPT blob)
 * and the key as a COSE_Key (RSA: kty 3, alg RS256; EC2: kty 2, alg ES256, crv P-256).
 */
public final class WebAuthnTpmAttestation {
  /** COSE algorithm identifiers (IANA COSE Algorithms). */
  public static final int COSE_RS256 = -257;
  public static final int COSE_ES256 = -7;
  private static final Pattern RP_ID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
  private static final CBORFactory CBOR = new CBORFactory();

  private WebAuthnTpmAttestation() {}

  /**
   * The first step.
   *
   * @param rpId the relying party id, a host name such as {@code login.example.com}
   * @param origin the origin the client data names, e.g. {@code https://login.example.com}
   * @param challenge the relying party's challenge (1 to 64 bytes)
   * @param credentialId the credential id (keytrust: the key id, 32 bytes)
   * @param userKey the user key (RSA or EC P-256)
   */
  public static Request request(String rpId, String origin, byte[] challenge, byte[] credentialId, PublicKey userKey)
      throws KeytrustException {
    if (rpId == null || !RP_ID.matcher(rpId).matches()) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The relying party id '" + rpId + "' is not a host name such as login.example.com.");
    }
    Objects.requireNonNull(origin, "origin");
    if (!origin.matches("https?://[A-Za-z0-9.:\\[\\]-]+")) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The origin '" + origin + "' is not scheme://host[:port], e.g. https://" + rpId + ".");
    }
    if (challenge == null || challenge.length < 1 || challenge.length > 64) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "A WebAuthn challenge is 1 to 64 bytes.");
    }
    if (credentialId.length == 0 || credentialId.length > 1023) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "A credential id is 1 to 1023 bytes.");
    }
    byte[] clientData = ("{\"type\":\"webauthn.create\",\"challenge\":\""
        + Base64.getUrlEncoder().withoutPadding().encodeToString(challenge) + "\",\"origin\":\"" + origin
        + "\",\"crossOrigin\":false}").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    a.writeBytes(Sha256.of(rpId.getBytes(StandardCharsets.UTF_8)));
    a.write(0x45); // UP 0x01 | UV 0x04 | AT 0x40
    a.writeBytes(new byte[4]); // signCount
    a.writeBytes(new byte[16]); // AAGUID
    a.write(credentialId.length >>> 8);
    a.write(credentialId.length);
    a.writeBytes(credentialId);
    a.writeBytes(coseKey(userKey));
    return new Request(a.toByteArray(), clientData);
  }

  /** The COSE_Key (RFC 9053) of an RSA or EC P-256 public key, in CTAP2 canonical order. */
  public static byte[] coseKey(PublicKey key) throws KeytrustException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator g = CBOR.createGenerator(out)) {
      if (key instanceof RSAPublicKey rsa) {
        g.writeStartObject(4);
        g.writeFieldId(1);
        g.writeNumber(3); // kty RSA
        g.writeFieldId(3);
        g.writeNumber(COSE_RS256);
        g.writeFieldId(-1);
        g.writeBinary(unsigned(rsa.getModulus()));
        g.writeFieldId(-2);
        g.writeBinary(unsigned(rsa.getPublicExponent()));
        g.writeEndObject();
      } else if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
        g.writeStartObject(5);
        g.writeFieldId(1);
        g.writeNumber(2); // kty EC2
        g.writeFieldId(3);
        g.writeNumber(COSE_ES256);
        g.writeFieldId(-1);
        g.writeNumber(1); // crv P-256
        g.writeFieldId(-2);
        g.writeBinary(fixed(ec.getW().getAffineX(), 32));
        g.writeFieldId(-3);
        g.writeBinary(fixed(ec.getW().getAffineY(), 32));
        g.writeEndObject();
      } else {
        throw new KeytrustException(CoreErrorCode.ATTEST_UNSUPPORTED_KEY,
            "Only RSA and EC P-256 keys have a COSE form here, not " + key.getAlgorithm() + ".");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing CBOR to memory", e);
    }
    return out.toByteArray();
  }

  /** authenticatorData and clientDataJSON, waiting for the TPM's certification. Immutable. */
  public static final class Request {
    private final byte[] authenticatorData;
    private final byte[] clientDataJson;

    private Request(byte[] authenticatorData, byte[] clientDataJson) {
      this.authenticatorData = authenticatorData;
      this.clientDataJson = clientDataJson;
    }

    public byte[] authenticatorData() {
      return authenticatorData.clone();
    }

    public byte[] clientDataJson() {
      return clientDataJson.clone();
    }

    /** What TPM2_Certify must get as qualifyingData: SHA-256(authenticatorData || SHA-256(clientDataJSON)). */
    public byte[] qualifyingData() {
      byte[] clientHash = Sha256.of(clientDataJson);
      byte[] both = Arrays.copyOf(authenticatorData, authenticatorData.length + clientHash.length);
      System.arraycopy(clientHash, 0, both, authenticatorData.length, clientHash.length);
      return Sha256.of(both);
    }

    /**
     * The attestation object around a TPM2_Certify made with {@link #qualifyingData()}. x5c is the AIK
     * certificate path without a self-signed root (a verifier has its trust anchors already).
     */
    public Result complete(KeyAttestationStatement statement) throws KeytrustException {
      TpmtSignature sig = TpmtSignature.parse(statement.signature());
      int alg = switch (sig.sigAlg()) {
        case TpmAlgorithms.RSASSA -> COSE_RS256;
        case TpmAlgorithms.ECDSA -> COSE_ES256;
        default -> throw new KeytrustException(CoreErrorCode.ATTEST_UNSUPPORTED_KEY,
            "The attestation key signs with " + sig + "; WebAuthn 'tpm' here takes RS256 or ES256 AKs.");
      };
      if (sig.hashAlg() != TpmAlgorithms.SHA256) {
        throw new KeytrustException(CoreErrorCode.ATTEST_UNSUPPORTED_KEY, "The attestation key's hash is not SHA-256.");
      }
      List<byte[]> x5c = new ArrayList<>();
      try {
        for (X509Certificate c : statement.aikCertificatePath()) {
          boolean selfSigned = c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
          if (!selfSigned || x5c.isEmpty()) {
            x5c.add(c.getEncoded());
          }
        }
      } catch (CertificateEncodingException e) {
        throw new KeytrustException(CoreErrorCode.ATTEST_MALFORMED, "An AIK certificate does not encode.", e);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (CBORGenerator g = CBOR.createGenerator(out)) {
        g.writeStartObject(3);
        g.writeFieldName("fmt");
        g.writeString("tpm");
        g.writeFieldName("attStmt");
        g.writeStartObject(6);
        g.writeFieldName("alg");
        g.writeNumber(alg);
        g.writeFieldName("sig");
        g.writeBinary(sig.jcaSignature());
        g.writeFieldName("ver");
        g.writeString("2.0");
        g.writeFieldName("x5c");
        g.writeStartArray(null, x5c.size());
        for (byte[] c : x5c) {
          g.writeBinary(c);
        }
        g.writeEndArray();
        g.writeFieldName("pubArea");
        g.writeBinary(statement.publicArea());
        g.writeFieldName("certInfo");
        g.writeBinary(statement.certifyInfo());
        g.writeEndObject();
        g.writeFieldName("authData");
        g.writeBinary(authenticatorData);
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException("writing CBOR to memory", e);
      }
      return new Result(out.toByteArray(), clientDataJson);
    }
  }

  /**
   * The registration a relying party checks, as a browser hands it over.
   *
   * @param attestationObject the CBOR attestation object
   * @param clientDataJson the client data it binds
   */
  public record Result(byte[] attestationObject, byte[] clientDataJson) {
    public Result {
      attestationObject = attestationObject.clone();
      clientDataJson = clientDataJson.clone();
    }

    @Override
    public byte[] attestationObject() {
      return attestationObject.clone();
    }

    @Override
    public byte[] clientDataJson() {
      return clientDataJson.clone();
    }
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 && b.length > 1 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static byte[] fixed(BigInteger v, int size) {
    byte[] b = unsigned(v);
    if (b.length == size) {
      return b;
    }
    byte[] out = new byte[size];
    System.arraycopy(b, 0, out, size - b.length, b.length);
    return out;
  }
}
