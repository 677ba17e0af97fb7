package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import java.time.Instant;
import java.util.Objects;

/**
 * A registration keytrust tried to remove and could not, because the endpoint that holds it does not
 * remove keys (a DRS key service without keytrust's removal extension answers 501: KT-1615). The
 * user's records keep it (the record {@code remaining}) so that {@code keytrust status} shows it and
 * the next reset tries again; it is gone from the records once an endpoint removed it. Holds no secret.
 *
 * @param registration what was registered (enough to remove it later)
 * @param endpoint the endpoint that holds it, without credentials
 * @param errorCode the code of the refusal, e.g. {@code KT-1615}
 * @param reason the refusal in one line
 * @param since when keytrust first failed to remove it
 */
public record RemainingRegistration(
    KeyRegistration registration, String endpoint, String errorCode, String reason, Instant since) {

  /** Longest reason kept. */
  static final int MAX_REASON = 400;

  public RemainingRegistration {
    Objects.requireNonNull(registration, "registration");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(since, "since");
    reason = oneLine(Objects.requireNonNull(reason, "reason"));
  }

  /** The key id as upper-case hex, as the key store names keys. */
  public String keyIdHex() {
    return registration.keyIdHex();
  }

  private static String oneLine(String s) {
    String line = s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    return line.length() > MAX_REASON ? line.substring(0, MAX_REASON) + "..." : line;
  }
}
