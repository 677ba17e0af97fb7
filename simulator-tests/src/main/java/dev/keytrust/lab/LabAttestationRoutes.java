package dev.keytrust.lab;

import dev.keytrust.attest.AttestationRefusedException;
import dev.keytrust.attest.CertifyVerifier;
import dev.keytrust.attest.KeyAttestationStatement;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.attest.LabAttestationCa;
import dev.keytrust.lab.http.LabJson;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keytrust's key attestation extension of the lab key service, under {@value #PATH} (the protocol
 * is documented on the agent's {@code DrsAttestationClient}): the lab attestation CA's credential
 * activation, nonces, and the verification of a registered key's TPM2_Certify, after which the
 * registration is recorded as attested ({@link #attestation}). The token's user must own the
 * registration. Enabled by {@link LabKeyService#enableAttestation}.
 */
public final class LabAttestationRoutes {
  /** The path prefix. */
  public static final String PATH = "/EnrollmentServer/attestation/";

  private static final Logger LOG = LoggerFactory.getLogger(LabAttestationRoutes.class);

  /**
   * A registration the CA attested.
   *
   * @param keyIdBase64 the registered key's id
   * @param upn the user
   * @param aikIssuer the AIK certificate's issuer
   * @param ekIssuer the EK certificate's issuer
   * @param tpm the TPM's identity
   * @param at when
   */
  public record AttestedKey(String keyIdBase64, String upn, String aikIssuer, String ekIssuer, String tpm, Instant at) {}

  /** A refusal: HTTP status, KPP error code, message. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Refused(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  private final LabAttestationCa ca;
  private final LabKeyService service;
  private final Clock clock;
  private final Map<String, AttestedKey> attested = new ConcurrentHashMap<>();
  private final Map<String, String> ekIssuerByAik = new ConcurrentHashMap<>(); // AIK serial -> EK issuer

  LabAttestationRoutes(LabAttestationCa ca, LabKeyService service, Clock clock) {
    this.ca = ca;
    this.service = service;
    this.clock = clock;
  }

  public LabAttestationCa ca() {
    return ca;
  }

  /** The attestation of a registered key, if the CA accepted one. */
  public Optional<AttestedKey> attestation(byte[] keyId) {
    return Optional.ofNullable(attested.get(Base64.getEncoder().encodeToString(keyId)));
  }

  /** Handles {@code POST PATH + rest} for the token's user; returns the JSON answer of a 200. */
  String handle(String upn, String rest, byte[] body) throws Refused {
    Map<?, ?> request = json(body);
    try {
      switch (rest) {
        case "ak": {
          X509Certificate ek = certificate(bytes(request, "ekCertificate"));
          LabAttestationCa.Challenge c = ca.startActivation(List.of(ek), bytes(request, "ekPublic"),
              bytes(request, "akPublic"));
          ekIssuerByAik.put("pending:" + c.id(), ek.getIssuerX500Principal().getName());
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("id", c.id());
          out.put("credentialBlob", b64(c.blobs().credentialBlob()));
          out.put("encryptedSecret", b64(c.blobs().encryptedSecret()));
          return LabJson.write(out);
        }
        case "nonce":
          return LabJson.write(Map.of("nonce", b64(ca.issueNonce())));
        case "key":
          return attest(upn, request);
        default:
          if (rest.startsWith("ak/") && rest.length() > 3 && rest.indexOf('/', 3) < 0) {
            String id = rest.substring(3);
            List<X509Certificate> path = ca.finishActivation(id, bytes(request, "secret"));
            String ekIssuer = ekIssuerByAik.remove("pending:" + id);
            if (ekIssuer != null) {
              ekIssuerByAik.put(path.get(0).getSerialNumber().toString(16), ekIssuer);
            }
            List<Object> certs = new ArrayList<>();
            for (X509Certificate c : path) {
              certs.add(b64(c.getEncoded()));
            }
            return LabJson.write(Map.of("aikCertificatePath", certs));
          }
          throw new Refused(404, "not_found", "There is no attestation resource at this path.");
      }
    } catch (AttestationRefusedException e) {
      throw new Refused(400, "attestation_refused", e.getMessage());
    } catch (KeytrustException e) {
      throw new Refused(400, "attestation_refused", e.getMessage());
    } catch (CertificateEncodingException e) {
      throw new Refused(500, "internal_error", "An AIK certificate does not encode.");
    }
  }

  private String attest(String upn, Map<?, ?> request) throws Refused, KeytrustException {
    byte[] keyId = bytes(request, "keyId");
    dev.keytrust.lab.keyservice.RegisteredKey registration = service.registration(keyId)
        .orElseThrow(() -> new Refused(400, "attestation_refused", "No key with this key id is registered."));
    if (!registration.upn().equalsIgnoreCase(upn)) {
      throw new Refused(403, "key_owned_by_another_user", "This key is registered to another user.");
    }
    PublicKey registered;
    try {
      registered = BcryptKeyBlob.parse(registration.keyMaterial()).toPublicKey();
    } catch (KeytrustException e) {
      throw new Refused(500, "internal_error", "The registered key does not decode.");
    }
    if (!(request.get("aikCertificatePath") instanceof List<?> list) || list.isEmpty() || list.size() > 8) {
      throw new Refused(400, "invalid_request", "aikCertificatePath must be a list of 1 to 8 certificates.");
    }
    List<X509Certificate> path = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw new Refused(400, "invalid_request", "aikCertificatePath holds a non-string.");
      }
      path.add(certificate(decode(s, "aikCertificatePath")));
    }
    KeyAttestationStatement statement = KeyAttestationStatement.builder()
        .certifyInfo(bytes(request, "certifyInfo"))
        .signature(bytes(request, "signature"))
        .publicArea(bytes(request, "publicArea"))
        .aikCertificatePath(path);
    CertifyVerifier.VerifiedKey v = ca.verifyKey(statement, bytes(request, "nonce"), registered);
    String aikIssuer = v.aikCertificate().getIssuerX500Principal().getName();
    String ekIssuer = ekIssuerByAik.getOrDefault(v.aikCertificate().getSerialNumber().toString(16), "unknown");
    AttestedKey a = new AttestedKey(registration.keyIdBase64(), registration.upn(), aikIssuer, ekIssuer,
        v.tpm().toString(), clock.instant());
    attested.put(registration.keyIdBase64(), a);
    LOG.info("lab attestation: key {} of {} attested ({}; AIK from {}, EK from {})", a.keyIdBase64(), a.upn(),
        a.tpm(), aikIssuer, ekIssuer);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("attested", true);
    out.put("aikIssuer", aikIssuer);
    out.put("ekIssuer", ekIssuer);
    out.put("tpm", a.tpm());
    return LabJson.write(out);
  }

  private static Map<?, ?> json(byte[] body) throws Refused {
    try {
      if (LabJson.parse(body) instanceof Map<?, ?> m) {
        return m;
      }
    } catch (LabJson.JsonException e) {
      // refused below
    }
    throw new Refused(400, "invalid_request", "The request body must be a JSON object.");
  }

  private static byte[] bytes(Map<?, ?> request, String name) throws Refused {
    if (!(request.get(name) instanceof String s)) {
      throw new Refused(400, "invalid_request", "The request needs a Base64 string " + name + ".");
    }
    return decode(s, name);
  }

  private static byte[] decode(String s, String name) throws Refused {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, "invalid_request", name + " is not Base64.");
    }
  }

  private static X509Certificate certificate(byte[] der) throws Refused {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new Refused(400, "invalid_request", "A certificate does not parse.");
    }
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
