package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.AttestationMode;
import dev.keytrust.agent.endpoint.KeyAttestationService;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.attest.EndorsementKey;
import dev.keytrust.attest.KeyAttestationStatement;
import dev.keytrust.internal.json.JsonException;
import dev.keytrust.internal.json.StrictJson;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.SecretBuffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keytrust's key attestation extension of the DRS-style key service ([MS-KPP] has none), under
 * {@code {base}/EnrollmentServer/attestation/} with the key endpoint's token, TLS trust, headers and
 * {@code api-version=1.0}:
 *
 * <pre>
 * POST attestation/ak        {"ekCertificate", "ekPublic", "akPublic"}  (Base64 DER / TPMT_PUBLIC)
 *   200 {"id", "credentialBlob", "encryptedSecret"}                    (TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET)
 * POST attestation/ak/{id}   {"secret"}                                 (the credential TPM2_ActivateCredential released)
 *   200 {"aikCertificatePath": [Base64 DER, ...]}                       (the AIK certificate first)
 * POST attestation/nonce     {}
 *   200 {"nonce"}                                                        (32 bytes, single use, short-lived)
 * POST attestation/key       {"keyId", "nonce", "certifyInfo", "signature", "publicArea", "aikCertificatePath"}
 *   200 {"attested": true, "aikIssuer", "ekIssuer", "tpm"}
 * </pre>
 *
 * <p>Refusals are KPP ErrorDetails: 400 {@code attestation_refused} (the CA's step and reason, KT-1617),
 * 401/403 (token, KT-1610); 404/405/501 mean the service has no attestation (KT-1618). One attempt
 * per request: the activation id and the nonce are single-use, so a blind retry could not succeed;
 * rerunning provisioning starts the exchange again.
 */
final class DrsAttestationClient implements KeyAttestationService {
  private static final Logger LOG = LoggerFactory.getLogger(DrsAttestationClient.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_CERTIFICATES = 8;

  private final DrsConfig config;
  private final HttpClient client;
  private final AttestationMode mode;
  private final URI base;

  DrsAttestationClient(DrsConfig config, HttpClient client, AttestationMode mode) {
    this.config = config;
    this.client = client;
    this.mode = mode;
    this.base = config.uris().keyEndpoint().resolve("../attestation/");
  }

  /** A client with an HTTP client of its own, built as the key endpoint's (TLS trust, timeouts, no redirects). */
  static DrsAttestationClient open(DrsConfig config, AttestationMode mode) throws AgentException {
    SSLContext tls = config.plainHttp() ? null : TlsTrust.context(config.caFile());
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      b.sslContext(tls);
    }
    return new DrsAttestationClient(config, b.build(), mode);
  }

  @Override
  public AttestationMode mode() {
    return mode;
  }

  @Override
  public String describe() {
    return base.toString();
  }

  @Override
  public Challenge challenge(EndorsementKey ek, byte[] akPublicArea) throws AgentException {
    String body;
    try {
      body = "{\"ekCertificate\":\"" + b64(ek.certificate().getEncoded()) + "\",\"ekPublic\":\""
          + b64(ek.publicArea().rawBytes()) + "\",\"akPublic\":\"" + b64(akPublicArea) + "\"}";
    } catch (CertificateEncodingException e) {
      throw malformed("Sending the EK certificate", "it does not encode: " + e.getMessage());
    }
    String what = "Asking " + describe() + " to certify an attestation key";
    Map<String, Object> r = post("ak", body, what);
    String id = string(r, "id", what);
    if (!ID.matcher(id).matches()) {
      throw malformed(what, "its 'id' is not an identifier");
    }
    return new Challenge(id, bytes(r, "credentialBlob", what), bytes(r, "encryptedSecret", what));
  }

  @Override
  public List<X509Certificate> activate(String challengeId, SecretBuffer credential) throws AgentException {
    String what = "Returning the activation secret to " + describe();
    byte[] secret = credential.copy(InsecureSecretAccess.get());
    String body = "{\"secret\":\"" + b64(secret) + "\"}";
    Arrays.fill(secret, (byte) 0);
    Map<String, Object> r = post("ak/" + challengeId, body, what);
    return certificates(r.get("aikCertificatePath"), what);
  }

  @Override
  public byte[] nonce() throws AgentException {
    String what = "Asking " + describe() + " for an attestation nonce";
    return bytes(post("nonce", "{}", what), "nonce", what);
  }

  @Override
  public Verdict submit(KeyRegistration registration, KeyAttestationStatement statement, byte[] nonce)
      throws AgentException {
    List<String> path = new ArrayList<>();
    try {
      for (X509Certificate c : statement.aikCertificatePath()) {
        path.add("\"" + b64(c.getEncoded()) + "\"");
      }
    } catch (CertificateEncodingException e) {
      throw malformed("Sending the AIK certificate", "it does not encode: " + e.getMessage());
    }
    String body = "{\"keyId\":\"" + registration.keyIdBase64() + "\",\"nonce\":\"" + b64(nonce)
        + "\",\"certifyInfo\":\"" + b64(statement.certifyInfo()) + "\",\"signature\":\"" + b64(statement.signature())
        + "\",\"publicArea\":\"" + b64(statement.publicArea()) + "\",\"aikCertificatePath\":["
        + String.join(",", path) + "]}";
    String what = "Attesting key " + registration.keyIdBase64() + " to " + describe();
    Map<String, Object> r = post("key", body, what);
    if (!Boolean.TRUE.equals(r.get("attested"))) {
      throw malformed(what, "it did not say attested: true");
    }
    Verdict v = new Verdict(string(r, "aikIssuer", what), string(r, "ekIssuer", what), string(r, "tpm", what));
    LOG.info("Key {} attested at {}: AIK from {}, EK from {}", registration.keyIdBase64(), describe(),
        v.aikIssuer(), v.ekIssuer());
    return v;
  }

  // ---- one exchange ----

  private Map<String, Object> post(String path, String json, String what) throws AgentException {
    BearerToken token = config.token().read();
    URI uri = base.resolve(path + "?api-version=" + DrsUris.API_VERSION);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.requestTimeout())
        .header("Authorization", token.authorizationHeader()).header("Accept", "application/json")
        .header("Content-Type", "application/json").header("client-request-id", UUID.randomUUID().toString())
        .header("User-Agent", DrsEndpoint.USER_AGENT)
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.US_ASCII)).build();
    HttpResponse<byte[]> response;
    try {
      response = client.send(request, BoundedBody.handler(DrsResponses.MAX_BODY));
    } catch (IOException e) {
      throw new AgentException(AgentErrorCode.DRS_UNREACHABLE,
          what + " failed: " + DrsResponses.sanitize(e.toString(), token) + ". Check that the service runs.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(AgentErrorCode.DRS_INTERRUPTED, what + " was interrupted. Run again.", e);
    }
    int status = response.statusCode();
    if (status == 200) {
      try {
        return StrictJson.parseObject(response.body(), DrsResponses.MAX_BODY, DrsResponses.MAX_DEPTH);
      } catch (JsonException e) {
        throw malformed(what, "its body is not a JSON object");
      }
    }
    Optional<DrsResponses.ServerError> error = DrsResponses.parseError(response.body());
    String said = error.map(e -> e.quote(token)).orElse("no error details");
    if (status == 404 || status == 405 || status == 501) {
      throw new AgentException(AgentErrorCode.DRS_ATTESTATION_UNSUPPORTED,
          what + ": the service does not offer keytrust's key attestation (HTTP " + status + "). Set the endpoint"
              + " setting attest=off, or use a service with an attestation CA.");
    }
    if (status == 401 || status == 403) {
      throw new AgentException(AgentErrorCode.DRS_UNAUTHORIZED,
          what + ": the service did not accept the access token (HTTP " + status + "); " + said
              + ". Get a fresh token for the user.");
    }
    if (status == 400 && error.isPresent()) {
      throw new AgentException(AgentErrorCode.DRS_ATTESTATION_REFUSED,
          what + ": the attestation CA refused (HTTP 400); " + said + ". The key stays registered; it is not"
              + " attested.");
    }
    throw new AgentException(AgentErrorCode.DRS_UNEXPECTED_STATUS,
        what + ": unexpected HTTP " + status + "; " + said + ".");
  }

  private AgentException malformed(String what, String why) {
    return new AgentException(AgentErrorCode.DRS_RESPONSE_MALFORMED,
        what + ": the service's answer is malformed: " + why + ". Run again; check the endpoint URI.");
  }

  private String string(Map<String, Object> r, String name, String what) throws AgentException {
    if (!(r.get(name) instanceof String s) || s.isEmpty() || s.length() > 4096
        || s.chars().anyMatch(Character::isISOControl)) {
      throw malformed(what, "it has no usable '" + name + "' string");
    }
    return s;
  }

  private byte[] bytes(Map<String, Object> r, String name, String what) throws AgentException {
    try {
      return Base64.getDecoder().decode(string(r, name, what));
    } catch (IllegalArgumentException e) {
      throw malformed(what, "its '" + name + "' is not Base64");
    }
  }

  private List<X509Certificate> certificates(Object value, String what) throws AgentException {
    if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > MAX_CERTIFICATES) {
      throw malformed(what, "it has no 'aikCertificatePath' list of 1 to " + MAX_CERTIFICATES + " certificates");
    }
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw malformed(what, "an AIK certificate is not a string");
        }
        out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(s))));
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw malformed(what, "an AIK certificate does not decode: " + e.getMessage());
    }
    return out;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
