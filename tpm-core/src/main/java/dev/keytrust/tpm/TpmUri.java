package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.util.Locale;
import java.util.Objects;

/**
 * Names a TPM. Accepted forms:
 *
 * <ul>
 *   <li>{@code mssim://HOST:PORT}: the MS/IBM TPM simulator TCP command protocol (swtpm
 *       {@code --server type=tcp}); the platform port is never used.
 *   <li>{@code unix:PATH}: raw TPM command stream over a Unix socket (swtpm {@code type=unixio}).
 *   <li>{@code device:PATH}: a kernel TPM character device, normally {@code /dev/tpmrm0}.
 *   <li>{@code tbs:}: the Windows TPM Base Services.
 *   <li>{@code auto}: the machine's TPM, chosen when it is opened ({@link TpmTransports#resolve}):
 *       on Linux the first TPM 2.0 resource manager node {@link TpmDiscovery} finds, on Windows
 *       {@code tbs:}.
 *   <li>{@code software}: no TPM; the software key provider.
 * </ul>
 *
 * @param scheme lower-case scheme: mssim, unix, device, tbs, auto or software
 * @param host host for mssim, else null
 * @param port port for mssim, else -1
 * @param path socket or device path for unix and device, else null
 * @param text the URI as given (canonical form for {@link #toString()})
 */
public record TpmUri(String scheme, String host, int port, String path, String text) {

  /** The variable that names the TPM when no {@code --tpm} option is given. */
  public static final String ENV = "KEYTRUST_TPM";

  public static final String MSSIM = "mssim";
  public static final String UNIX = "unix";
  public static final String DEVICE = "device";
  public static final String TBS = "tbs";
  public static final String SOFTWARE = "software";
  public static final String AUTO = "auto";

  public TpmUri {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(text, "text");
  }

  /** True for {@code auto}: the TPM is chosen when it is opened. */
  public boolean isAuto() {
    return AUTO.equals(scheme);
  }

  /** True when this names the software provider rather than a TPM. */
  public boolean isSoftware() {
    return SOFTWARE.equals(scheme);
  }

  /** Parses a TPM URI, or fails with {@code UNKNOWN_TPM_URI} saying which forms are accepted. */
  public static TpmUri parse(String text) throws KeytrustException {
    if (text == null || text.isBlank()) {
      throw bad(String.valueOf(text), "it is empty");
    }
    String t = text.trim();
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.equals(SOFTWARE) || lower.equals(SOFTWARE + ":")) {
      return new TpmUri(SOFTWARE, null, -1, null, SOFTWARE);
    }
    if (lower.equals(AUTO) || lower.equals(AUTO + ":")) {
      return new TpmUri(AUTO, null, -1, null, AUTO);
    }
    if (lower.equals(TBS) || lower.equals(TBS + ":")) {
      return new TpmUri(TBS, null, -1, null, TBS + ":");
    }
    if (lower.startsWith(MSSIM + "://")) {
      String hostPort = t.substring((MSSIM + "://").length());
      if (hostPort.endsWith("/")) {
        hostPort = hostPort.substring(0, hostPort.length() - 1);
      }
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw bad(t, "mssim needs a host and a port, e.g. mssim://127.0.0.1:2321");
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw bad(t, "the port is not a number");
      }
      if (port < 1 || port > 65535) {
        throw bad(t, "the port must be 1..65535");
      }
      return new TpmUri(MSSIM, host, port, null, MSSIM + "://" + hostPort);
    }
    for (String scheme : new String[] {UNIX, DEVICE}) {
      if (lower.startsWith(scheme + ":")) {
        String path = t.substring(scheme.length() + 1);
        if (path.startsWith("//")) {
          path = path.substring(2);
        }
        if (path.isEmpty()) {
          throw bad(t, scheme + " needs a path, e.g. " + (scheme.equals(UNIX) ? "unix:/run/swtpm/sock" : "device:/dev/tpmrm0"));
        }
        return new TpmUri(scheme, null, -1, path, scheme + ":" + path);
      }
    }
    throw bad(t, "the scheme is not known");
  }

  private static KeytrustException bad(String text, String why) {
    return new KeytrustException(
        CoreErrorCode.UNKNOWN_TPM_URI,
        "Cannot use TPM '" + text + "': " + why + ". Use one of mssim://HOST:PORT, unix:PATH, "
            + "device:/dev/tpmrm0, tbs:, auto or software.");
  }

  @Override
  public String toString() {
    return text;
  }
}
