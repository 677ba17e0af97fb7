package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.drs.DrsResponses.MalformedResponseException;
import dev.keytrust.agent.endpoint.drs.DrsResponses.Receipt;
import dev.keytrust.agent.endpoint.drs.DrsResponses.ServerError;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.Causes;
import java.net.URI;
import java.net.http.HttpResponse;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Turns what went wrong with the DRS key service into {@link AgentException}s with a DRS code
 * (KT-16xx) and a message that says what failed (the operation and the endpoint), why (the HTTP
 * status and the server's own error code and message, or the transport exception) and what to do.
 *
 * <p>Server text and exception messages are quoted through {@link DrsResponses#sanitize}, which
 * replaces the token where a server echoed it: no message carries the token. Which outcomes are
 * retried is {@link DrsRetries}' business; this class only words them.
 */
final class DrsFailures {
  private final DrsConfig config;

  DrsFailures(DrsConfig config) {
    this.config = config;
  }

  // ---- answers the protocol does not accept ----

  /** A final non-success status: 400, 401/403 or anything unexpected. */
  AgentException refusal(HttpResponse<byte[]> response, BearerToken token, String what) {
    int status = response.statusCode();
    Optional<ServerError> error = DrsResponses.parseError(response.body());
    String said = error.map(e -> e.quote(token)).orElseGet(() -> noErrorBody(response, token));
    if (status == 400) {
      return new AgentException(
          AgentErrorCode.DRS_REQUEST_REJECTED,
          what + " at " + describe() + ": the server refused the request (HTTP 400); " + said
              + ". It refuses requests for users it cannot find and keys it cannot read;"
              + " check that the user exists in the directory.");
    }
    if (status == 401 || status == 403) {
      return new AgentException(
          AgentErrorCode.DRS_UNAUTHORIZED,
          what + " at " + describe() + ": the server did not accept the access token from "
              + config.token().describe() + " (HTTP " + status + "); " + said + ". Get a fresh"
              + " token for the device registration service, signed in as the user with fresh"
              + " MFA (amr ngcmfa) on a registered device (deviceid claim).");
    }
    return new AgentException(
        AgentErrorCode.DRS_UNEXPECTED_STATUS,
        what + " at " + describe() + ": unexpected HTTP " + status + "; " + said + ". Check that"
            + " the URI names the key registration service (its KeyProvisionEndpoint).");
  }

  /** The server registered the key for another user than {@code userPrincipalName}. */
  AgentException userMismatch(
      String what, Receipt receipt, String userPrincipalName, BearerToken token) {
    return new AgentException(
        AgentErrorCode.DRS_USER_MISMATCH,
        what + " at " + describe() + ": the server wrote the key to user '"
            + DrsResponses.sanitize(receipt.upn(), token) + "' (kid " + receipt.kid()
            + "), not to '" + userPrincipalName + "'. The access token belongs"
            + " to another user. Get a token as " + userPrincipalName
            + ", and have the other user's key " + receipt.kid() + " removed.");
  }

  /** The server does not offer keytrust's key removal extension ({@code DELETE} gave 404/405/501). */
  AgentException unregisterUnsupported(String what, URI target, int status) {
    return new AgentException(
        AgentErrorCode.DRS_UNREGISTER_UNSUPPORTED,
        what + ": the server at " + describe() + " does not offer keytrust's key removal"
            + " (DELETE " + target.getPath() + " answered HTTP " + status + "). Key removal is a"
            + " keytrust extension that [MS-KPP] lacks; remove the key with the directory's own"
            + " tools (e.g. Microsoft Graph windowsHelloForBusinessMethods, or"
            + " msDS-KeyCredentialLink).");
  }

  /** The server does not offer keytrust's key listing extension ({@code GET} gave 404/405/501). */
  AgentException listUnsupported(String what, URI target, int status) {
    return new AgentException(
        AgentErrorCode.ENDPOINT_LIST_UNSUPPORTED,
        what + ": the server at " + describe() + " does not offer keytrust's key listing"
            + " (GET " + target.getPath() + " answered HTTP " + status + "). Listing is a keytrust"
            + " extension that [MS-KPP] lacks; list the user's keys with the service's own tools"
            + " (e.g. Microsoft Graph windowsHelloForBusinessMethods).");
  }

  /** A listing whose body is not keytrust's listing. */
  AgentException notAList(String what, int status, MalformedResponseException e) {
    return malformed(what, "its HTTP " + status + " body is not a key listing: " + e.getMessage());
  }

  /** The server listed another user's keys: the token is another user's. */
  AgentException listedOtherUser(String what, String listed, String userPrincipalName, BearerToken token) {
    return new AgentException(
        AgentErrorCode.DRS_USER_MISMATCH,
        what + " at " + describe() + ": the server listed keys of '"
            + DrsResponses.sanitize(listed, token) + "', not of '" + userPrincipalName + "'. The access"
            + " token belongs to another user. Get a token as " + userPrincipalName + ".");
  }

  /** A success answer whose Content-Type is not {@code application/json}. */
  AgentException notJson(String what, int status, String contentType) {
    return malformed(
        what,
        "it answered HTTP " + status + " with Content-Type '"
            + DrsResponses.sanitize(contentType, null) + "', not application/json");
  }

  /** A success answer whose body is not a KPP receipt. */
  AgentException notAReceipt(String what, int status, MalformedResponseException e) {
    return malformed(what, "its HTTP " + status + " body is not a KPP receipt: " + e.getMessage());
  }

  /** The key is not an RSA key: the key service takes BCRYPT_RSAKEY_BLOBs only. */
  static AgentException keyUnsupported() {
    return new AgentException(
        AgentErrorCode.DRS_KEY_UNSUPPORTED,
        "The DRS key registration service takes RSA keys (a BCRYPT_RSAKEY_BLOB, 'RSA1') only;"
            + " this key is not one. Create the key with algorithm rsa2048.");
  }

  private AgentException malformed(String what, String why) {
    return new AgentException(
        AgentErrorCode.DRS_RESPONSE_MALFORMED,
        what + " at " + describe() + ": the server's answer is malformed: " + why + ". The key may"
            + " or may not be registered; registration is idempotent, so run again, and check"
            + " that the URI names the key registration service.");
  }

  // ---- transport ----

  /** The answer was larger than a key service's answer can be; it was not read. */
  AgentException tooLarge(String what, BoundedBody.TooLarge tooLarge) {
    return new AgentException(
        AgentErrorCode.DRS_RESPONSE_MALFORMED,
        what + " at " + describe() + ": the server's answer was refused because "
            + tooLarge.getMessage() + ". A key service answers with a few hundred bytes; check"
            + " that the URI names the key service and not another site.",
        tooLarge);
  }

  /** Whether {@code error} says that the server's certificate is not trusted. */
  static boolean untrustedCertificate(Throwable error) {
    return Causes.find(error, CertificateException.class) != null
        || Causes.find(error, CertPathValidatorException.class) != null
        || Causes.find(error, SSLPeerUnverifiedException.class) != null;
  }

  /** The server's TLS certificate is not trusted (see {@link #untrustedCertificate}). */
  AgentException tlsUntrusted(String what, Throwable error) {
    return new AgentException(
        AgentErrorCode.DRS_TLS_UNTRUSTED,
        what + " at " + describe() + ": the server's TLS certificate is not trusted ("
            + describeError(error, null) + "). "
            + (config.caFile() == null
                ? "The JVM's trust store has no CA for it: give " + DrsEndpointProvider.CA_FILE
                    + "=<PEM file of the CA that issued it>."
                : "It was not issued, for this host name, by a CA in " + config.caFile()
                    + ". Check the ca-file and that the URI's host is the one in the"
                    + " certificate."),
        error instanceof Exception ex ? ex : null);
  }

  /**
   * The server at an {@code https://} URI does not speak TLS.
   *
   * @param statusLine what the server answered to plain HTTP, if it did
   */
  AgentException notTls(String what, Optional<String> statusLine, Throwable error) {
    return new AgentException(
        AgentErrorCode.DRS_NOT_TLS,
        what + " at " + describe() + " failed: the server does not speak TLS"
            + statusLine.map(l -> " (it answers plain HTTP: '" + l + "')").orElse("") + ", so no request was sent."
            + " This is a wrong port or scheme, not an outage: give the key service's TLS port, or, for a"
            + " test server on loopback only, http:// with allow-plain-http=true.",
        error instanceof Exception ex ? ex : null);
  }

  /** A transport failure that a retry cannot mend. */
  AgentException unreachable(String what, Throwable error) {
    return new AgentException(
        AgentErrorCode.DRS_UNREACHABLE,
        what + " at " + describe() + " failed: " + describeError(error, null) + ".",
        error instanceof Exception ex ? ex : null);
  }

  /** The thread was interrupted while it sent or waited. */
  AgentException interrupted(String what, Exception cause) {
    return new AgentException(
        AgentErrorCode.DRS_INTERRUPTED,
        what + " at " + describe() + " was interrupted before the server answered. Run again:"
            + " registration is idempotent.",
        cause);
  }

  // ---- retries ----

  /**
   * No attempt may follow the last failed one.
   *
   * @param failure the last attempt's outcome
   * @param attempts attempts made
   * @param elapsed time since the first attempt began
   * @param retryAfter the last answer's {@code Retry-After}, if it had one
   */
  AgentException exhausted(
      FailedAttempt failure, int attempts, Duration elapsed, Optional<Duration> retryAfter,
      BearerToken token, String what) {
    String tries =
        " (" + attempts + (attempts == 1 ? " attempt" : " attempts") + " in "
            + seconds(elapsed) + ")";
    String budget = "";
    if (retryAfter.isPresent() && attempts < config.retry().maxAttempts()) {
      budget =
          " The server asked to wait " + seconds(retryAfter.get()) + " before retrying, beyond"
              + " " + DrsEndpointProvider.MAX_RETRY_TIME + "="
              + seconds(config.retry().maxRetryTime()) + ".";
    }
    String again =
        " Registration is idempotent: run again later, or raise " + DrsEndpointProvider.MAX_ATTEMPTS
            + " / " + DrsEndpointProvider.MAX_RETRY_TIME + ".";
    switch (failure.kind()) {
      case STATUS:
        return new AgentException(
            AgentErrorCode.DRS_SERVER_ERROR,
            what + " at " + describe() + ": the server kept failing" + tries + "; last "
                + summary(failure, token) + "." + budget + again);
      case TIMEOUT:
        return new AgentException(
            AgentErrorCode.DRS_TIMED_OUT,
            what + " at " + describe() + ": the server did not answer within "
                + DrsEndpointProvider.REQUEST_TIMEOUT + "=" + seconds(config.requestTimeout())
                + tries + "." + again,
            failure.error());
      default:
        return new AgentException(
            AgentErrorCode.DRS_UNREACHABLE,
            what + ": cannot reach " + describe() + tries + ": "
                + describeError(failure.error(), token) + ". Check the URI, the network (proxy,"
                + " firewall) and that the service runs." + again,
            failure.error());
    }
  }

  /** One failed attempt in a few words, for the retry log and {@link #exhausted}. */
  String summary(FailedAttempt failure, BearerToken token) {
    switch (failure.kind()) {
      case STATUS:
        HttpResponse<byte[]> r = failure.response();
        String said =
            DrsResponses.parseError(r.body()).map(e -> ", " + e.quote(token)).orElse("");
        return "HTTP " + r.statusCode() + said;
      case TIMEOUT:
        return "no answer within " + seconds(config.requestTimeout());
      default:
        return describeError(failure.error(), token);
    }
  }

  // ---- wording ----

  private String describe() {
    return config.describe();
  }

  private static String noErrorBody(HttpResponse<byte[]> response, BearerToken token) {
    String type = response.headers().firstValue("content-type").orElse("no content type");
    String auth =
        response.headers().firstValue("www-authenticate")
            .map(v -> ", WWW-Authenticate: " + DrsResponses.sanitize(v, token))
            .orElse("");
    return "its body is no KPP error (" + response.body().length + " bytes, "
        + DrsResponses.sanitize(type, token) + auth + ")";
  }

  private static String describeError(Throwable error, BearerToken token) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root
        && (root.getMessage() == null || root instanceof ExecutionException)) {
      root = root.getCause();
    }
    String message = root.getMessage();
    String text = root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    return DrsResponses.sanitize(text, token);
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
