package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

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

  /** Longest TPM URI accepted (a path or a host name and a port fit easily). */
  static final int MAX_LENGTH = 4096;
  private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /**
   * Parses a TPM URI, or fails with {@code UNKNOWN_TPM_URI} (bad input) saying which forms are
   * accepted. Nothing is looked up or opened: a host is checked to be a host name or an IP
   * literal; control characters and user information are refused, never trimmed (spaces around
   * the URI are).
   */
  public static TpmUri parse(String text) throws KeytrustException {
    if (text == null || text.isEmpty()) {
      throw bad(String.valueOf(text), "it is empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw bad(text, "it is longer than " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        throw bad(text, "it contains a control character at position " + (i + 1));
      }
    }
    String t = text.strip(); // spaces around the URI are forgiven; control characters never
    if (t.isEmpty()) {
      throw bad(text, "it is empty");
    }
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
      String hostProblem = hostProblem(host);
      if (hostProblem != null) {
        throw bad(t, hostProblem);
      }
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      String portText = hostPort.substring(colon + 1);
      if (!portText.matches("[0-9]{1,5}")) {
        throw bad(t, "the port is not a number");
      }
      port = Integer.parseInt(portText);
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

  /**
   * Why {@code host} is neither a host name (RFC 1123 labels, at most 253 characters), an IPv4
   * address nor a bracketed IPv6 literal, or null when it is one of them.
   */
  private static String hostProblem(String host) {
    if (host.indexOf('@') >= 0) {
      return "user information (user@) has no place in a TPM URI";
    }
    if (host.startsWith("[") || host.endsWith("]") || host.indexOf(':') >= 0) {
      if (!(host.startsWith("[") && host.endsWith("]") && host.length() > 2)
          || !IPV6_LITERAL.matcher(host.substring(1, host.length() - 1)).matches()
          || host.chars().filter(ch -> ch == ':').count() < 2) {
        return "an IPv6 address is written in brackets, e.g. mssim://[::1]:2321";
      }
      return null;
    }
    if (host.length() > 253) {
      return "the host name is longer than 253 characters";
    }
    for (String label : host.split("\\.", -1)) {
      if (!HOST_LABEL.matcher(label).matches()) {
        return "the host is not a host name or an IP address";
      }
    }
    return null;
  }

  private static KeytrustException bad(String text, String why) {
    String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    StringBuilder printable = new StringBuilder();
    shown.codePoints().forEach(cp -> {
      if (Character.isISOControl(cp)) {
        printable.append(String.format("\\u%04X", cp));
      } else {
        printable.appendCodePoint(cp);
      }
    });
    return new KeytrustException(
        CoreErrorCode.UNKNOWN_TPM_URI,
        "Cannot use TPM '" + printable + "': " + why + ". Use one of mssim://HOST:PORT, unix:PATH, "
            + "device:/dev/tpmrm0, tbs:, auto or software.");
  }

  @Override
  public String toString() {
    return text;
  }
}
